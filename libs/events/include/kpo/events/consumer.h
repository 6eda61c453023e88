#pragma once

// Consuming events: a Kafka consumer-group member on its own thread. For each record it
// decodes the envelope, runs the handler registered for the event type inside a
// Database::Write transaction together with an inbox insert keyed by
// (consumer, ce_source, ce_id), and only then stores the offset for commit. A
// redelivered event finds its inbox row and changes nothing. Records already fetched
// are applied in batches (up to max_batch per transaction, in order): a burst costs one
// sync per batch; if a handler fails, the batch rolls back and its records are handled
// one by one. A handler that keeps
// failing (max_attempts) or a record that cannot be decoded is copied to the dead-letter
// topic with the reason in headers, and consumption goes on. Event types without a
// handler are skipped (consumers ignore what they do not need).
// Offsets are committed every commit_interval, before a rebalance and on Stop.
//
// Thread-safety: register handlers, then Start; Stop from the same thread. Handlers run
// on the consumer thread, one record at a time (several may share a transaction).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/core/clock.h"
#include "kpo/events/kafka.h"
#include "kpo/storage/database.h"

namespace prometheus {
class Registry;
}

namespace kpo::events {

struct ConsumerOptions {
  KafkaOptions kafka;
  std::string group_id;
  std::vector<std::string> topics;
  // Inbox key; defaults to group_id.
  std::string consumer_name;
  // Where records go that cannot be processed, e.g. "kpo.dlt.kaizen".
  std::string dead_letter_topic;
  int max_attempts = 5;
  // Most records applied in one transaction.
  int max_batch = 256;
  // The consumer's fetch.wait.max.ms; zero keeps librdkafka's default (500 ms), right for
  // real Kafka, which answers a waiting fetch as soon as data arrives. The local
  // mock-cluster broker holds an empty fetch for the whole wait, so the local stack and
  // tests set a short one (docs: LOCAL-KAFKA).
  absl::Duration fetch_wait_max = absl::ZeroDuration();
  absl::Duration retry_backoff = absl::Milliseconds(100);
  absl::Duration commit_interval = absl::Seconds(1);
  // Kafka session.timeout.ms. The local mock-cluster broker waits this long (minus one
  // second) after a member leaves before it re-forms the group, so the local stack and
  // tests use a short one; against real Kafka the default is right.
  absl::Duration session_timeout = absl::Seconds(45);
  // How long Stop waits for the final offset commit and for leaving the group. When
  // the broker is unreachable Stop gives up after this instead of waiting out request
  // or session timeouts; offsets not committed only mean a redelivery after restart,
  // which the inbox makes harmless.
  absl::Duration close_timeout = absl::Seconds(3);
  // Label for metrics and logs.
  std::string service;
};

// Decodes a record's value as the consumer does: a kpo.common.v1.EventEnvelope with an
// id, a source and a type; INVALID_ARGUMENT otherwise (the record is dead-lettered).
absl::StatusOr<kpo::common::v1::EventEnvelope> DecodeEnvelope(const void* data, size_t size);

// The handler's effect and the inbox row share `tx`; returning an error rolls both back.
using EventHandler = std::function<absl::Status(kpo::storage::Transaction& tx,
                                                const kpo::common::v1::EventEnvelope& event)>;

// A consumer's position on one partition: the last record it applied (in the same
// transaction as the record's effects; records it skips or dead-letters move it with the
// next record applied), and that record's event time.
struct ConsumerPosition {
  std::string topic;
  int32_t partition = 0;
  int64_t last_offset = 0;
  absl::Time event_time;
  absl::Time applied_time;
};

// The positions of consumer `consumer_name`, by topic and partition.
absl::StatusOr<std::vector<ConsumerPosition>> ReadPositions(kpo::storage::Transaction& tx,
                                                            const std::string& consumer_name);

// What tells a consumer's positions apart cheaply: how many there are and the sum of
// their offsets. A position only ever moves forward, so two reads with the same digest
// read the same positions; SQLite computes it without returning the rows.
struct PositionsDigest {
  int64_t count = 0;
  int64_t offsets = 0;
  bool operator==(const PositionsDigest& o) const {
    return count == o.count && offsets == o.offsets;
  }
};
absl::StatusOr<PositionsDigest> ReadPositionsDigest(kpo::storage::Transaction& tx,
                                                    const std::string& consumer_name);

struct ConsumerStats {
  int64_t processed = 0;
  int64_t duplicates = 0;
  int64_t skipped = 0;
  int64_t dead_lettered = 0;
  int64_t lag = 0;
};

class Consumer {
 public:
  // `db` and `clock` must outlive the consumer; `registry` may be null.
  Consumer(kpo::storage::Database& db, ConsumerOptions options, const kpo::core::Clock& clock,
           prometheus::Registry* registry);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // `type` is the full protobuf name of the event, e.g. "kpo.people.v1.PersonCreated".
  void On(const std::string& type, EventHandler handler);

  // Runs `hook` in every transaction that applied events, after the last handler of the
  // transaction and before its positions are recorded; an error rolls the transaction
  // back as a handler's does. For work a handler would otherwise repeat per event (e.g.
  // bumping a version once per batch instead of once per event). Register before Start.
  void BeforeCommit(std::function<absl::Status(kpo::storage::Transaction& tx)> hook);

  absl::Status Start();
  // Stops polling, commits the offsets of everything processed, leaves the group;
  // bounded by close_timeout (about twice it at most).
  void Stop();
  ConsumerStats stats() const;
  // For each assigned partition, the offset of the next record to consume (every record
  // before it handled: applied, skipped or dead-lettered, or gone from the broker), as of
  // the last lag check (about once a second).
  std::map<std::pair<std::string, int32_t>, int64_t> ConsumedOffsets() const;
  // Its inbox key and the key of its positions (ConsumerOptions::consumer_name).
  const std::string& name() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kpo::events
