-- People development and the KPO office (kpo.people.v1).

-- Certificates, at the holder's home site and area as the latest event carried them.
-- Days are YYYYMMDD at the holder's home site: valid from award_day until the day
-- before expire_day (0: never expires, Knowledge). renewed_day: the award day of the
-- certificate that renewed it (0 until renewed). warning_us: when its expiry warning
-- was published.
CREATE TABLE r_certificates (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  person TEXT NOT NULL,
  -- kpo.people.v1.CertificationLevel.
  level INTEGER NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  award_day INTEGER NOT NULL,
  expire_day INTEGER NOT NULL,
  renews TEXT NOT NULL,
  renewed_day INTEGER NOT NULL,
  warning_us INTEGER,
  update_us INTEGER NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_certificates_site ON r_certificates (org, site, award_day);

-- Training completions (attended and passed), at the person's home site and area.
CREATE TABLE r_trainings (
  org TEXT NOT NULL,
  -- The enrolment.
  name TEXT NOT NULL,
  person TEXT NOT NULL,
  module TEXT NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  minutes INTEGER NOT NULL,
  complete_us INTEGER NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_trainings_site ON r_trainings (org, site, complete_us);

-- Assessments, never changed; a person's level in a competency on a day is that of the
-- latest assessment dated up to that day (then by create_us).
CREATE TABLE r_assessments (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  person TEXT NOT NULL,
  competency TEXT NOT NULL,
  level INTEGER NOT NULL,
  day INTEGER NOT NULL,
  create_us INTEGER NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_assessments_person ON r_assessments (org, person, day);

-- Target profiles as they are now; targets: one "competency=level" per line.
CREATE TABLE r_target_profiles (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  role INTEGER NOT NULL,
  kpo_level INTEGER NOT NULL,
  active INTEGER NOT NULL,
  targets TEXT NOT NULL,
  PRIMARY KEY (org, name)
);

-- Competencies an organization changed (the shipped catalogue is active until retired).
CREATE TABLE r_competencies (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  active INTEGER NOT NULL,
  PRIMARY KEY (org, name)
);

-- KPO memberships, at the person's home site as the latest event carried it. Days are
-- YYYYMMDD; end_day 0 when open-ended; cost in the currency's minor units per month.
CREATE TABLE r_kpo_members (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  person TEXT NOT NULL,
  site TEXT NOT NULL,
  level INTEGER NOT NULL,
  kaizen_pool INTEGER NOT NULL,
  time_share INTEGER NOT NULL,
  start_day INTEGER NOT NULL,
  end_day INTEGER NOT NULL,
  currency TEXT NOT NULL,
  cost_minor INTEGER NOT NULL,
  deactivate_us INTEGER,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_kpo_members_site ON r_kpo_members (org, site);
CREATE INDEX r_kpo_members_person ON r_kpo_members (org, person);
