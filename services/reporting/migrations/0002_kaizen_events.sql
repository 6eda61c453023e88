-- Kaizen events (kpo.kaizen.v1): the latest state of each event, and each lifecycle
-- transition (proposed, chartered, started, completed, follow-up, sustained, backslid,
-- closed, cancelled) with its revision and the instant its event was committed, so the
-- state an event was in at any instant is known whatever order the events arrive in.
CREATE TABLE r_kaizen_events (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  objective TEXT NOT NULL,
  state INTEGER NOT NULL,
  -- kpo.kaizen.v1.FacilitatorKind (0 until chartered).
  facilitator_kind INTEGER NOT NULL,
  create_us INTEGER NOT NULL,
  -- The completion date at the site, YYYYMMDD; 0 until completed.
  completion_day INTEGER NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_kaizen_events_created ON r_kaizen_events (org, site, create_us);
CREATE INDEX r_kaizen_events_completed ON r_kaizen_events (org, site, completion_day);
-- The events of an area (outcomes and action items are kept per event).
CREATE INDEX r_kaizen_events_area ON r_kaizen_events (org, area);

CREATE TABLE r_kaizen_transitions (
  org TEXT NOT NULL,
  event TEXT NOT NULL,
  revision INTEGER NOT NULL,
  state INTEGER NOT NULL,
  at_us INTEGER NOT NULL,
  site TEXT NOT NULL,
  PRIMARY KEY (org, event, revision)
);
-- Outcomes (sustained, backslid) at a site in a window.
CREATE INDEX r_kaizen_transitions_state ON r_kaizen_transitions (org, site, state, at_us);

-- Action items (the kaizen newspaper): due date at the site, status, and when first seen
-- done (the commit time of the earliest revision that was DONE).
CREATE TABLE r_action_items (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  event TEXT NOT NULL,
  site TEXT NOT NULL,
  due_day INTEGER NOT NULL,
  status INTEGER NOT NULL,
  done_us INTEGER,
  PRIMARY KEY (org, name)
);
CREATE INDEX r_action_items_due ON r_action_items (org, site, due_day);
