-- The retention sweep deletes the oldest inbox rows first.
CREATE INDEX inbox_processed ON inbox (processed_at_us);
