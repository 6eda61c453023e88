-- What a cached answer was computed from: a version per site for the rows counted at
-- that site, and one per organization (scope '') for what every site's figures read
-- (the sites' time zones, strategic objectives, target profiles, competencies, coaching
-- relationships). The projection bumps them in the transaction that changes the rows,
-- so a cache key made of them changes exactly when an answer may change.
CREATE TABLE r_versions (
  org TEXT NOT NULL,
  scope TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (org, scope)
);
