-- A fingerprint of the first request, so a request_id reused with a different request
-- is refused (REQUEST_ID_REUSED) instead of silently answered with the first result.
-- Rows written before this migration have an empty fingerprint and are not compared.
ALTER TABLE idempotency ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
-- The retention sweep deletes the oldest records first.
CREATE INDEX idempotency_created ON idempotency (created_us);
