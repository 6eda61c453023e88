#pragma once

// The outbox relay: a background thread that publishes outbox rows to Kafka in order of
// their sequence, with an idempotent producer (acks=all). A row is marked sent only
// when Kafka acknowledged it. While Kafka is unreachable, batches time out and the
// relay backs off (exponentially, up to max_backoff) and tries again: events wait in
// the outbox, never lost. Sent rows are deleted after `retention`.
// Of several replicas sharing one database, only the one holding `lease` publishes (and
// deletes): events leave in the order of the outbox, whoever wrote them; the others
// stand by and one of them takes over within a lease check once the holder is gone.
//
// Thread-safety: Start/Stop from one thread; Wake and stats from any thread.

#include <atomic>
#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "kpo/core/clock.h"
#include "kpo/events/kafka.h"
#include "kpo/storage/database.h"

namespace prometheus {
class Registry;
}

namespace kpo::events {

struct RelayOptions {
  KafkaOptions kafka;
  int batch_size = 500;
  // The producer's linger.ms: how long a record waits for others to share its request.
  // 0 sends at once (records queued while a request is in flight still batch).
  absl::Duration linger = absl::Milliseconds(5);
  // How often an idle relay looks for new rows (Wake() short-cuts it).
  absl::Duration idle_poll = absl::Milliseconds(100);
  // How long Kafka gets to acknowledge a batch before it is retried.
  absl::Duration delivery_timeout = absl::Seconds(30);
  absl::Duration min_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  absl::Duration retention = absl::Hours(24 * 7);
  absl::Duration cleanup_interval = absl::Minutes(1);
  // Label for metrics and logs.
  std::string service;
  // Held by the one replica that publishes; null = this process always does (SQLite).
  std::shared_ptr<kpo::storage::Lease> lease;
  // How long a standby waits before asking for the lease again (the lease itself
  // limits how often it really asks the database).
  absl::Duration standby_poll = absl::Milliseconds(500);
};

struct RelayStats {
  int64_t published = 0;
  int64_t failed_attempts = 0;
  bool backing_off = false;
  bool active = false;  // holds the lease and publishes
};

class OutboxRelay {
 public:
  // `db` and `clock` must outlive the relay. `registry` may be null.
  static absl::StatusOr<std::unique_ptr<OutboxRelay>> Create(kpo::storage::Database& db,
                                                             RelayOptions options,
                                                             const kpo::core::Clock& clock,
                                                             prometheus::Registry* registry);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  void Start();
  // Stops the thread without waiting for Kafka: a batch not yet acknowledged is
  // purged and stays pending in the outbox (published after the restart; consumers
  // dedupe if the broker had it). Then flushes the producer for up to `flush_timeout`.
  void Stop(absl::Duration flush_timeout = absl::Seconds(10));
  // Tells the relay new rows were committed.
  void Wake();
  RelayStats stats() const;

  class Impl;

 private:
  explicit OutboxRelay(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kpo::events
