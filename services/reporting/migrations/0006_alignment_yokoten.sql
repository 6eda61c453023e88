-- Storyboards (kpo.daily.v1): where, which objective, and when open (close_us NULL while
-- active).
CREATE TABLE r_storyboards (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  objective TEXT NOT NULL,
  create_us INTEGER NOT NULL,
  close_us INTEGER,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_storyboards_created ON r_storyboards (org, site, create_us);

-- Practices shared (yokoten), at the site of the idea they come from.
CREATE TABLE r_practices (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  origin_site TEXT NOT NULL,
  origin_area TEXT NOT NULL,
  objective TEXT NOT NULL,
  create_us INTEGER NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_practices_shared ON r_practices (org, origin_site, create_us);

-- Deployment tasks: a practice checked at a target place (site, area); due day at the
-- site (YYYYMMDD); state kpo.daily.v1.DeploymentState; resolve_us NULL while open.
CREATE TABLE r_deployment_tasks (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  practice TEXT NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  origin_site TEXT NOT NULL,
  state INTEGER NOT NULL,
  due_day INTEGER NOT NULL,
  create_us INTEGER NOT NULL,
  resolve_us INTEGER,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_deployment_tasks_resolved ON r_deployment_tasks (org, site, resolve_us);
CREATE INDEX r_deployment_tasks_origin ON r_deployment_tasks (org, origin_site, resolve_us);
