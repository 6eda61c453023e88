-- Transactional outbox: rows written in the same transaction as the business change.
-- sent_at NULL = waiting for the relay. Sent rows are kept for the retention window so
-- an operator can republish them.
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  organization TEXT NOT NULL,
  topic TEXT NOT NULL,
  event_key TEXT NOT NULL,
  event_type TEXT NOT NULL,
  envelope BLOB NOT NULL,
  created_at_us INTEGER NOT NULL,
  sent_at_us INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (sent_at_us, seq);
CREATE INDEX outbox_org_sent ON outbox (organization, sent_at_us);

-- Inbox: the events a consumer has applied, recorded in the same transaction as the
-- effect, so a redelivered event changes nothing.
CREATE TABLE inbox (
  consumer TEXT NOT NULL,
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  organization TEXT NOT NULL,
  processed_at_us INTEGER NOT NULL,
  PRIMARY KEY (consumer, source, event_id)
);
CREATE INDEX inbox_org ON inbox (organization);
