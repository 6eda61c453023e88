-- Kaizen events: the full protobuf plus the columns lists filter and order on.
CREATE TABLE kaizen_events (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  site TEXT NOT NULL,
  area TEXT NOT NULL,
  state INTEGER NOT NULL,
  event_type INTEGER NOT NULL,
  facilitator_kind INTEGER NOT NULL,
  strategic_objective TEXT NOT NULL,
  planned_start INTEGER NOT NULL,  -- YYYYMMDD, 0 when not planned yet
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  create_us INTEGER NOT NULL,
  update_us INTEGER NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX kaizen_events_site ON kaizen_events (org, site, planned_start);
CREATE INDEX kaizen_events_state ON kaizen_events (org, state);

-- The kaizen newspaper.
CREATE TABLE action_items (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  event TEXT NOT NULL,
  site TEXT NOT NULL,
  owner TEXT NOT NULL,
  due INTEGER NOT NULL,  -- YYYYMMDD
  status INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX action_items_due ON action_items (org, status, due);
CREATE INDEX action_items_event ON action_items (org, event);

-- Sustainment audits.
CREATE TABLE audits (
  org TEXT NOT NULL,
  name TEXT NOT NULL,
  event TEXT NOT NULL,
  site TEXT NOT NULL,
  due INTEGER NOT NULL,  -- YYYYMMDD
  state INTEGER NOT NULL,
  offset_days INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (org, name)
);
CREATE INDEX audits_due ON audits (org, state, due);
CREATE INDEX audits_event ON audits (org, event, offset_days);

CREATE TABLE kaizen_settings (
  org TEXT NOT NULL PRIMARY KEY,
  revision INTEGER NOT NULL,
  data BLOB NOT NULL
);

