-- PostgreSQL twin of 0005_outbox_unsent.sql: the same indexes, and the outbox vacuumed
-- far more often than the default (a fifth of the table dead): every row is inserted
-- and then updated once when sent, so the table churns at the write rate, and a poll
-- that meets dead rows pays for each.
DROP INDEX outbox_pending;
CREATE INDEX outbox_unsent ON outbox (seq) WHERE sent_at_us IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_at_us) WHERE sent_at_us IS NOT NULL;
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);
