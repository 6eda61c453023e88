-- The relay reads the oldest unsent rows, ORDER BY seq: an index of those rows alone,
-- in seq order, which a row leaves once sent. Retention deletes sent rows by age: an
-- index of those rows alone. They replace outbox_pending (sent_at_us, seq), whose
-- unsent range on PostgreSQL still listed every row sent since the last vacuum (an
-- update there leaves the old entry behind), so that each poll visited thousands of
-- dead rows.
DROP INDEX outbox_pending;
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at_us IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_at_us) WHERE sent_at_us IS NOT NULL;
