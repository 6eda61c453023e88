#pragma once

// Coaching cycles on improvement kata storyboards and every learner's coaching cadence,
// the application layer. A cycle needs the coach to coach the learner in an active
// coaching relationship of the directory replica (published by the people service).
// Days are civil days of the site: the storyboard's for a cycle's date, the learner's
// home site for cadence. Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/daily/v1/daily_service.pb.h"

namespace kpo::daily {

class Coaching {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  Coaching(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
           kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::CoachingCycle> CreateCoachingCycle(
      const Principal& p, const v1::CreateCoachingCycleRequest& r) const;
  absl::StatusOr<v1::CoachingCycle> GetCoachingCycle(const Principal& p,
                                                     const v1::GetCoachingCycleRequest& r) const;
  absl::StatusOr<v1::ListCoachingCyclesResponse> ListCoachingCycles(
      const Principal& p, const v1::ListCoachingCyclesRequest& r) const;
  absl::StatusOr<v1::ListLearnerCadencesResponse> ListLearnerCadences(
      const Principal& p, const v1::ListLearnerCadencesRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

}  // namespace kpo::daily
