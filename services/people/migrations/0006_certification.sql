-- Certification: each organization's requirements per portfolio level (rows only once
-- changed from the shipped defaults), certificates, and applications.
CREATE TABLE certification_requirements (
  org TEXT NOT NULL,
  level INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, level)
);
-- day: the award day (YYYYMMDD); expire_day: 0 when it never expires; due_day: the next
-- day the time-driven work has something to publish for it (its warning, then its
-- expiry), 0 when nothing (expired, renewed, or never expires).
CREATE TABLE certificates (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  person TEXT NOT NULL,
  level INTEGER NOT NULL,
  state INTEGER NOT NULL,
  day INTEGER NOT NULL,
  expire_day INTEGER NOT NULL,
  due_day INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX certificates_person ON certificates (org, person, day, name);
CREATE INDEX certificates_day ON certificates (org, day, name);
CREATE INDEX certificates_level ON certificates (org, level, day, name);
CREATE INDEX certificates_state ON certificates (org, state, day, name);
CREATE INDEX certificates_due ON certificates (due_day, org, name) WHERE due_day > 0;
-- created: microseconds since the epoch, the listing order.
CREATE TABLE certification_applications (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  person TEXT NOT NULL,
  level INTEGER NOT NULL,
  state INTEGER NOT NULL,
  created INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX certification_applications_person ON certification_applications (org, person, created, name);
CREATE INDEX certification_applications_created ON certification_applications (org, created, name);
CREATE INDEX certification_applications_state ON certification_applications (org, state, created, name);
CREATE INDEX certification_applications_level ON certification_applications (org, level, created, name);
CREATE INDEX certification_applications_open ON certification_applications (org, person, level, state);
