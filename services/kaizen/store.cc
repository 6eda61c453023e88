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

namespace {

// Runs "SELECT <key>, name, data FROM <table> WHERE org = ?<where>" as one keyset page.
absl::StatusOr<std::vector<PageRow>> Page(Transaction& tx, const char* table, const char* key,
                                          const std::string& org, const std::string& where,
                                          std::vector<Value> params, KeysetPage page) {
  page.sort_column = key;
  std::string sql =
      absl::StrCat("SELECT ", key, ", name, data FROM ", table, " WHERE org = ?", where);
  params.insert(params.begin(), Value(org));
  kpo::storage::AppendKeyset(page, sql, params);
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<PageRow> out;
  for (const auto& r : *rows) out.push_back({r.Int(0), r.Text(1), r.Text(2)});
  return out;
}

// Adds " AND <column> = ?" when `value` is set.
void Equal(const char* column, const std::string& value, std::string& where,
           std::vector<Value>& params) {
  if (value.empty()) return;
  absl::StrAppend(&where, " AND ", column, " = ?");
  params.emplace_back(value);
}
void Equal(const char* column, int64_t value, std::string& where, std::vector<Value>& params) {
  if (value == 0) return;
  absl::StrAppend(&where, " AND ", column, " = ?");
  params.emplace_back(value);
}

}  // namespace

absl::StatusOr<std::vector<PageRow>> ListEvents(Transaction& tx, const std::string& org,
                                                const EventFilter& f, const KeysetPage& page) {
  std::string where;
  std::vector<Value> params;
  Equal("site", f.site, where, params);
  Equal("area", f.area, where, params);
  Equal("state", static_cast<int64_t>(f.state), where, params);
  Equal("event_type", static_cast<int64_t>(f.event_type), where, params);
  Equal("facilitator_kind", static_cast<int64_t>(f.facilitator_kind), where, params);
  Equal("strategic_objective", f.strategic_objective, where, params);
  if (f.planned_start_from != 0) {
    absl::StrAppend(&where, " AND planned_start >= ?");
    params.emplace_back(f.planned_start_from);
  }
  if (f.planned_start_to != 0) {
    absl::StrAppend(&where, " AND planned_start <= ?");
    params.emplace_back(f.planned_start_to);
  }
  return Page(tx, "kaizen_events", "planned_start", org, where, std::move(params), page);
}

absl::StatusOr<std::vector<PageRow>> ListActionItems(Transaction& tx, const std::string& org,
                                                     const ActionItemFilter& f,
                                                     const KeysetPage& page) {
  std::string where;
  std::vector<Value> params;
  Equal("event", f.event, where, params);
  Equal("site", f.site, where, params);
  Equal("owner", f.owner, where, params);
  if (f.open_and_due_before != 0) {
    absl::StrAppend(&where, " AND status = ? AND due < ?");
    params.emplace_back(static_cast<int64_t>(pb::OPEN));
    params.emplace_back(f.open_and_due_before);
  }
  return Page(tx, "action_items", "due", org, where, std::move(params), page);
}

absl::StatusOr<std::vector<PageRow>> ListAudits(Transaction& tx, const std::string& org,
                                                const AuditFilter& f, const KeysetPage& page) {
  std::string where;
  std::vector<Value> params;
  Equal("event", f.event, where, params);
  Equal("site", f.site, where, params);
  Equal("state", static_cast<int64_t>(f.state), where, params);
  if (f.scheduled_due_until != 0) {
    absl::StrAppend(&where, " AND state = ? AND due <= ?");
    params.emplace_back(static_cast<int64_t>(pb::SCHEDULED));
    params.emplace_back(f.scheduled_due_until);
  }
  return Page(tx, "audits", "due", org, where, std::move(params), page);
}

}  // namespace kpo::kaizen::store
