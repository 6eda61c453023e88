#pragma once

// Assessments on the skills-matrix scale, application layer: recording one (by an
// assessor of the person), reading the history, a person's profile against the
// targets of their roles, and the skills matrix of a site or area. Through the command
// shell; knows nothing of gRPC. Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/people/v1/development_service.pb.h"

namespace kpo::people {

class Assessments {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  Assessments(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
              kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::Assessment> CreateAssessment(const Principal& p,
                                                  const v1::CreateAssessmentRequest& r) const;
  absl::StatusOr<v1::Assessment> GetAssessment(const Principal& p,
                                               const v1::GetAssessmentRequest& r) const;
  absl::StatusOr<v1::ListAssessmentsResponse> ListAssessments(
      const Principal& p, const v1::ListAssessmentsRequest& r) const;
  absl::StatusOr<v1::CompetencyProfile> GetCompetencyProfile(
      const Principal& p, const v1::GetCompetencyProfileRequest& r) const;
  absl::StatusOr<v1::QuerySkillsMatrixResponse> QuerySkillsMatrix(
      const Principal& p, const v1::QuerySkillsMatrixRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

}  // namespace kpo::people
