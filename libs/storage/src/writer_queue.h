#pragma once

// Group commit's queue, shared by both drivers (decision 0009), after LevelDB's writer
// queue (DBImpl::Write): Write calls queue up; the first leads — it runs, on its own
// thread, the callbacks of the writers queued behind it in one transaction, commits once,
// and tells each its own outcome — and hands the lead to the oldest writer still
// queued. What a group's transaction is, each driver decides; this is only the queue.

#include <deque>
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "kpo/core/trace.h"
#include "kpo/storage/database.h"

namespace kpo::storage::internal {

// One Write call from the moment it queues until its group's outcome is known.
struct QueuedWriter {
  explicit QueuedWriter(absl::FunctionRef<absl::Status(Transaction&)> f)
      : fn(f), trace(kpo::core::CurrentTrace()) {}

  // Its caller's side once the queue let it go (done, or led its group): runs its commit
  // hooks if it was told OK, and returns what it was told.
  absl::Status Complete() {
    if (result.ok()) {
      for (auto& hook : hooks) hook();
    }
    return result;
  }

  absl::FunctionRef<absl::Status(Transaction&)> fn;
  // The caller's trace: its callback may run on the leader's thread, and what it logs or
  // publishes must carry the caller's trace, not the leader's.
  const kpo::core::TraceContext& trace;
  absl::Status own;     // what its callback returned (in its group's last attempt)
  absl::Status result;  // what the caller is told
  std::vector<std::function<void()>> hooks;
  bool done = false;  // set, under the queue's lock, by the leader that ran it
  bool lead = false;  // it leads the next group
};

class WriterQueue {
 public:
  // Queues `w` and returns once a leader has run it (w.done) or it is to lead.
  void Enter(QueuedWriter& w) {
    absl::MutexLock lock(&mu_);
    pending_.push_back(&w);
    if (!leading_) {
      leading_ = true;
      w.lead = true;
      return;
    }
    mu_.Await(absl::Condition(
        +[](QueuedWriter* q) { return q->done || q->lead; }, &w));
  }

  // The leader: the oldest queued writer (the leader itself first), or nullptr.
  // `last`, if given, says whether no other writer is queued behind it.
  QueuedWriter* Take(bool* last = nullptr) {
    absl::MutexLock lock(&mu_);
    if (pending_.empty()) return nullptr;
    QueuedWriter* w = pending_.front();
    pending_.pop_front();
    if (last != nullptr) *last = pending_.empty();
    return w;
  }

  // The leader is through with `group`: each is done (and its caller wakes), and the
  // oldest writer still queued leads next — or nobody, until the next Enter.
  void Finish(const std::vector<QueuedWriter*>& group) {
    absl::MutexLock lock(&mu_);
    for (QueuedWriter* w : group) w->done = true;
    if (pending_.empty()) {
      leading_ = false;
    } else {
      pending_.front()->lead = true;
    }
  }

  // Leads with no writer of its own (migrations): waits until no group is being led and
  // keeps new writers queued until Finish({}).
  void LeadAlone() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](bool* leading) { return !*leading; }, &leading_));
    leading_ = true;
  }

 private:
  absl::Mutex mu_;
  bool leading_ ABSL_GUARDED_BY(mu_) = false;               // a group (or a migration) is being led
  std::deque<QueuedWriter*> pending_ ABSL_GUARDED_BY(mu_);  // oldest first
};

}  // namespace kpo::storage::internal
