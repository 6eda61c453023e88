-- People development, the competency model. A built-in competency (the shipped
-- catalogue) has no row until the organization changes it; rows of the
-- organization's own competencies and of its changes to built-in ones.
CREATE TABLE competencies (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  active INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);

-- What each role is expected to master; at most one active profile per role.
CREATE TABLE target_profiles (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  role INTEGER NOT NULL,
  active INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX target_profiles_role ON target_profiles (org, role, active, name);

-- Every assessment ever recorded (never changed), listed by day: everyone's, a
-- person's, a competency's or an assessor's.
CREATE TABLE assessments (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  person TEXT NOT NULL,
  competency TEXT NOT NULL,
  assessor TEXT NOT NULL,
  day INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX assessments_person ON assessments (org, person, day, name);
CREATE INDEX assessments_day ON assessments (org, day, name);
CREATE INDEX assessments_competency ON assessments (org, competency, day, name);
CREATE INDEX assessments_assessor ON assessments (org, assessor, day, name);

-- The latest assessment of each person in each competency (by day, then by when it
-- was recorded): what profiles and skills matrices read.
CREATE TABLE competency_levels (
  org TEXT NOT NULL,
  person TEXT NOT NULL,
  competency TEXT NOT NULL,
  level INTEGER NOT NULL,
  assessment TEXT NOT NULL,
  day INTEGER NOT NULL,
  PRIMARY KEY (org, person, competency)
);
