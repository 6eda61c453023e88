-- Gemba walks, listed by date (YYYYMMDD) then name.
CREATE TABLE gemba_walks (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  leader TEXT NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  day INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX gemba_walks_day ON gemba_walks (org, day, name);
CREATE INDEX gemba_walks_site ON gemba_walks (org, site, day, name);
CREATE INDEX gemba_walks_area ON gemba_walks (org, area, day, name);
CREATE INDEX gemba_walks_leader ON gemba_walks (org, leader, day, name);

-- Their follow-up actions, listed by due date (YYYYMMDD) then name; the overdue list
-- walks the open ones by due date.
CREATE TABLE gemba_follow_ups (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  walk TEXT NOT NULL,
  owner TEXT NOT NULL,
  site TEXT NOT NULL,
  status INTEGER NOT NULL,
  due_day INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
-- Every list filter (walk, owner, site; each with or without a status) walks its own
-- index in due-date order. Follow-ups are written rarely (a few per walk).
CREATE INDEX gemba_follow_ups_walk ON gemba_follow_ups (org, walk, due_day, name);
CREATE INDEX gemba_follow_ups_walk_status ON gemba_follow_ups (org, walk, status, due_day, name);
CREATE INDEX gemba_follow_ups_due ON gemba_follow_ups (org, due_day, name);
CREATE INDEX gemba_follow_ups_status ON gemba_follow_ups (org, status, due_day, name);
CREATE INDEX gemba_follow_ups_owner ON gemba_follow_ups (org, owner, due_day, name);
CREATE INDEX gemba_follow_ups_owner_status ON gemba_follow_ups (org, owner, status, due_day, name);
CREATE INDEX gemba_follow_ups_site ON gemba_follow_ups (org, site, due_day, name);
CREATE INDEX gemba_follow_ups_site_status ON gemba_follow_ups (org, site, status, due_day, name);
