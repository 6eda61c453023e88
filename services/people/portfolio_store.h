#pragma once

// Every SQL statement of certification portfolios. Stateless: call within the
// caller's transaction.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/people/v1/development.pb.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::people::store {

struct EvidenceRow {
  int64_t revision = 0;
  v1::Evidence evidence;
};
absl::StatusOr<std::optional<EvidenceRow>> LoadEvidence(kpo::storage::Transaction& tx,
                                                        const std::string& org,
                                                        const std::string& name);
// Writes `e` at `revision` (1: a new one).
absl::Status SaveEvidence(kpo::storage::Transaction& tx, const std::string& org,
                          const v1::Evidence& e, int64_t revision);

struct EvidenceFilter {
  std::string person;  // empty: everyone
  int kind = 0;
  int state = 0;
};
// By (day, name).
absl::StatusOr<std::vector<v1::Evidence>> ListEvidence(kpo::storage::Transaction& tx,
                                                       const std::string& org,
                                                       const EvidenceFilter& filter,
                                                       const kpo::storage::KeysetPage& page);

// Every piece of a person's portfolio, whatever its state.
absl::StatusOr<std::vector<v1::Evidence>> PersonEvidence(kpo::storage::Transaction& tx,
                                                         const std::string& org,
                                                         const std::string& person);

}  // namespace kpo::people::store
