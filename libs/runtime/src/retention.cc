#include "kpo/runtime/retention.h"

#include "kpo/core/log.h"

namespace kpo::runtime {

int64_t RetentionSweeper::SweepOnce() {
  int64_t total = 0;
  for (const RetentionJob& job : jobs_) {
    const absl::Time before = clock_.Now() - job.window;
    int64_t deleted = 0;
    while (!stop_.HasBeenNotified()) {
      auto n = job.sweep(before, options_.batch);
      if (!n.ok()) {
        kpo::log::Warn("retention sweep failed; retried at the next interval",
                       {{"job", job.name}, {"error", n.status().ToString()}});
        break;
      }
      deleted += *n;
      if (*n < options_.batch) break;
    }
    if (deleted > 0) {
      kpo::log::Info("retention sweep", {{"job", job.name}, {"deleted", std::to_string(deleted)}});
    }
    total += deleted;
  }
  return total;
}

void RetentionSweeper::Start() {
  thread_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(options_.interval)) {
      if (!options_.active || options_.active()) SweepOnce();
    }
  });
}

void RetentionSweeper::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

}  // namespace kpo::runtime
