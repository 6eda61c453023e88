#pragma once

// Every SQL statement of the kaizen service, over the narrow Database interface (SQL
// of the SQLite/PostgreSQL common subset). The application layer decides; the store
// reads and writes rows. Every method names its organization. Stateless: call within
// the caller's transaction.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpo/kaizen/v1/resources.pb.h"
#include "kpo/storage/database.h"

namespace kpo::kaizen::store {

using kpo::storage::Transaction;

struct EventRow {
  int64_t revision = 0;
  int64_t create_us = 0;
  v1::KaizenEvent event;
};

absl::StatusOr<std::optional<EventRow>> LoadEvent(Transaction& tx, const std::string& org,
                                                  const std::string& name);
// Writes the event as it is (output fields already stamped by the caller).
absl::Status InsertEvent(Transaction& tx, const std::string& org, const v1::KaizenEvent& event,
                         int64_t revision, absl::Time now);
absl::Status UpdateEvent(Transaction& tx, const std::string& org, const v1::KaizenEvent& event,
                         int64_t revision, absl::Time now);
absl::StatusOr<std::vector<EventRow>> EventsInStates(Transaction& tx, const std::string& org,
                                                     const std::vector<v1::EventState>& states);

struct AuditRow {
  int64_t revision = 0;
  v1::Audit audit;
};

absl::Status InsertAudit(Transaction& tx, const std::string& org, const std::string& event,
                         const v1::Audit& audit);
absl::StatusOr<std::optional<AuditRow>> LoadAudit(Transaction& tx, const std::string& org,
                                                  const std::string& name);
absl::Status UpdateAudit(Transaction& tx, const std::string& org, const v1::Audit& audit,
                         int64_t revision);
// The event's audits in `state`, other than `except`.
absl::StatusOr<std::vector<AuditRow>> AuditsOf(Transaction& tx, const std::string& org,
                                               const std::string& event, v1::AuditState state,
                                               const std::string& except = "");

struct ActionItemRow {
  int64_t revision = 0;
  v1::ActionItem item;
};

absl::StatusOr<std::optional<ActionItemRow>> LoadActionItem(Transaction& tx, const std::string& org,
                                                            const std::string& name);
absl::Status InsertActionItem(Transaction& tx, const std::string& org, const std::string& event,
                              const v1::ActionItem& item, int64_t revision);
absl::Status UpdateActionItem(Transaction& tx, const std::string& org, const v1::ActionItem& item,
                              int64_t revision);

// The organization's stored settings and their revision; nullopt if never changed.
absl::StatusOr<std::optional<std::pair<int64_t, v1::KaizenSettings>>> LoadSettings(
    Transaction& tx, const std::string& org);
absl::Status SaveSettings(Transaction& tx, const std::string& org,
                          const v1::KaizenSettings& settings, int64_t revision);

// One page of a table ordered by (integer `key_column`, name), after (after_key,
// after_name), with extra `where` conditions (" AND ...") and their parameters.
struct PageQuery {
  std::string table;  // kaizen_events, action_items or audits
  std::string key_column;
  std::string where;
  std::vector<kpo::storage::Value> params;
  int64_t after_key = 0;
  std::string after_name;
  int limit = 50;  // rows returned: up to limit + 1, to tell whether more follow
};
struct PageRow {
  int64_t key;
  std::string name;
  std::string data;
};
absl::StatusOr<std::vector<PageRow>> Page(Transaction& tx, const std::string& org,
                                          const PageQuery& query);

}  // namespace kpo::kaizen::store
