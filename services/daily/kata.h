#pragma once

// Improvement kata storyboards and their PDCA experiments, the application layer. A
// storyboard is owned by its learner; the learner and the coach (or an org_admin, or a
// service) write it and its experiments. Learner, coach, site, area and strategic
// objective are checked against the directory replica. Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/errors.h"
#include "kpo/core/pagination.h"
#include "kpo/daily/v1/daily_service.pb.h"
#include "kpo/storage/database.h"

namespace kpo::daily {

class Storyboards {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  Storyboards(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
              kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::Storyboard> CreateStoryboard(const Principal& p,
                                                  const v1::CreateStoryboardRequest& r) const;
  absl::StatusOr<v1::Storyboard> GetStoryboard(const Principal& p,
                                               const v1::GetStoryboardRequest& r) const;
  absl::StatusOr<v1::ListStoryboardsResponse> ListStoryboards(
      const Principal& p, const v1::ListStoryboardsRequest& r) const;
  absl::StatusOr<v1::Storyboard> UpdateStoryboard(const Principal& p,
                                                  const v1::UpdateStoryboardRequest& r) const;
  absl::StatusOr<v1::Storyboard> CloseStoryboard(const Principal& p,
                                                 const v1::CloseStoryboardRequest& r) const;

  absl::StatusOr<v1::Experiment> CreateExperiment(const Principal& p,
                                                  const v1::CreateExperimentRequest& r) const;
  absl::StatusOr<v1::Experiment> GetExperiment(const Principal& p,
                                               const v1::GetExperimentRequest& r) const;
  absl::StatusOr<v1::ListExperimentsResponse> ListExperiments(
      const Principal& p, const v1::ListExperimentsRequest& r) const;
  absl::StatusOr<v1::Experiment> UpdateExperiment(const Principal& p,
                                                  const v1::UpdateExperimentRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

// The caller may write the storyboard (and record on it): its learner, its coach, an
// org_admin or a service; also `also` when set (the second coach of a cycle).
// PERMISSION_DENIED with reason NOT_LEARNER_OR_COACH otherwise.
absl::Status CheckLearnerOrCoach(const kpo::auth::Principal& p, const v1::Storyboard& s,
                                 const std::string& also = "");

// FAILED_PRECONDITION with reason STORYBOARD_CLOSED unless the storyboard is ACTIVE.
absl::Status CheckActive(const v1::Storyboard& s, absl::string_view what);

}  // namespace kpo::daily
