#pragma once

// Every SQL statement of the KPO office. Stateless: call within the caller's
// transaction.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/people/v1/development.pb.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::people::store {

struct KpoMemberRow {
  int64_t revision = 0;
  v1::KpoMember member;
};
absl::StatusOr<std::optional<KpoMemberRow>> LoadKpoMember(kpo::storage::Transaction& tx,
                                                          const std::string& org,
                                                          const std::string& name);
absl::Status SaveKpoMember(kpo::storage::Transaction& tx, const std::string& org,
                           const v1::KpoMember& m, int64_t revision);

struct KpoMemberFilter {
  int level = 0;
  std::string person;
  bool show_inactive = false;
};
// By name.
absl::StatusOr<std::vector<v1::KpoMember>> ListKpoMembers(kpo::storage::Transaction& tx,
                                                          const std::string& org,
                                                          const KpoMemberFilter& filter,
                                                          const kpo::storage::KeysetPage& page);

// The level of `person`'s active KPO membership; UNSPECIFIED when they have none.
absl::StatusOr<v1::KpoLevel> ActiveKpoLevel(kpo::storage::Transaction& tx, const std::string& org,
                                            const std::string& person);

}  // namespace kpo::people::store
