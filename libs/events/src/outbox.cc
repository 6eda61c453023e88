#include "kpo/events/outbox.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/ids.h"
#include "kpo/core/trace.h"

namespace kpo::events {

using kpo::storage::Blob;
using kpo::storage::Transaction;

absl::StatusOr<kpo::common::v1::EventEnvelope> Outbox::Append(
    Transaction& tx, absl::string_view organization, absl::string_view subject,
    const google::protobuf::Message& event) const {
  const absl::Time now = clock_.Now();
  kpo::common::v1::EventEnvelope env;
  env.set_id(kpo::core::NewUuid());
  env.set_source(options_.source);
  env.set_type(event.GetDescriptor()->full_name());
  env.set_spec_version("1.0");
  *env.mutable_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  env.set_subject(std::string(subject));
  env.set_organization(std::string(organization));
  env.set_traceparent(kpo::core::CurrentTrace().ToTraceparent());
  env.mutable_data()->PackFrom(event);

  // One INSERT: the stored envelope leaves out its sequence (the row's seq, known only
  // once inserted); the relay adds it when it produces the event.
  auto rows = tx.Query(
      "INSERT INTO outbox (event_id, organization, topic, event_key, event_type, envelope, "
      "created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
      {env.id(), std::string(organization), options_.topic, std::string(subject), env.type(),
       Blob{env.SerializeAsString()}, absl::ToUnixMicros(now)});
  if (!rows.ok()) return rows.status();
  env.set_sequence(rows->at(0).Int(0));
  if (options_.on_commit) tx.OnCommit(options_.on_commit, this);
  return env;
}

absl::StatusOr<int64_t> CountPendingOutbox(kpo::storage::Database& db) {
  int64_t pending = 0;
  absl::Status s = db.Read([&](Transaction& tx) {
    auto rows = tx.Query("SELECT COUNT(*) FROM outbox WHERE sent_at_us IS NULL");
    if (!rows.ok()) return rows.status();
    pending = rows->at(0).Int(0);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return pending;
}

absl::StatusOr<OutboxCounts> CountOutbox(kpo::storage::Database& db,
                                         absl::string_view organization) {
  OutboxCounts counts;
  absl::Status s = db.Read([&](Transaction& tx) {
    auto rows = organization.empty() ? tx.Query(
                                           "SELECT COUNT(*) FILTER (WHERE sent_at_us IS NULL), "
                                           "COUNT(*) FILTER (WHERE sent_at_us IS NOT NULL) "
                                           "FROM outbox")
                                     : tx.Query(
                                           "SELECT COUNT(*) FILTER (WHERE sent_at_us IS NULL), "
                                           "COUNT(*) FILTER (WHERE sent_at_us IS NOT NULL) "
                                           "FROM outbox WHERE organization = ?",
                                           {std::string(organization)});
    if (!rows.ok()) return rows.status();
    counts.pending = rows->at(0).Int(0);
    counts.sent_retained = rows->at(0).Int(1);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return counts;
}

absl::StatusOr<int64_t> RepublishSince(kpo::storage::Database& db, absl::string_view organization,
                                       absl::Time since) {
  int64_t n = 0;
  absl::Status s = db.Write([&](Transaction& tx) {
    auto changed = tx.Exec(
        "UPDATE outbox SET sent_at_us = NULL WHERE organization = ? AND sent_at_us IS NOT NULL "
        "AND created_at_us >= ?",
        {std::string(organization), absl::ToUnixMicros(since)});
    if (!changed.ok()) return changed.status();
    n = *changed;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return n;
}

absl::StatusOr<int64_t> DeleteInboxBefore(kpo::storage::Database& db, absl::Time before,
                                          int limit) {
  int64_t n = 0;
  absl::Status s = db.Write([&](Transaction& tx) {
    auto deleted = tx.Exec(
        "DELETE FROM inbox WHERE (consumer, source, event_id) IN (SELECT consumer, source, "
        "event_id FROM inbox WHERE processed_at_us < ? ORDER BY processed_at_us LIMIT ?)",
        {absl::ToUnixMicros(before), static_cast<int64_t>(limit)});
    if (!deleted.ok()) return deleted.status();
    n = *deleted;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return n;
}

}  // namespace kpo::events
