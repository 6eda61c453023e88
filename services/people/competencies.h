#pragma once

// The competency model, application layer: the organization's competencies (the
// shipped catalogue plus its own) and the target profiles per role. Through the
// command shell; knows nothing of gRPC. Thread-safe.

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/people/v1/development_service.pb.h"
#include "kpo/storage/database.h"

namespace kpo::people {

class CompetencyModel {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  CompetencyModel(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
                  kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::ListCompetenciesResponse> ListCompetencies(
      const Principal& p, const v1::ListCompetenciesRequest& r) const;
  absl::StatusOr<v1::Competency> GetCompetency(const Principal& p,
                                               const v1::GetCompetencyRequest& r) const;
  absl::StatusOr<v1::Competency> CreateCompetency(const Principal& p,
                                                  const v1::CreateCompetencyRequest& r) const;
  absl::StatusOr<v1::Competency> UpdateCompetency(const Principal& p,
                                                  const v1::UpdateCompetencyRequest& r) const;
  absl::StatusOr<v1::Competency> DeactivateCompetency(
      const Principal& p, const v1::DeactivateCompetencyRequest& r) const;

  absl::StatusOr<v1::TargetProfile> CreateTargetProfile(
      const Principal& p, const v1::CreateTargetProfileRequest& r) const;
  absl::StatusOr<v1::TargetProfile> GetTargetProfile(const Principal& p,
                                                     const v1::GetTargetProfileRequest& r) const;
  absl::StatusOr<v1::ListTargetProfilesResponse> ListTargetProfiles(
      const Principal& p, const v1::ListTargetProfilesRequest& r) const;
  absl::StatusOr<v1::TargetProfile> UpdateTargetProfile(
      const Principal& p, const v1::UpdateTargetProfileRequest& r) const;
  absl::StatusOr<v1::TargetProfile> DeactivateTargetProfile(
      const Principal& p, const v1::DeactivateTargetProfileRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

// A competency as the organization has it: its stored row, or the built-in one
// (revision 0); nullopt when neither.
struct EffectiveCompetency {
  int64_t revision = 0;
  v1::Competency competency;
};
absl::StatusOr<std::optional<EffectiveCompetency>> LoadEffectiveCompetency(
    kpo::storage::Transaction& tx, const std::string& org, const std::string& name);
// Every active competency of the organization (built-in ones included), by name.
absl::StatusOr<std::map<std::string, v1::Competency>> ActiveCompetencies(
    kpo::storage::Transaction& tx, const std::string& org);

}  // namespace kpo::people
