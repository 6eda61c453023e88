#pragma once

// Every SQL statement of development plans and their study items. Stateless: call
// within the caller's transaction.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/people/v1/development_plan.pb.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::people::store {

struct PlanRow {
  int64_t revision = 0;
  v1::DevelopmentPlan plan;
};
// The stored plan of `person`; nullopt until first written.
absl::StatusOr<std::optional<PlanRow>> LoadPlan(kpo::storage::Transaction& tx,
                                                const std::string& org, const std::string& person);
// The plan without its item counts (computed when read).
absl::Status SavePlan(kpo::storage::Transaction& tx, const std::string& org,
                      const v1::DevelopmentPlan& plan, int64_t revision);

struct StudyItemRow {
  int64_t revision = 0;
  v1::StudyItem item;
};
absl::StatusOr<std::optional<StudyItemRow>> LoadStudyItem(kpo::storage::Transaction& tx,
                                                          const std::string& org,
                                                          const std::string& name);
// `created` (microseconds) orders the list; kept on updates by the caller.
absl::Status SaveStudyItem(kpo::storage::Transaction& tx, const std::string& org,
                           const v1::StudyItem& item, int64_t revision, int64_t created);
struct StudyItemFilter {
  std::string person;
  int status = 0;
  int kind = 0;
};
// By (creation, name).
absl::StatusOr<std::vector<v1::StudyItem>> ListStudyItems(kpo::storage::Transaction& tx,
                                                          const std::string& org,
                                                          const StudyItemFilter& filter,
                                                          const kpo::storage::KeysetPage& page);
// A person's items per status.
absl::StatusOr<std::map<int, int64_t>> CountStudyItems(kpo::storage::Transaction& tx,
                                                       const std::string& org,
                                                       const std::string& person);

}  // namespace kpo::people::store
