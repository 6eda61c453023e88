-- The KPO office: memberships with level, time share and cost. At most one active
-- membership per person (checked by the application within the write).
CREATE TABLE kpo_members (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  person TEXT NOT NULL,
  level INTEGER NOT NULL,
  active INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX kpo_members_person ON kpo_members (org, person, active, name);
CREATE INDEX kpo_members_level ON kpo_members (org, level, active, name);
CREATE INDEX kpo_members_level_all ON kpo_members (org, level, name);
CREATE INDEX kpo_members_active ON kpo_members (org, active, name);
