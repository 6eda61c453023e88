#pragma once

// Every SQL statement of the competency model: competencies (the organization's own
// and its changes to built-in ones), target profiles, assessments and the latest level
// per person and competency. Stateless: call within the caller's transaction.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/people/v1/development.pb.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::people::store {

using kpo::storage::Transaction;

struct CompetencyRow {
  int64_t revision = 0;
  v1::Competency competency;
};
// The stored row only (a built-in competency the organization never changed has none).
absl::StatusOr<std::optional<CompetencyRow>> LoadCompetency(Transaction& tx, const std::string& org,
                                                            const std::string& name);
// Writes `c` at `revision` (its first row when the organization had none).
absl::Status SaveCompetency(Transaction& tx, const std::string& org, const v1::Competency& c,
                            int64_t revision);
// Every stored competency of the organization, by name (an organization has at most
// a few hundred).
absl::StatusOr<std::vector<v1::Competency>> StoredCompetencies(Transaction& tx,
                                                               const std::string& org);

// How many competencies the organization has stored (its own and its changed built-in
// ones).
absl::StatusOr<int64_t> CountStoredCompetencies(Transaction& tx, const std::string& org);

struct TargetProfileRow {
  int64_t revision = 0;
  v1::TargetProfile profile;
};
absl::StatusOr<std::optional<TargetProfileRow>> LoadTargetProfile(Transaction& tx,
                                                                  const std::string& org,
                                                                  const std::string& name);
absl::Status SaveTargetProfile(Transaction& tx, const std::string& org, const v1::TargetProfile& t,
                               int64_t revision);
// By name; role 0 = any.
absl::StatusOr<std::vector<v1::TargetProfile>> ListTargetProfiles(
    Transaction& tx, const std::string& org, int role, bool show_inactive,
    const kpo::storage::KeysetPage& page);
// Every active profile of the organization (a handful: at most one per role).
absl::StatusOr<std::vector<v1::TargetProfile>> ActiveTargetProfiles(Transaction& tx,
                                                                    const std::string& org);

absl::StatusOr<std::optional<v1::Assessment>> LoadAssessment(Transaction& tx,
                                                             const std::string& org,
                                                             const std::string& name);
absl::Status InsertAssessment(Transaction& tx, const std::string& org, const v1::Assessment& a);
struct AssessmentFilter {
  std::string person;  // empty: everyone
  std::string competency;
  std::string assessor;
};
// By (assessment day, name).
absl::StatusOr<std::vector<v1::Assessment>> ListAssessments(Transaction& tx, const std::string& org,
                                                            const AssessmentFilter& filter,
                                                            const kpo::storage::KeysetPage& page);

// The latest assessment of a person in a competency.
struct Level {
  std::string competency;
  int level = 0;
  std::string assessment;
  int64_t day = 0;  // YYYYMMDD
};
absl::StatusOr<std::vector<Level>> Levels(Transaction& tx, const std::string& org,
                                          const std::string& person);
// Sets the person's level from assessment `a` if it is at least as recent (by day) as
// the one held; returns the level held before (nullopt when none) and whether `a` is
// now the latest.
struct LevelChange {
  std::optional<int> previous;
  bool latest = false;
};
absl::StatusOr<LevelChange> RecordLevel(Transaction& tx, const std::string& org,
                                        const v1::Assessment& a, int64_t day);

// Names of the active target profiles that target `competency`.
absl::StatusOr<std::vector<std::string>> ProfilesTargeting(Transaction& tx, const std::string& org,
                                                           const std::string& competency);

}  // namespace kpo::people::store
