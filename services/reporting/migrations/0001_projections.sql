-- Reporting's projections: the latest state of the resources its figures count,
-- written only by the consumer from the other services' events. Each event carries its
-- whole resource and revision; a row is replaced only by a higher revision, so
-- redelivered and reordered events change nothing. Times are UTC microseconds; a
-- period is turned into a UTC window per site when a figure is asked for.

-- People, for headcounts and participation: counted at their home site and area from
-- create_us until deactivate_us.
CREATE TABLE r_people (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  -- Comma-separated role numbers (kpo.people.v1.Role), e.g. ",2,5,".
  roles TEXT NOT NULL,
  create_us INTEGER NOT NULL,
  deactivate_us INTEGER,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_people_site ON r_people (org, site, area);

-- Ideas (kpo.daily.v1): when each left which state. closed_us is when it stopped being
-- open: implemented (implement_us), rejected (review_us) or withdrawn (withdraw_us).
CREATE TABLE r_ideas (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  objective TEXT NOT NULL,
  state INTEGER NOT NULL,
  submit_us INTEGER NOT NULL,
  review_us INTEGER,
  implement_us INTEGER,
  withdraw_us INTEGER,
  closed_us INTEGER,
  -- implement_us - submit_us, in seconds, when implemented.
  implement_seconds INTEGER,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_ideas_submitted ON r_ideas (org, site, submit_us);
CREATE INDEX r_ideas_implemented ON r_ideas (org, site, implement_us);
-- Rejections in a window: state REJECTED and its review time.
CREATE INDEX r_ideas_state_reviewed ON r_ideas (org, site, state, review_us);
CREATE INDEX r_ideas_closed ON r_ideas (org, site, closed_us);

-- Who submitted which idea, and when: participation counts people, not ideas.
CREATE TABLE r_idea_submitters (
  org TEXT NOT NULL,
  person TEXT NOT NULL,
  submit_us INTEGER NOT NULL,
  idea TEXT NOT NULL,
  PRIMARY KEY (org, person, submit_us, idea)
);
