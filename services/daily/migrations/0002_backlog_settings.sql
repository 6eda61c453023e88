-- The review backlog: ideas still SUBMITTED, oldest first, per reviewer or per site
-- (the state is an equality column of both lists, so it leads their indexes).
CREATE INDEX ideas_backlog_reviewer ON ideas (org, state, reviewer, submit_us, name);
CREATE INDEX ideas_backlog_site ON ideas (org, state, site, submit_us, name);

-- The organization's settings (one row per organization, absent while the defaults
-- apply).
CREATE TABLE daily_settings (
  org TEXT NOT NULL PRIMARY KEY,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL
);
