-- Every directory resource (organization, site, area, person, coaching relationship)
-- as its full protobuf plus what queries need. Rows are never deleted: deactivation
-- sets active = 0 and history keeps pointing at them.
CREATE TABLE directory (
  org TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  parent TEXT NOT NULL,
  revision INTEGER NOT NULL,
  active INTEGER NOT NULL,
  data BLOB NOT NULL,
  create_us INTEGER NOT NULL,
  update_us INTEGER NOT NULL,
  PRIMARY KEY (org, kind, name)
);
CREATE INDEX directory_parent ON directory (org, kind, parent, name);

-- Secondary keys for filters (person by site / area / role; relationship by person).
CREATE TABLE directory_index (
  org TEXT NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (org, kind, key, value, name)
);
CREATE INDEX directory_index_name ON directory_index (org, kind, name);

-- Values unique within an organization (a person's employee id).
CREATE TABLE directory_unique (
  org TEXT NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (org, kind, key, value)
);

-- Responses of mutations carrying a request_id, so a retry returns the first answer.
CREATE TABLE idempotency (
  org TEXT NOT NULL,
  request_id TEXT NOT NULL,
  method TEXT NOT NULL,
  response BLOB NOT NULL,
  created_us INTEGER NOT NULL,
  PRIMARY KEY (org, request_id)
);
