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
#include "kpo/storage/keyset.h"

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

// ---- Lists: typed filters, keyset pages (kpo/storage/keyset.h).

struct PageRow {
  int64_t key;  // the sort key
  std::string name;
  std::string data;  // the serialized resource
};
using kpo::storage::KeysetPage;

// Events ordered by (planned start date key, name). Unset fields do not filter.
struct EventFilter {
  std::string site;
  std::string area;
  v1::EventState state = v1::EVENT_STATE_UNSPECIFIED;
  v1::EventType event_type = v1::EVENT_TYPE_UNSPECIFIED;
  v1::FacilitatorKind facilitator_kind = v1::FACILITATOR_KIND_UNSPECIFIED;
  std::string strategic_objective;
  int64_t planned_start_from = 0;  // date keys (YYYYMMDD), inclusive
  int64_t planned_start_to = 0;
};
absl::StatusOr<std::vector<PageRow>> ListEvents(Transaction& tx, const std::string& org,
                                                const EventFilter& filter, const KeysetPage& page);

// Action items ordered by (due date key, name).
struct ActionItemFilter {
  std::string event;  // empty: every event
  std::string site;
  std::string owner;
  int64_t open_and_due_before = 0;  // date key: only open items due before it
};
absl::StatusOr<std::vector<PageRow>> ListActionItems(Transaction& tx, const std::string& org,
                                                     const ActionItemFilter& filter,
                                                     const KeysetPage& page);

// Audits ordered by (due date key, name).
struct AuditFilter {
  std::string event;  // empty: every event
  std::string site;
  v1::AuditState state = v1::AUDIT_STATE_UNSPECIFIED;
  int64_t scheduled_due_until = 0;  // date key: only scheduled audits due on or before it
};
absl::StatusOr<std::vector<PageRow>> ListAudits(Transaction& tx, const std::string& org,
                                                const AuditFilter& filter, const KeysetPage& page);

}  // namespace kpo::kaizen::store
