#include "domain/rules.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "domain/lifecycle.h"
#include "domain/money.h"
#include "domain/sustainment.h"
#include "kpo/core/date.h"
#include "kpo/core/enums.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"

namespace kpo::kaizen::domain {

namespace pb = kpo::kaizen::v1;
using kpo::core::FieldViolations;

namespace {

bool IsSiteName(absl::string_view name) {
  return kpo::core::ParseName(name, {"organizations", "sites"}).has_value();
}
bool IsAreaName(absl::string_view name) {
  return kpo::core::ParseName(name, {"organizations", "sites", "areas"}).has_value();
}
bool IsPersonName(absl::string_view name) {
  return kpo::core::ParseName(name, {"organizations", "people"}).has_value();
}

}  // namespace

void CheckLength(const std::string& value, const std::string& field, int max, FieldViolations& v) {
  if (static_cast<int>(value.size()) > max) {
    v.Add(field, absl::StrCat("must be at most ", max, " characters"));
  }
}

void ValidateEvent(const pb::KaizenEvent& e, FieldViolations& v) {
  const std::string p = "kaizen_event.";
  if (e.title().empty()) v.Add(p + "title", "is required");
  CheckLength(e.title(), p + "title", kMaxTitle, v);
  if (!IsSiteName(e.site()))
    v.Add(p + "site", "must be a site name: organizations/{org}/sites/{site}");
  if (!e.area().empty()) {
    if (!IsAreaName(e.area())) {
      v.Add(p + "area", "must be an area name: organizations/{org}/sites/{site}/areas/{area}");
    } else if (IsSiteName(e.site()) && !absl::StartsWith(e.area(), e.site() + "/areas/")) {
      v.Add(p + "area", "must be an area of the event's site");
    }
  }
  kpo::core::CheckEnum(pb::EventType_descriptor(), e.event_type(), p + "event_type", true, v);
  const pb::Charter& c = e.charter();
  const std::string cp = p + "charter.";
  for (auto [field, value] :
       {std::pair{"problem_statement", &c.problem_statement()}, std::pair{"purpose", &c.purpose()},
        std::pair{"customer", &c.customer()},
        std::pair{"scope.process_start", &c.scope().process_start()},
        std::pair{"scope.process_end", &c.scope().process_end()}}) {
    CheckLength(*value, cp + field, kMaxText, v);
  }
  for (auto [field, list] :
       {std::pair{"goals", &c.goals()}, std::pair{"scope.in_scope", &c.scope().in_scope()},
        std::pair{"scope.out_of_scope", &c.scope().out_of_scope()}}) {
    if (list->size() > 50) v.Add(cp + field, "at most 50 entries");
    for (int i = 0; i < list->size(); ++i) {
      CheckLength((*list)[i], absl::StrCat(cp, field, "[", i, "]"), kMaxText, v);
    }
  }
  for (auto [field, date] : {std::pair{"planned_start_date", &c.planned_start_date()},
                             std::pair{"planned_end_date", &c.planned_end_date()}}) {
    if (date->year() != 0 && !IsValidDate(*date)) v.Add(cp + field, "is not a valid date");
  }
  if (c.has_planned_start_date() && c.has_planned_end_date() &&
      IsValidDate(c.planned_start_date()) && IsValidDate(c.planned_end_date()) &&
      DateKey(c.planned_end_date()) < DateKey(c.planned_start_date())) {
    v.Add(cp + "planned_end_date", "is before planned_start_date");
  }
  for (auto [field, person] :
       {std::pair{"sponsor", &c.sponsor()}, std::pair{"team_leader", &c.team_leader()},
        std::pair{"facilitator", &c.facilitator()}}) {
    if (!person->empty() && !IsPersonName(*person)) {
      v.Add(cp + field, "must be a person name: organizations/{org}/people/{person}");
    }
  }
  std::set<std::string> members;
  for (int i = 0; i < c.team_members_size(); ++i) {
    const std::string f = absl::StrCat(cp, "team_members[", i, "]");
    if (!IsPersonName(c.team_members(i))) {
      v.Add(f, "must be a person name: organizations/{org}/people/{person}");
    } else if (!members.insert(c.team_members(i)).second) {
      v.Add(f, "is listed twice");
    }
  }
  if (c.team_members_size() > 30) v.Add(cp + "team_members", "at most 30 people");
  std::set<std::string> metric_ids;
  for (int i = 0; i < e.metrics_size(); ++i) {
    const pb::Metric& m = e.metrics(i);
    const std::string f = absl::StrCat(p, "metrics[", i, "].");
    if (!kpo::core::IsValidResourceId(m.id())) {
      v.Add(f + "id", "must be 1-63 of a-z, 0-9 and '-'");
    } else if (!metric_ids.insert(m.id()).second) {
      v.Add(f + "id", absl::StrCat("'", m.id(), "' is used by another metric"));
    }
    if (m.name().empty()) v.Add(f + "name", "is required");
    CheckLength(m.name(), f + "name", kMaxTitle, v);
    kpo::core::CheckEnum(pb::Direction_descriptor(), m.direction(), f + "direction", true, v);
    for (auto [field, value] :
         {std::pair{"baseline", m.baseline()}, std::pair{"target", m.target()}}) {
      if (!std::isfinite(value)) v.Add(f + field, "must be a finite number");
    }
    if (m.has_result() && !std::isfinite(m.result()))
      v.Add(f + "result", "must be a finite number");
    const double improvement = m.direction() == pb::LOWER_IS_BETTER ? m.baseline() - m.target()
                                                                    : m.target() - m.baseline();
    if (m.direction() != pb::DIRECTION_UNSPECIFIED && !(improvement > 0)) {
      v.Add(f + "target", "must be better than the baseline in the metric's direction");
    }
  }
  if (e.metrics_size() > 20) v.Add(p + "metrics", "at most 20 metrics");
  ValidateEventMoney(e.money(), p + "money.", v);
}

std::set<std::string> UpdatablePaths(pb::EventState state) {
  switch (state) {
    case pb::PROPOSED:
    case pb::CHARTERED:
      return {"title",
              "site",
              "area",
              "event_type",
              "charter",
              "metrics",
              "money.event_cost",
              "money.estimated_savings"};
    case pb::IN_PROGRESS:
      return {"metrics", "money.event_cost", "money.estimated_savings", "money.realized_savings"};
    case pb::COMPLETED:
    case pb::FOLLOW_UP:
    case pb::SUSTAINED:
    case pb::BACKSLID:
      return {"money.event_cost", "money.realized_savings"};
    default:
      return {};
  }
}

void ValidateActionItem(const pb::ActionItem& item, FieldViolations& v) {
  const std::string p = "action_item.";
  if (item.what().empty()) v.Add(p + "what", "is required");
  CheckLength(item.what(), p + "what", 500, v);
  if (!IsPersonName(item.owner())) {
    v.Add(p + "owner", "is required: a person name, organizations/{org}/people/{person}");
  }
  if (!IsValidDate(item.due_date())) v.Add(p + "due_date", "is required: a valid date");
  kpo::core::CheckEnum(pb::ActionItemStatus_descriptor(), item.status(), p + "status", false, v);
}

void ValidateChecklistTemplate(
    const google::protobuf::RepeatedPtrField<pb::ChecklistTemplateItem>& items,
    const std::string& prefix, FieldViolations& v) {
  std::set<std::string> ids;
  for (int i = 0; i < items.size(); ++i) {
    const auto& t = items[i];
    const std::string f = absl::StrCat(prefix, "checklist_template[", i, "].");
    if (!kpo::core::IsValidResourceId(t.id())) {
      v.Add(f + "id", "must be 1-63 of a-z, 0-9 and '-'");
    } else if (!ids.insert(t.id()).second) {
      v.Add(f + "id", "is used twice");
    }
    kpo::core::CheckEnum(pb::Phase_descriptor(), t.phase(), f + "phase", true, v);
    if (t.text().empty()) v.Add(f + "text", "is required");
    CheckLength(t.text(), f + "text", 500, v);
  }
}

google::protobuf::RepeatedPtrField<pb::ChecklistItem> ApplyTemplate(
    const pb::KaizenEvent& event,
    const google::protobuf::RepeatedPtrField<pb::ChecklistTemplateItem>& items) {
  google::protobuf::RepeatedPtrField<pb::ChecklistItem> out;
  for (const auto& item : event.checklist()) {
    if (!PhaseOpen(event.state(), item.phase())) *out.Add() = item;  // kept as held
  }
  for (const auto& t : items) {
    if (!PhaseOpen(event.state(), t.phase())) continue;
    pb::ChecklistItem item;
    for (const auto& old : event.checklist()) {
      if (old.id() == t.id() && old.phase() == t.phase()) item = old;  // keeps done state
    }
    item.set_id(t.id());
    item.set_phase(t.phase());
    item.set_text(t.text());
    item.set_required(t.required());
    *out.Add() = item;
  }
  return out;
}

}  // namespace kpo::kaizen::domain
