#pragma once

// Every SQL statement of the daily kaizen service, over the narrow Database interface
// (SQL of the SQLite/PostgreSQL common subset). The application layer decides; the
// store reads and writes rows. Every function names its organization. Stateless: call
// within the caller's transaction.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpo/daily/v1/resources.pb.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::daily::store {

using kpo::storage::Transaction;

struct IdeaRow {
  int64_t revision = 0;
  v1::Idea idea;
};

absl::StatusOr<std::optional<IdeaRow>> LoadIdea(Transaction& tx, const std::string& org,
                                                const std::string& name);
// Writes a new idea (output fields already stamped) and its submitters.
absl::Status InsertIdea(Transaction& tx, const std::string& org, const v1::Idea& idea,
                        absl::Time now);
// Rewrites the idea at `revision`; its submitters never change.
absl::Status UpdateIdea(Transaction& tx, const std::string& org, const v1::Idea& idea,
                        int64_t revision, absl::Time now);

struct PageRow {
  int64_t key;  // the sort key
  std::string name;
  std::string data;  // the serialized resource
};

// Ideas ordered by (submission time, name). Unset fields do not filter.
struct IdeaFilter {
  std::string site;
  std::string area;
  v1::IdeaState state = v1::IDEA_STATE_UNSPECIFIED;
  v1::Category category = v1::CATEGORY_UNSPECIFIED;
  std::string reviewer;
  std::string submitter;
  std::string strategic_objective;
  std::string circle;
  // Only ideas submitted before this time (Unix microseconds); 0: any time.
  int64_t submitted_before_us = 0;
};
absl::StatusOr<std::vector<PageRow>> ListIdeas(Transaction& tx, const std::string& org,
                                               const IdeaFilter& filter,
                                               const kpo::storage::KeysetPage& page);

struct CircleRow {
  int64_t revision = 0;
  v1::Circle circle;
};

absl::StatusOr<std::optional<CircleRow>> LoadCircle(Transaction& tx, const std::string& org,
                                                    const std::string& name);
// Writes the circle at `revision` (1: a new one) and replaces its member rows.
absl::Status SaveCircle(Transaction& tx, const std::string& org, const v1::Circle& circle,
                        int64_t revision);

// Circles ordered by name. At most one filter is set.
struct CircleFilter {
  std::string site;
  std::string area;
  std::string member;
};
absl::StatusOr<std::vector<PageRow>> ListCircles(Transaction& tx, const std::string& org,
                                                 const CircleFilter& filter,
                                                 const kpo::storage::KeysetPage& page);

// The organization's stored settings and their revision; nullopt while the defaults
// apply.
absl::StatusOr<std::optional<std::pair<int64_t, v1::DailySettings>>> LoadSettings(
    Transaction& tx, const std::string& org);
absl::Status SaveSettings(Transaction& tx, const std::string& org,
                          const v1::DailySettings& settings, int64_t revision);

}  // namespace kpo::daily::store
