#include "kpo/runtime/periodic.h"

#include <algorithm>

#include "kpo/core/log.h"

namespace kpo::runtime {

void PeriodicJobs::Start() {
  if (jobs_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::vector<absl::Time> next;
    const absl::Time start = absl::Now();
    for (const PeriodicJob& job : jobs_) next.push_back(start + job.interval);
    for (;;) {
      const absl::Time wake = *std::min_element(next.begin(), next.end());
      if (stop_.WaitForNotificationWithTimeout(
              std::max(wake - absl::Now(), absl::ZeroDuration()))) {
        return;
      }
      const absl::Time now = absl::Now();
      for (size_t i = 0; i < jobs_.size() && !stop_.HasBeenNotified(); ++i) {
        if (next[i] > now) continue;
        if (active_ && !active_()) {
          next[i] = std::max(next[i] + jobs_[i].interval, now);
          continue;
        }
        if (absl::Status s = jobs_[i].run(); !s.ok()) {
          kpo::log::Warn("periodic job failed; run again at its next turn",
                         {{"job", jobs_[i].name}, {"error", s.ToString()}});
        }
        next[i] = std::max(next[i] + jobs_[i].interval, now);
      }
    }
  });
}

void PeriodicJobs::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

}  // namespace kpo::runtime
