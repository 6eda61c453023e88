#pragma once

// A circuit breaker: after `failure_threshold` consecutive failures it opens and
// refuses calls for `open_duration`; then it lets one trial call through (half-open)
// and closes on its success or opens again on its failure. Thread-safe.

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kpo/core/clock.h"

namespace kpo::cache {

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  CircuitBreaker(int failure_threshold, absl::Duration open_duration, const kpo::core::Clock& clock)
      : threshold_(failure_threshold), open_duration_(open_duration), clock_(clock) {}

  // Whether a call may be attempted now. In half-open state only one caller gets true
  // until it reports its outcome.
  bool Allow();
  void RecordSuccess();
  void RecordFailure();
  State state() const;

 private:
  const int threshold_;
  const absl::Duration open_duration_;
  const kpo::core::Clock& clock_;
  mutable absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kClosed;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time opened_at_ ABSL_GUARDED_BY(mu_);
  bool trial_in_flight_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kpo::cache
