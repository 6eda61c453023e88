-- Certification portfolios: evidence credited from the other services' events (its
-- name is derived from kind and source, so a redelivered or repeated event finds it)
-- and hand-entered evidence waiting for a certifier.
CREATE TABLE evidence (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  person TEXT NOT NULL,
  kind INTEGER NOT NULL,
  state INTEGER NOT NULL,
  day INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX evidence_person ON evidence (org, person, day, name);
CREATE INDEX evidence_day ON evidence (org, day, name);
CREATE INDEX evidence_kind ON evidence (org, kind, day, name);
CREATE INDEX evidence_state ON evidence (org, state, day, name);
