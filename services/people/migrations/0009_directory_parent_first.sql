-- The children index leads with the parent: (org, parent, kind, name) instead of
-- (org, kind, parent, name). Both serve "the sites of an organization, the areas of a
-- site" in name order, but the old one shared its first two columns with the primary key
-- (org, kind, name), and PostgreSQL's generic plan for a lookup by name, costing the two
-- alike, took it and walked every person of the organization (measured: 1.5 ms instead
-- of 0.02 ms at 16,000 people).
DROP INDEX directory_parent;
CREATE INDEX directory_parent ON directory (org, parent, kind, name);
