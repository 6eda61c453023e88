-- Coaching cycles (kpo.daily.v1 CoachingCycleRecorded): immutable, one row each, on the
-- civil day of the storyboard's site.
CREATE TABLE r_coaching_cycles (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  learner TEXT NOT NULL,
  coach TEXT NOT NULL,
  second_coach TEXT NOT NULL,
  -- kpo.daily.v1.CoachKind.
  coach_kind INTEGER NOT NULL,
  -- YYYYMMDD at the site.
  day INTEGER NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_coaching_cycles_day ON r_coaching_cycles (org, site, day);
-- A learner's latest cycle, wherever it was held.
CREATE INDEX r_coaching_cycles_learner ON r_coaching_cycles (org, learner, day);
