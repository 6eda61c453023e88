-- Kaizen circles: small standing teams at an area. Lists are ordered by name.
CREATE TABLE circles (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  active INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX circles_site ON circles (org, site, name);
CREATE INDEX circles_area ON circles (org, area, name);

-- Who belongs to which circle (the members of the circle's current version).
CREATE TABLE circle_members (
  org TEXT NOT NULL,
  person TEXT NOT NULL,
  circle TEXT NOT NULL,
  PRIMARY KEY (org, person, circle)
);
CREATE INDEX circle_members_circle ON circle_members (org, circle);

-- The circle that owns an idea ('' when none), and a circle's ideas in submission order.
ALTER TABLE ideas ADD COLUMN circle TEXT NOT NULL DEFAULT '';
CREATE INDEX ideas_circle ON ideas (org, circle, submit_us, name);
