-- Yokoten: practices shared from implemented ideas, listed by name.
CREATE TABLE practices (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  idea TEXT NOT NULL,
  origin_site TEXT NOT NULL,
  strategic_objective TEXT NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX practices_idea ON practices (org, idea, name);
CREATE INDEX practices_origin ON practices (org, origin_site, name);
CREATE INDEX practices_objective ON practices (org, strategic_objective, name);

-- Their deployment tasks, listed by due date (YYYYMMDD) then name; every filter (practice,
-- owner, site; each with or without a state) walks its own index.
CREATE TABLE deployment_tasks (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  practice TEXT NOT NULL,
  owner TEXT NOT NULL,
  site TEXT NOT NULL,
  state INTEGER NOT NULL,
  due_day INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX deployment_tasks_practice ON deployment_tasks (org, practice, due_day, name);
CREATE INDEX deployment_tasks_practice_state ON deployment_tasks (org, practice, state, due_day, name);
CREATE INDEX deployment_tasks_due ON deployment_tasks (org, due_day, name);
CREATE INDEX deployment_tasks_state ON deployment_tasks (org, state, due_day, name);
CREATE INDEX deployment_tasks_owner ON deployment_tasks (org, owner, due_day, name);
CREATE INDEX deployment_tasks_owner_state ON deployment_tasks (org, owner, state, due_day, name);
CREATE INDEX deployment_tasks_site ON deployment_tasks (org, site, due_day, name);
CREATE INDEX deployment_tasks_site_state ON deployment_tasks (org, site, state, due_day, name);
