#pragma once

// The curriculum, application layer: training modules and the competencies they build,
// learning paths per role, sessions with a trainer, place and capacity, enrolments with
// a waiting list, and attendance and completion with a score. Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/people/v1/development_service.pb.h"

namespace kpo::people {

class Curriculum {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  Curriculum(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
             kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::TrainingModule> CreateTrainingModule(
      const Principal& p, const v1::CreateTrainingModuleRequest& r) const;
  absl::StatusOr<v1::TrainingModule> GetTrainingModule(const Principal& p,
                                                       const v1::GetTrainingModuleRequest& r) const;
  absl::StatusOr<v1::ListTrainingModulesResponse> ListTrainingModules(
      const Principal& p, const v1::ListTrainingModulesRequest& r) const;
  absl::StatusOr<v1::TrainingModule> UpdateTrainingModule(
      const Principal& p, const v1::UpdateTrainingModuleRequest& r) const;
  absl::StatusOr<v1::TrainingModule> DeactivateTrainingModule(
      const Principal& p, const v1::DeactivateTrainingModuleRequest& r) const;

  absl::StatusOr<v1::LearningPath> CreateLearningPath(const Principal& p,
                                                      const v1::CreateLearningPathRequest& r) const;
  absl::StatusOr<v1::LearningPath> GetLearningPath(const Principal& p,
                                                   const v1::GetLearningPathRequest& r) const;
  absl::StatusOr<v1::ListLearningPathsResponse> ListLearningPaths(
      const Principal& p, const v1::ListLearningPathsRequest& r) const;
  absl::StatusOr<v1::LearningPath> UpdateLearningPath(const Principal& p,
                                                      const v1::UpdateLearningPathRequest& r) const;
  absl::StatusOr<v1::LearningPath> DeactivateLearningPath(
      const Principal& p, const v1::DeactivateLearningPathRequest& r) const;

  absl::StatusOr<v1::TrainingSession> CreateTrainingSession(
      const Principal& p, const v1::CreateTrainingSessionRequest& r) const;
  absl::StatusOr<v1::TrainingSession> GetTrainingSession(
      const Principal& p, const v1::GetTrainingSessionRequest& r) const;
  absl::StatusOr<v1::ListTrainingSessionsResponse> ListTrainingSessions(
      const Principal& p, const v1::ListTrainingSessionsRequest& r) const;
  absl::StatusOr<v1::TrainingSession> UpdateTrainingSession(
      const Principal& p, const v1::UpdateTrainingSessionRequest& r) const;
  absl::StatusOr<v1::TrainingSession> CancelTrainingSession(
      const Principal& p, const v1::CancelTrainingSessionRequest& r) const;

  absl::StatusOr<v1::Enrolment> CreateEnrolment(const Principal& p,
                                                const v1::CreateEnrolmentRequest& r) const;
  absl::StatusOr<v1::Enrolment> GetEnrolment(const Principal& p,
                                             const v1::GetEnrolmentRequest& r) const;
  absl::StatusOr<v1::ListEnrolmentsResponse> ListEnrolments(
      const Principal& p, const v1::ListEnrolmentsRequest& r) const;
  absl::StatusOr<v1::Enrolment> CancelEnrolment(const Principal& p,
                                                const v1::CancelEnrolmentRequest& r) const;
  absl::StatusOr<v1::Enrolment> RecordTrainingOutcome(
      const Principal& p, const v1::RecordTrainingOutcomeRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

}  // namespace kpo::people
