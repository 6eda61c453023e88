#include "domain/lifecycle.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kpo/people/v1/resources.pb.h"

namespace kpo::kaizen::domain {

namespace pb = kpo::kaizen::v1;

namespace {

struct Edge {
  EventState from;
  EventState to;
};

constexpr Edge kEdges[] = {
    {pb::PROPOSED, pb::CHARTERED},    {pb::PROPOSED, pb::CANCELLED},
    {pb::CHARTERED, pb::IN_PROGRESS}, {pb::CHARTERED, pb::CANCELLED},
    {pb::IN_PROGRESS, pb::COMPLETED}, {pb::COMPLETED, pb::FOLLOW_UP},
    {pb::FOLLOW_UP, pb::SUSTAINED},   {pb::FOLLOW_UP, pb::BACKSLID},
    {pb::SUSTAINED, pb::CLOSED},      {pb::BACKSLID, pb::CLOSED},
};

std::string Why(EventState from, EventState to) {
  if (from == to) return "it is already in that state";
  switch (from) {
    case pb::CLOSED:
      return "a closed event is history; start a new event instead";
    case pb::CANCELLED:
      return "a cancelled event cannot be revived; propose a new event instead";
    case pb::BACKSLID:
      return to == pb::IN_PROGRESS || to == pb::FOLLOW_UP || to == pb::SUSTAINED
                 ? "a backslid event is redone by a new event that reopens it, not by editing "
                   "this one"
                 : "a backslid event can only be closed";
    default:
      break;
  }
  if (to == pb::CANCELLED) {
    return "only proposed or chartered events can be cancelled; once it has started, complete "
           "it and let the audits judge it";
  }
  if (to == pb::SUSTAINED || to == pb::BACKSLID) {
    return "sustained and backslid are decided by the sustainment audits during follow-up";
  }
  const char* next = "";
  switch (from) {
    case pb::PROPOSED:
      next = "charter it first";
      break;
    case pb::CHARTERED:
      next = "start it first";
      break;
    case pb::IN_PROGRESS:
      next = "complete it first";
      break;
    case pb::COMPLETED:
      next = "start the follow-up first";
      break;
    case pb::FOLLOW_UP:
      next = "its audits must first find it sustained or backslid";
      break;
    case pb::SUSTAINED:
      next = "a sustained event can only be closed";
      break;
    default:
      next = "that is not a step of the lifecycle";
  }
  return absl::StrCat("the lifecycle does not allow it: ", next);
}

}  // namespace

const char* StateName(EventState state) {
  switch (state) {
    case pb::PROPOSED:
      return "PROPOSED";
    case pb::CHARTERED:
      return "CHARTERED";
    case pb::IN_PROGRESS:
      return "IN_PROGRESS";
    case pb::COMPLETED:
      return "COMPLETED";
    case pb::FOLLOW_UP:
      return "FOLLOW_UP";
    case pb::SUSTAINED:
      return "SUSTAINED";
    case pb::BACKSLID:
      return "BACKSLID";
    case pb::CLOSED:
      return "CLOSED";
    case pb::CANCELLED:
      return "CANCELLED";
    default:
      return "EVENT_STATE_UNSPECIFIED";
  }
}

bool IsAllowed(EventState from, EventState to) {
  return std::any_of(std::begin(kEdges), std::end(kEdges),
                     [&](const Edge& e) { return e.from == from && e.to == to; });
}

absl::Status CheckTransition(EventState from, EventState to) {
  if (IsAllowed(from, to)) return absl::OkStatus();
  return kpo::core::FailedPrecondition(
      "INVALID_TRANSITION",
      absl::StrCat("cannot move the kaizen event from ", StateName(from), " to ", StateName(to),
                   ": ", Why(from, to)),
      {{"current_state", StateName(from)}, {"requested_state", StateName(to)}});
}

pb::Phase PhaseToLeave(EventState from, EventState to) {
  if (from == pb::PROPOSED && to == pb::CHARTERED) return pb::PLANNING;
  if (from == pb::CHARTERED && to == pb::IN_PROGRESS) return pb::PREPARATION;
  if (from == pb::IN_PROGRESS && to == pb::COMPLETED) return pb::EXECUTION;
  if (from == pb::COMPLETED && to == pb::FOLLOW_UP) return pb::HANDOVER;
  return pb::PHASE_UNSPECIFIED;
}

bool PhaseOpen(EventState state, pb::Phase phase) {
  auto rank = [](EventState s) {
    switch (s) {
      case pb::PROPOSED:
        return 0;
      case pb::CHARTERED:
        return 1;
      case pb::IN_PROGRESS:
        return 2;
      case pb::COMPLETED:
        return 3;
      default:
        return 99;  // follow-up and after, cancelled: every phase is over
    }
  };
  switch (phase) {
    case pb::PLANNING:
      return rank(state) <= 0;
    case pb::PREPARATION:
      return rank(state) <= 1;
    case pb::EXECUTION:
      return rank(state) <= 2;
    case pb::HANDOVER:
      return rank(state) <= 3;
    default:
      return false;
  }
}

std::vector<const pb::ChecklistItem*> OpenRequiredItems(const pb::KaizenEvent& event,
                                                        pb::Phase phase) {
  std::vector<const pb::ChecklistItem*> open;
  for (const auto& item : event.checklist()) {
    if (item.phase() == phase && item.required() && !item.done()) open.push_back(&item);
  }
  return open;
}

absl::Status CheckChecklist(const pb::KaizenEvent& event, pb::Phase phase, EventState to) {
  if (phase == pb::PHASE_UNSPECIFIED) return absl::OkStatus();
  auto open = OpenRequiredItems(event, phase);
  if (open.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  for (const auto* item : open) ids.push_back(absl::StrCat(item->id(), " (", item->text(), ")"));
  return kpo::core::FailedPrecondition(
      "CHECKLIST_INCOMPLETE",
      absl::StrCat("cannot move the kaizen event from ", StateName(event.state()), " to ",
                   StateName(to), ": required ", pb::Phase_Name(phase),
                   " items are open: ", absl::StrJoin(ids, "; ")),
      {{"current_state", StateName(event.state())},
       {"requested_state", StateName(to)},
       {"phase", pb::Phase_Name(phase)},
       {"open_items", std::to_string(open.size())}});
}

void CheckCharterComplete(const pb::KaizenEvent& event,
                          const std::vector<std::string>& objective_ids,
                          kpo::core::FieldViolations& v) {
  const pb::Charter& c = event.charter();
  const std::string p = "kaizen_event.charter.";
  auto required = [&](const std::string& value, const char* field) {
    if (value.empty()) v.Add(p + field, "is required to charter the event");
  };
  required(c.problem_statement(), "problem_statement");
  required(c.purpose(), "purpose");
  required(c.customer(), "customer");
  required(c.scope().process_start(), "scope.process_start");
  required(c.scope().process_end(), "scope.process_end");
  if (c.scope().in_scope().empty()) v.Add(p + "scope.in_scope", "name at least one thing in scope");
  if (c.strategic_objective().empty()) {
    v.Add(p + "strategic_objective",
          "is required: every event serves one of the organization's strategic objectives");
  } else if (std::find(objective_ids.begin(), objective_ids.end(), c.strategic_objective()) ==
             objective_ids.end()) {
    v.Add(p + "strategic_objective", absl::StrCat("'", c.strategic_objective(),
                                                  "' is not a strategic objective of the "
                                                  "organization (",
                                                  absl::StrJoin(objective_ids, ", "), ")"));
  }
  if (c.goals().empty()) v.Add(p + "goals", "state at least one measurable goal");
  if (!c.has_planned_start_date()) v.Add(p + "planned_start_date", "is required");
  if (!c.has_planned_end_date()) v.Add(p + "planned_end_date", "is required");
  required(c.sponsor(), "sponsor");
  required(c.team_leader(), "team_leader");
  required(c.facilitator(), "facilitator");
  if (c.team_members().empty()) v.Add(p + "team_members", "the event needs a team");
  if (event.metrics().empty()) {
    v.Add("kaizen_event.metrics", "define at least one metric with a baseline and a target");
  }
}

void CheckResultsRecorded(const pb::KaizenEvent& event, kpo::core::FieldViolations& v) {
  for (int i = 0; i < event.metrics_size(); ++i) {
    if (!event.metrics(i).has_result()) {
      v.Add(absl::StrCat("kaizen_event.metrics[", i, "].result"),
            absl::StrCat("metric '", event.metrics(i).id(),
                         "' needs its result before the event can be completed"));
    }
  }
}

std::vector<std::string> CharterWarnings(const pb::Charter& charter) {
  std::vector<std::string> out;
  std::set<std::string> team(charter.team_members().begin(), charter.team_members().end());
  if (!charter.team_leader().empty()) team.insert(charter.team_leader());
  const size_t n = team.size();
  if (n > 0 && (n < 5 || n > 8)) {
    out.push_back(absl::StrCat("the team has ", n, " people; 5 to 8 is typical"));
  }
  return out;
}

pb::FacilitatorKind FacilitatorKindFromRoles(const std::vector<int>& roles) {
  for (int r : roles) {
    if (r == kpo::people::v1::KPO_SPECIALIST || r == kpo::people::v1::EXTERNAL_SENSEI) {
      return pb::KPO;
    }
  }
  return pb::LINE;
}

std::vector<pb::ChecklistTemplateItem> DefaultChecklistTemplate() {
  struct Row {
    const char* id;
    pb::Phase phase;
    const char* text;
    bool required;
  };
  static constexpr Row kRows[] = {
      {"select", pb::PLANNING, "Event selected against a strategic objective with the sponsor",
       true},
      {"scope", pb::PLANNING, "Scope boundaries, in and out of scope agreed with the sponsor",
       true},
      {"team", pb::PLANNING,
       "Team named: team leader, facilitator, 5-8 members, some from outside the area", true},
      {"baseline", pb::PREPARATION, "Baseline data collected for every metric", true},
      {"area-ready", pb::PREPARATION,
       "Area supervisors briefed; production plan for the event days agreed", true},
      {"logistics", pb::PREPARATION, "Room, materials and maintenance support booked", false},
      {"training", pb::EXECUTION, "Team trained on the day-one method (waste walk, standard work)",
       false},
      {"report-out", pb::EXECUTION, "Report-out held: before and after, results, lessons", true},
      {"thirty-day-list", pb::EXECUTION,
       "30-day list of open actions written in the kaizen newspaper", true},
      {"owner", pb::HANDOVER, "Area supervisor owns the new standard work", true},
      {"weekly-review", pb::HANDOVER,
       "Weekly follow-up meeting with the area's supervisors scheduled", true},
  };
  std::vector<pb::ChecklistTemplateItem> out;
  for (const Row& r : kRows) {
    pb::ChecklistTemplateItem item;
    item.set_id(r.id);
    item.set_phase(r.phase);
    item.set_text(r.text);
    item.set_required(r.required);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace kpo::kaizen::domain
