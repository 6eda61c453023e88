-- Responses of mutations that carried a request_id, so a retry gets the first answer
-- and changes nothing. (IF NOT EXISTS: the people service created the same table in
-- its own first migration before this library existed.)
CREATE TABLE IF NOT EXISTS idempotency (
  org TEXT NOT NULL,
  request_id TEXT NOT NULL,
  method TEXT NOT NULL,
  response BLOB NOT NULL,
  created_us INTEGER NOT NULL,
  PRIMARY KEY (org, request_id)
);
