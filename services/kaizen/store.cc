#include "store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/sustainment.h"

namespace kpo::kaizen::store {

namespace pb = kpo::kaizen::v1;
using kpo::storage::Blob;
using kpo::storage::Value;

namespace {

int64_t PlannedStart(const pb::KaizenEvent& e) {
  const auto& d = e.charter().planned_start_date();
  return e.charter().has_planned_start_date() && domain::IsValidDate(d) ? domain::DateKey(d) : 0;
}

}  // namespace

absl::StatusOr<std::optional<EventRow>> LoadEvent(Transaction& tx, const std::string& org,
                                                  const std::string& name) {
  auto rows =
      tx.Query("SELECT revision, create_us, data FROM kaizen_events WHERE org = ? AND name = ?",
               {org, name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<EventRow>();
  EventRow row{rows->front().Int(0), rows->front().Int(1), {}};
  if (!row.event.ParseFromString(rows->front().Text(2))) {
    return absl::InternalError("corrupt kaizen event " + name);
  }
  return std::optional<EventRow>(std::move(row));
}

absl::Status InsertEvent(Transaction& tx, const std::string& org, const pb::KaizenEvent& e,
                         int64_t revision, absl::Time now) {
  const int64_t now_us = absl::ToUnixMicros(now);
  return tx
      .Exec(
          "INSERT INTO kaizen_events (org, name, site, area, state, event_type, "
          "facilitator_kind, strategic_objective, planned_start, revision, data, create_us, "
          "update_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {org, e.name(), e.site(), e.area(), static_cast<int64_t>(e.state()),
           static_cast<int64_t>(e.event_type()), static_cast<int64_t>(e.facilitator_kind()),
           e.charter().strategic_objective(), PlannedStart(e), revision,
           Blob{e.SerializeAsString()}, now_us, now_us})
      .status();
}

absl::Status UpdateEvent(Transaction& tx, const std::string& org, const pb::KaizenEvent& e,
                         int64_t revision, absl::Time now) {
  return tx
      .Exec(
          "UPDATE kaizen_events SET site = ?, area = ?, state = ?, event_type = ?, "
          "facilitator_kind = ?, strategic_objective = ?, planned_start = ?, revision = ?, "
          "data = ?, update_us = ? WHERE org = ? AND name = ?",
          {e.site(), e.area(), static_cast<int64_t>(e.state()),
           static_cast<int64_t>(e.event_type()), static_cast<int64_t>(e.facilitator_kind()),
           e.charter().strategic_objective(), PlannedStart(e), revision,
           Blob{e.SerializeAsString()}, absl::ToUnixMicros(now), org, e.name()})
      .status();
}

absl::StatusOr<std::vector<EventRow>> EventsInStates(Transaction& tx, const std::string& org,
                                                     const std::vector<pb::EventState>& states) {
  std::vector<Value> params = {org};
  std::vector<std::string> marks;
  for (auto s : states) {
    params.emplace_back(static_cast<int64_t>(s));
    marks.push_back("?");
  }
  auto rows = tx.Query(absl::StrCat("SELECT revision, create_us, data FROM kaizen_events WHERE "
                                    "org = ? AND state IN (",
                                    absl::StrJoin(marks, ", "), ") ORDER BY name"),
                       params);
  if (!rows.ok()) return rows.status();
  std::vector<EventRow> out;
  for (const auto& r : *rows) {
    EventRow row{r.Int(0), r.Int(1), {}};
    if (!row.event.ParseFromString(r.Text(2))) return absl::InternalError("corrupt kaizen event");
    out.push_back(std::move(row));
  }
  return out;
}

absl::Status InsertAudit(Transaction& tx, const std::string& org, const std::string& event,
                         const pb::Audit& a) {
  return tx
      .Exec(
          "INSERT INTO audits (org, name, event, site, due, state, offset_days, revision, data) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
          {org, a.name(), event, a.site(), domain::DateKey(a.due_date()),
           static_cast<int64_t>(a.state()), static_cast<int64_t>(a.offset_days()),
           Blob{a.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::optional<AuditRow>> LoadAudit(Transaction& tx, const std::string& org,
                                                  const std::string& name) {
  auto rows = tx.Query("SELECT revision, data FROM audits WHERE org = ? AND name = ?", {org, name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<AuditRow>();
  AuditRow row{rows->front().Int(0), {}};
  if (!row.audit.ParseFromString(rows->front().Text(1))) {
    return absl::InternalError("corrupt audit " + name);
  }
  return std::optional<AuditRow>(std::move(row));
}

absl::Status UpdateAudit(Transaction& tx, const std::string& org, const pb::Audit& a,
                         int64_t revision) {
  return tx
      .Exec("UPDATE audits SET state = ?, revision = ?, data = ? WHERE org = ? AND name = ?",
            {static_cast<int64_t>(a.state()), revision, Blob{a.SerializeAsString()}, org, a.name()})
      .status();
}

absl::StatusOr<std::vector<AuditRow>> AuditsOf(Transaction& tx, const std::string& org,
                                               const std::string& event, pb::AuditState state,
                                               const std::string& except) {
  auto rows = tx.Query(
      "SELECT revision, data FROM audits WHERE org = ? AND event = ? AND state = ? AND name <> ? "
      "ORDER BY offset_days",
      {org, event, static_cast<int64_t>(state), except});
  if (!rows.ok()) return rows.status();
  std::vector<AuditRow> out;
  for (const auto& r : *rows) {
    AuditRow row{r.Int(0), {}};
    if (!row.audit.ParseFromString(r.Text(1))) return absl::InternalError("corrupt audit");
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<std::optional<ActionItemRow>> LoadActionItem(Transaction& tx, const std::string& org,
                                                            const std::string& name) {
  auto rows =
      tx.Query("SELECT revision, data FROM action_items WHERE org = ? AND name = ?", {org, name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<ActionItemRow>();
  ActionItemRow row{rows->front().Int(0), {}};
  if (!row.item.ParseFromString(rows->front().Text(1))) {
    return absl::InternalError("corrupt action item " + name);
  }
  return std::optional<ActionItemRow>(std::move(row));
}

absl::Status InsertActionItem(Transaction& tx, const std::string& org, const std::string& event,
                              const pb::ActionItem& item, int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO action_items (org, name, event, site, owner, due, status, revision, "
          "data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {org, item.name(), event, item.site(), item.owner(), domain::DateKey(item.due_date()),
           static_cast<int64_t>(item.status()), revision, Blob{item.SerializeAsString()}})
      .status();
}

absl::Status UpdateActionItem(Transaction& tx, const std::string& org, const pb::ActionItem& item,
                              int64_t revision) {
  return tx
      .Exec(
          "UPDATE action_items SET site = ?, owner = ?, due = ?, status = ?, revision = ?, "
          "data = ? WHERE org = ? AND name = ?",
          {item.site(), item.owner(), domain::DateKey(item.due_date()),
           static_cast<int64_t>(item.status()), revision, Blob{item.SerializeAsString()}, org,
           item.name()})
      .status();
}

absl::StatusOr<std::optional<std::pair<int64_t, pb::KaizenSettings>>> LoadSettings(
    Transaction& tx, const std::string& org) {
  auto rows = tx.Query("SELECT revision, data FROM kaizen_settings WHERE org = ?", {org});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::pair<int64_t, pb::KaizenSettings>>();
  pb::KaizenSettings s;
  if (!s.ParseFromString(rows->front().Text(1))) return absl::InternalError("corrupt settings");
  return std::optional<std::pair<int64_t, pb::KaizenSettings>>(
      std::make_pair(rows->front().Int(0), std::move(s)));
}

absl::Status SaveSettings(Transaction& tx, const std::string& org, const pb::KaizenSettings& s,
                          int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO kaizen_settings (org, revision, data) VALUES (?, ?, ?) ON CONFLICT (org) "
          "DO UPDATE SET revision = excluded.revision, data = excluded.data",
          {org, revision, Blob{s.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<PageRow>> Page(Transaction& tx, const std::string& org,
                                          const PageQuery& q) {
  const std::string& k = q.key_column;
  std::vector<Value> params = {org, q.after_key, q.after_key, q.after_name};
  params.insert(params.end(), q.params.begin(), q.params.end());
  params.emplace_back(static_cast<int64_t>(q.limit + 1));
  auto rows =
      tx.Query(absl::StrCat("SELECT ", k, ", name, data FROM ", q.table, " WHERE org = ? AND (", k,
                            " > ? OR (", k, " = ? AND name > ?))", q.where, " ORDER BY ", k,
                            ", name LIMIT ?"),
               params);
  if (!rows.ok()) return rows.status();
  std::vector<PageRow> out;
  for (const auto& r : *rows) out.push_back({r.Int(0), r.Text(1), r.Text(2)});
  return out;
}

}  // namespace kpo::kaizen::store
