#pragma once

// Writing events: the transactional outbox. A command appends its events with
// Outbox::Append inside the same Database::Write transaction as its business rows, so
// either both are committed or neither. The OutboxRelay (relay.h) publishes them: a
// transaction that appended events calls `on_commit` once when it commits (the
// runtime wakes the relay with it), so no command has to remember to.
// Outbox is immutable after construction and thread-safe.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/core/clock.h"
#include "kpo/storage/database.h"

namespace kpo::events {

// The schema of the outbox and inbox tables; a service migrates component "events".
const std::vector<kpo::storage::Migration>& Migrations();

// CloudEvents header names used on every record (docs/events.md).
inline constexpr char kHeaderId[] = "ce_id";
inline constexpr char kHeaderSource[] = "ce_source";
inline constexpr char kHeaderType[] = "ce_type";
inline constexpr char kHeaderSpecVersion[] = "ce_specversion";
inline constexpr char kHeaderTime[] = "ce_time";
inline constexpr char kHeaderSubject[] = "ce_subject";
inline constexpr char kHeaderContentType[] = "content-type";
inline constexpr char kHeaderOrganization[] = "kpo_organization";
inline constexpr char kHeaderTraceparent[] = "traceparent";
inline constexpr char kEnvelopeContentType[] =
    "application/x-protobuf; messageType=kpo.common.v1.EventEnvelope";

struct OutboxOptions {
  // CloudEvents source of everything this service publishes, e.g. "//kpo.platform/people".
  std::string source;
  // Topic the service publishes to, e.g. "kpo.people.v1".
  std::string topic;
  // Called once after each committed transaction that appended events; may be empty.
  std::function<void()> on_commit;
};

class Outbox {
 public:
  Outbox(OutboxOptions options, const kpo::core::Clock& clock)
      : options_(std::move(options)), clock_(clock) {}

  // Appends `event` to the outbox within `tx`. `organization` is the tenant's resource
  // name ("organizations/acme"), `subject` the aggregate's resource name (the Kafka
  // key). The current thread's trace context is recorded. Returns the envelope written.
  absl::StatusOr<kpo::common::v1::EventEnvelope> Append(
      kpo::storage::Transaction& tx, absl::string_view organization, absl::string_view subject,
      const google::protobuf::Message& event) const;

  const OutboxOptions& options() const { return options_; }

 private:
  OutboxOptions options_;
  const kpo::core::Clock& clock_;
};

// Figures for the ops API and metrics. `organization` empty = every organization.
struct OutboxCounts {
  int64_t pending = 0;
  int64_t sent_retained = 0;
};
absl::StatusOr<OutboxCounts> CountOutbox(kpo::storage::Database& db,
                                         absl::string_view organization);
// The rows waiting for the relay alone (the backlog gauge, read every second): walks
// only the index of unsent rows, not the retained ones.
absl::StatusOr<int64_t> CountPendingOutbox(kpo::storage::Database& db);

// Marks the organization's already-sent events created at or after `since` as pending again, so the
// relay publishes them once more (consumers dedupe). Returns how many.
absl::StatusOr<int64_t> RepublishSince(kpo::storage::Database& db, absl::string_view organization,
                                       absl::Time since);

// Deletes up to `limit` inbox rows processed before `before`, oldest first, in one short
// transaction; returns how many. An event redelivered after its row is gone is applied
// again, so the window must exceed how far back events can be redelivered or
// republished (the outbox retention).
absl::StatusOr<int64_t> DeleteInboxBefore(kpo::storage::Database& db, absl::Time before, int limit);

}  // namespace kpo::events
