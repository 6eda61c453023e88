-- Improvement kata storyboards. The counters (experiments, coaching cycles, the last
-- cycle's date as YYYYMMDD) are kept beside the resource, outside its revision: a
-- coaching cycle does not make the learner's open edit stale.
CREATE TABLE storyboards (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  learner TEXT NOT NULL,
  coach TEXT NOT NULL,
  site TEXT NOT NULL,
  state INTEGER NOT NULL,
  strategic_objective TEXT NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  next_obstacle INTEGER NOT NULL,
  experiment_count INTEGER NOT NULL DEFAULT 0,
  cycle_count INTEGER NOT NULL DEFAULT 0,
  last_cycle_day INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org, name)
);
CREATE INDEX storyboards_learner ON storyboards (org, learner, name);
CREATE INDEX storyboards_coach ON storyboards (org, coach, name);
CREATE INDEX storyboards_site ON storyboards (org, site, name);
CREATE INDEX storyboards_objective ON storyboards (org, strategic_objective, name);
CREATE INDEX storyboards_state ON storyboards (org, state, name);

-- PDCA experiments of a storyboard, listed by date (YYYYMMDD) then name.
CREATE TABLE experiments (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  storyboard TEXT NOT NULL,
  day INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX experiments_storyboard ON experiments (org, storyboard, day, name);

-- Coaching cycles (immutable records), by date (YYYYMMDD) then name.
CREATE TABLE coaching_cycles (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  storyboard TEXT NOT NULL,
  learner TEXT NOT NULL,
  coach TEXT NOT NULL,
  site TEXT NOT NULL,
  day INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX coaching_cycles_storyboard ON coaching_cycles (org, storyboard, day, name);
CREATE INDEX coaching_cycles_learner ON coaching_cycles (org, learner, day, name);
CREATE INDEX coaching_cycles_pair ON coaching_cycles (org, learner, coach, day);
CREATE INDEX coaching_cycles_coach ON coaching_cycles (org, coach, day, name);
CREATE INDEX coaching_cycles_site ON coaching_cycles (org, site, day, name);
CREATE INDEX coaching_cycles_day ON coaching_cycles (org, day, name);
