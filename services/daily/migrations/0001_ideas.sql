-- Ideas: the full protobuf plus the columns lists filter on. Every list is ordered by
-- submission (submit_us, name), and every filter has an index in that order, so a page
-- is an index range scan whatever the filter (see services/kaizen/migrations/0002).
CREATE TABLE ideas (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  state INTEGER NOT NULL,
  category INTEGER NOT NULL,
  reviewer TEXT NOT NULL,
  strategic_objective TEXT NOT NULL,
  submit_us INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  update_us INTEGER NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX ideas_submitted ON ideas (org, submit_us, name);
CREATE INDEX ideas_site ON ideas (org, site, submit_us, name);
CREATE INDEX ideas_area ON ideas (org, area, submit_us, name);
CREATE INDEX ideas_state ON ideas (org, state, submit_us, name);
CREATE INDEX ideas_category ON ideas (org, category, submit_us, name);
CREATE INDEX ideas_reviewer ON ideas (org, reviewer, submit_us, name);
CREATE INDEX ideas_objective ON ideas (org, strategic_objective, submit_us, name);

-- Who submitted which idea (an idea has one or more submitters).
CREATE TABLE idea_submitters (
  org TEXT NOT NULL,
  person TEXT NOT NULL,
  idea TEXT NOT NULL,
  submit_us INTEGER NOT NULL,
  PRIMARY KEY (org, person, idea)
);
CREATE INDEX idea_submitters_order ON idea_submitters (org, person, submit_us, idea);
