-- Personal development plans: one row per person once written, and their study items.
CREATE TABLE development_plans (
  org TEXT NOT NULL,
  person TEXT NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, person)
);
-- created: microseconds since the epoch, the listing order.
CREATE TABLE study_items (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  person TEXT NOT NULL,
  status INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  created INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX study_items_person ON study_items (org, person, created, name);
CREATE INDEX study_items_status ON study_items (org, person, status, created, name);
CREATE INDEX study_items_kind ON study_items (org, person, kind, created, name);
