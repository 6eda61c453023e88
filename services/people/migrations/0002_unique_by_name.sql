-- Replacing a resource's unique values deletes them by (org, kind, name): without this
-- index every create scanned the organization's unique values (every employee id), so
-- a write cost grew with the organization (checked by
-- tests/services/people/query_plan_test.cc).
CREATE INDEX directory_unique_name ON directory_unique (org, kind, name);
