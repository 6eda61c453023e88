-- Where each consumer is on each partition it consumes: the last record applied (its
-- offset and its event's time), written in the same transaction as the effects, so a
-- projection can say up to which event it is complete.
CREATE TABLE consumer_positions (
  consumer TEXT NOT NULL,
  topic TEXT NOT NULL,
  kafka_partition INTEGER NOT NULL,
  last_offset INTEGER NOT NULL,
  event_time_us INTEGER NOT NULL,
  applied_at_us INTEGER NOT NULL,
  PRIMARY KEY (consumer, topic, kafka_partition)
);
