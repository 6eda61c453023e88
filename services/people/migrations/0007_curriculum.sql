-- The curriculum. Training modules and learning paths share one table (kind 'module' or
-- 'path'; key: the path's role, 0 for modules); module_competencies indexes what each
-- module builds.
CREATE TABLE curriculum (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  key INTEGER NOT NULL,
  active INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX curriculum_kind ON curriculum (org, kind, active, name);
CREATE INDEX curriculum_kind_all ON curriculum (org, kind, name);
CREATE INDEX curriculum_key ON curriculum (org, kind, key, active, name);
CREATE INDEX curriculum_key_all ON curriculum (org, kind, key, name);
CREATE TABLE module_competencies (
  org TEXT NOT NULL,
  competency TEXT NOT NULL,
  module TEXT NOT NULL,
  PRIMARY KEY (org, competency, module)
);
CREATE INDEX module_competencies_module ON module_competencies (org, module);
-- Which learning paths name a module (to refuse retiring a module in use).
CREATE TABLE path_modules (
  org TEXT NOT NULL,
  module TEXT NOT NULL,
  path TEXT NOT NULL,
  PRIMARY KEY (org, module, path)
);
CREATE INDEX path_modules_path ON path_modules (org, path);
-- start: microseconds since the epoch, the listing order.
CREATE TABLE training_sessions (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  module TEXT NOT NULL,
  site TEXT NOT NULL,
  start INTEGER NOT NULL,
  cancelled INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX training_sessions_start ON training_sessions (org, cancelled, start, name);
CREATE INDEX training_sessions_start_all ON training_sessions (org, start, name);
CREATE INDEX training_sessions_site ON training_sessions (org, site, start, name);
CREATE INDEX training_sessions_module ON training_sessions (org, module, start, name);
-- seq: when the person enrolled (microseconds), the waiting list's order.
CREATE TABLE enrolments (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  session TEXT NOT NULL,
  person TEXT NOT NULL,
  state INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX enrolments_session ON enrolments (org, session, seq, name);
CREATE INDEX enrolments_session_state ON enrolments (org, session, state, seq, name);
CREATE INDEX enrolments_person ON enrolments (org, person, seq, name);
CREATE INDEX enrolments_person_state ON enrolments (org, person, state, seq, name);
