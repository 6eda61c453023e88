#pragma once

// The SQL of gemba walks and their follow-up actions (the rules of store.h). Dates are
// YYYYMMDD integers (kpo::core::DateKey).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/daily/v1/resources.pb.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::daily::store {

using kpo::storage::Transaction;

struct GembaWalkRow {
  int64_t revision = 0;
  v1::GembaWalk walk;
};

absl::StatusOr<std::optional<GembaWalkRow>> LoadGembaWalk(Transaction& tx, const std::string& org,
                                                          const std::string& name);
// Writes the walk at `revision` (1: a new one).
absl::Status SaveGembaWalk(Transaction& tx, const std::string& org, const v1::GembaWalk& walk,
                           int64_t revision);

// By (date, name); at most one of site, area and leader; days YYYYMMDD (0: open).
struct GembaWalkFilter {
  std::string site;
  std::string area;
  std::string leader;
  int64_t from_day = 0;
  int64_t to_day = 0;
};
absl::StatusOr<std::vector<v1::GembaWalk>> ListGembaWalks(Transaction& tx, const std::string& org,
                                                          const GembaWalkFilter& filter,
                                                          const kpo::storage::KeysetPage& page);

struct FollowUpRow {
  int64_t revision = 0;
  v1::GembaFollowUp follow_up;
};

absl::StatusOr<std::optional<FollowUpRow>> LoadFollowUp(Transaction& tx, const std::string& org,
                                                        const std::string& name);
// Writes the follow-up of `walk` at `revision` (1: a new one).
absl::Status SaveFollowUp(Transaction& tx, const std::string& org, const std::string& walk,
                          const v1::GembaFollowUp& follow_up, int64_t revision);

// By (due date, name); unset fields do not filter. due_before (YYYYMMDD, 0: none) keeps
// those due before that day.
struct FollowUpFilter {
  std::string walk;
  std::string owner;
  std::string site;
  v1::FollowUpStatus status = v1::FOLLOW_UP_STATUS_UNSPECIFIED;
  int64_t due_before = 0;
};
absl::StatusOr<std::vector<v1::GembaFollowUp>> ListFollowUps(Transaction& tx,
                                                             const std::string& org,
                                                             const FollowUpFilter& filter,
                                                             const kpo::storage::KeysetPage& page);

}  // namespace kpo::daily::store
