#pragma once

// Background retention: a thread that, every `interval`, deletes what is older than
// each job's window — request_id records, inbox rows — in batches of `batch` rows, one
// short write transaction per batch, so a sweep never holds the writer for long.
// A job whose batch fails is logged and retried at the next interval.
//
// Thread-safety: Start and Stop from one thread.

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "kpo/core/clock.h"

namespace kpo::runtime {

struct RetentionJob {
  std::string name;  // for logs, e.g. "idempotency"
  absl::Duration window;
  // Deletes up to `limit` rows older than `before`; returns how many.
  std::function<absl::StatusOr<int64_t>(absl::Time before, int limit)> sweep;
};

struct RetentionOptions {
  absl::Duration interval = absl::Minutes(1);
  int batch = 500;
  // Sweeps run only while this says so (the replica holding the service's lease); null
  // = always.
  std::function<bool()> active;
};

class RetentionSweeper {
 public:
  RetentionSweeper(std::vector<RetentionJob> jobs, RetentionOptions options,
                   const kpo::core::Clock& clock)
      : jobs_(std::move(jobs)), options_(options), clock_(clock) {}
  ~RetentionSweeper() { Stop(); }
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  void Start();
  void Stop();
  // One pass over every job (the thread's body; callable directly in tests). Returns
  // the rows deleted.
  int64_t SweepOnce();

 private:
  std::vector<RetentionJob> jobs_;
  RetentionOptions options_;
  const kpo::core::Clock& clock_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace kpo::runtime
