-- Local read-only copy of the people service's directory, fed by kpo.people.v1 events.
-- A row is replaced only by an event with a higher revision.
CREATE TABLE directory_replica (
  org TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  active INTEGER NOT NULL,
  type_url TEXT NOT NULL,
  data BLOB NOT NULL,
  replicated_us INTEGER NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX directory_replica_kind ON directory_replica (org, kind);
