-- ReadPositionsDigest (how many positions a consumer has and the sum of their offsets)
-- from this index alone: an answer's freshness is checked by one short index walk
-- instead of reading every partition's row.
CREATE INDEX consumer_positions_offsets ON consumer_positions (consumer, last_offset);
