-- Lists are read in (sort key, name) order, a page at a time. Each filter a list
-- accepts gets an index that yields its rows in that order, so a page is one range
-- read after the previous page's last row, never a sort of every match (checked by
-- tests/services/kaizen/query_plan_test.cc).
CREATE INDEX kaizen_events_order ON kaizen_events (org, planned_start, name);
DROP INDEX kaizen_events_site;
CREATE INDEX kaizen_events_site ON kaizen_events (org, site, planned_start, name);
DROP INDEX kaizen_events_state;
CREATE INDEX kaizen_events_state ON kaizen_events (org, state, planned_start, name);

CREATE INDEX action_items_order ON action_items (org, due, name);
DROP INDEX action_items_due;
CREATE INDEX action_items_due ON action_items (org, status, due, name);
DROP INDEX action_items_event;
CREATE INDEX action_items_event ON action_items (org, event, due, name);

CREATE INDEX audits_order ON audits (org, due, name);
DROP INDEX audits_due;
CREATE INDEX audits_due ON audits (org, state, due, name);
-- audits_event (org, event, offset_days) serves an event's audits in offset order.
CREATE INDEX audits_event_due ON audits (org, event, due, name);

-- One index per list filter, in list order. Filters combined in one request walk the
-- index of one of them and check the others row by row.
CREATE INDEX kaizen_events_area ON kaizen_events (org, area, planned_start, name);
CREATE INDEX kaizen_events_type ON kaizen_events (org, event_type, planned_start, name);
CREATE INDEX kaizen_events_facilitator ON kaizen_events (org, facilitator_kind, planned_start, name);
CREATE INDEX kaizen_events_objective ON kaizen_events (org, strategic_objective, planned_start, name);
CREATE INDEX action_items_owner ON action_items (org, owner, due, name);
CREATE INDEX action_items_site ON action_items (org, site, due, name);
CREATE INDEX audits_site ON audits (org, site, due, name);
-- An event's audits in one state, in offset order.
DROP INDEX audits_event;
CREATE INDEX audits_event ON audits (org, event, state, offset_days);
