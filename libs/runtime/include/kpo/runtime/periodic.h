#pragma once

// Time-driven work of a service (expiry warnings, expiries, ...): one background thread
// that runs each job every `interval`, the first time one interval after Start. A job
// that fails is logged and run again at its next turn; a job's work must therefore be
// safe to repeat (check-and-write in one transaction).
//
// Thread-safety: Add before Start; Start and Stop from one thread.

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace kpo::runtime {

struct PeriodicJob {
  std::string name;  // for logs, e.g. "certificate-expiry"
  absl::Duration interval;
  std::function<absl::Status()> run;
};

class PeriodicJobs {
 public:
  PeriodicJobs() = default;
  ~PeriodicJobs() { Stop(); }
  PeriodicJobs(const PeriodicJobs&) = delete;
  PeriodicJobs& operator=(const PeriodicJobs&) = delete;

  void Add(PeriodicJob job) { jobs_.push_back(std::move(job)); }
  // Jobs run only while `active` says so (the replica holding the service's lease: work
  // done once per service, not once per replica); a turn skipped waits for the next.
  void OnlyWhile(std::function<bool()> active) { active_ = std::move(active); }
  bool empty() const { return jobs_.empty(); }
  void Start();
  // Waits for a running job to finish.
  void Stop();

 private:
  std::vector<PeriodicJob> jobs_;
  std::function<bool()> active_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace kpo::runtime
