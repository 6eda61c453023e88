-- Columns of people and coaching relationships that consumers query by (a learner's
-- coach, a coach's learners, the people of a site), kept beside directory_replica at
-- the same revision. A row is rewritten whenever its resource is; Reindex() fills in
-- rows for resources stored before this table existed.
CREATE TABLE replica_people (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  active INTEGER NOT NULL,
  home_site TEXT NOT NULL,
  manager TEXT NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX replica_people_site ON replica_people (org, home_site, name);

CREATE TABLE replica_coaching (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  active INTEGER NOT NULL,
  coach TEXT NOT NULL,
  learner TEXT NOT NULL,
  second_coach TEXT NOT NULL,
  sessions_per_week INTEGER NOT NULL,
  -- The learner's home site as replica_people has it ('' until the person arrives).
  learner_site TEXT NOT NULL,
  PRIMARY KEY (org, name)
);
-- Lists walk (learner, name) in order: all, one coach's learners, one site's learners.
CREATE INDEX replica_coaching_learner ON replica_coaching (org, learner, name);
CREATE INDEX replica_coaching_coach ON replica_coaching (org, coach, learner, name);
CREATE INDEX replica_coaching_site ON replica_coaching (org, learner_site, learner, name);
