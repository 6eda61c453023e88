#include "kaizen_commands.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli.h"
#include "kpo/core/ids.h"
#include "kpo/kaizen/v1/kaizen_service.grpc.pb.h"
#include "values.h"

namespace kpo::kpoctl {
namespace {

namespace pb = kpo::kaizen::v1;

std::string EventName(const std::string& id) { return Name("kaizenEvents", id); }

std::string Lower(const std::string& enum_name) { return absl::AsciiStrToLower(enum_name); }

std::vector<std::string> EventRow(const pb::KaizenEvent& e) {
  return {ShortName(e.name()),
          e.title(),
          ShortName(e.site()),
          pb::EventState_Name(e.state()),
          Lower(pb::EventType_Name(e.event_type())),
          FormatDate(e.charter().planned_start_date()),
          e.facilitator_kind() == pb::FACILITATOR_KIND_UNSPECIFIED
              ? ""
              : pb::FacilitatorKind_Name(e.facilitator_kind()),
          e.charter().strategic_objective()};
}
const std::vector<std::string> kEventHeaders = {"ID",   "TITLE", "SITE",        "STATE",
                                                "TYPE", "START", "FACILITATOR", "OBJECTIVE"};

std::string EventOf(const std::string& child) {
  std::vector<std::string> parts = absl::StrSplit(child, '/');
  return parts.size() > 3 ? parts[3] : "";
}

std::vector<std::string> ActionRow(const pb::ActionItem& a) {
  return {EventOf(a.name()),    ShortName(a.name()),      a.what(),
          ShortName(a.owner()), FormatDate(a.due_date()), pb::ActionItemStatus_Name(a.status())};
}

std::vector<std::string> AuditRow(const pb::Audit& a) {
  std::string kept;
  for (const auto& m : a.measurements()) {
    if (m.has_gain_kept()) {
      absl::StrAppend(&kept, kept.empty() ? "" : " ", m.metric_id(), "=",
                      absl::StrFormat("%.0f%%", m.gain_kept() * 100), m.backslid() ? "!" : "");
    }
  }
  return {EventOf(a.name()),        ShortName(a.name()),
          FormatDate(a.due_date()), pb::AuditState_Name(a.state()),
          ShortName(a.site()),      kept};
}

std::unique_ptr<pb::KaizenEventsService::Stub> Stub() {
  return pb::KaizenEventsService::NewStub(Channel(g.kaizen));
}

// Reads the event (for commands that edit part of a repeated field).
pb::KaizenEvent Fetch(const std::string& id, int& rc) {
  auto stub = Stub();
  grpc::ClientContext ctx;
  Prepare(ctx);
  pb::GetKaizenEventRequest r;
  r.set_name(EventName(id));
  pb::KaizenEvent e;
  grpc::Status s = stub->GetKaizenEvent(&ctx, r, &e);
  if (!s.ok()) {
    rc = Fail(s);
    std::exit(rc);
  }
  return e;
}

int Update(const pb::KaizenEvent& event, const std::vector<std::string>& paths) {
  if (paths.empty()) Usage("nothing to update");
  pb::UpdateKaizenEventRequest r;
  *r.mutable_kaizen_event() = event;
  for (const auto& p : paths) r.mutable_update_mask()->add_paths(p);
  r.set_request_id(kpo::core::NewUuid());
  auto stub = Stub();
  return Unary<pb::KaizenEvent>(
      [&](auto* ctx, auto* resp) { return stub->UpdateKaizenEvent(ctx, r, resp); });
}

// Options of every kaizen command, alive for the whole process (CLI11 keeps pointers to
// them).
struct Opts {
  std::string id, title, site, area, type, reopens, state, facilitator, objective, from, to;
  std::string problem, purpose, customer, process_start, process_end, start, end, sponsor,
      team_leader, facilitator_person, date, reason, item, note, metric_id, cost;
  std::vector<std::string> in_scope, out_of_scope, goals, members, metrics, estimated, realized;
  double value = 0;
  bool undo = false;
  std::string what, owner, due, status, event, as_of, audit_days;
  std::vector<std::string> measures;
  int due_within = 0;
  double threshold = 0;
};
Opts o;

// `events`: kaizen events, their charter, metrics, money, checklist and lifecycle.
void AddEventCommands(CLI::App& app, int& rc) {
  auto* events = app.add_subcommand("events", "kaizen events")->require_subcommand(1);

  auto* create = events->add_subcommand("create", "propose a kaizen event");
  create->add_option("id", o.id, "event id; generated if omitted");
  create->add_option("--title", o.title)->required();
  create->add_option("--site", o.site, "site id")->required();
  create->add_option("--area", o.area, "area id of the site");
  create
      ->add_option("--type", o.type,
                   "rapid_improvement|value_stream_analysis|five_s|setup_reduction|"
                   "standard_work|total_productive_maintenance|other")
      ->required();
  create->add_option("--reopens", o.reopens, "id of the backslid event this one redoes");
  create->callback([&rc] {
    pb::CreateKaizenEventRequest r;
    r.set_parent(OrgName());
    r.set_kaizen_event_id(o.id);
    auto* e = r.mutable_kaizen_event();
    e->set_title(o.title);
    e->set_site(Name("sites", o.site));
    if (!o.area.empty()) e->set_area(AreaName(o.site, o.area));
    e->set_event_type(ParseEnum<pb::EventType>(o.type, pb::EventType_Parse, "event type",
                                               "rapid_improvement, five_s, ..."));
    if (!o.reopens.empty()) e->set_reopens(EventName(o.reopens));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::KaizenEvent>(
        [&](auto* ctx, auto* resp) { return stub->CreateKaizenEvent(ctx, r, resp); });
  });

  auto* get = events->add_subcommand("get", "show an event");
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetKaizenEventRequest r;
    r.set_name(EventName(o.id));
    auto stub = Stub();
    rc = Unary<pb::KaizenEvent>(
        [&](auto* ctx, auto* resp) { return stub->GetKaizenEvent(ctx, r, resp); });
  });

  auto list_events = [&rc](bool calendar) {
    pb::ListKaizenEventsRequest r;
    r.set_parent(OrgName());
    r.set_page_size(500);
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    if (!o.area.empty()) r.set_area(AreaName(o.site, o.area));
    if (!o.state.empty()) {
      r.set_state(ParseEnum<pb::EventState>(o.state, pb::EventState_Parse, "state",
                                            "proposed, chartered, in_progress, ..."));
    }
    if (!o.type.empty()) {
      r.set_event_type(ParseEnum<pb::EventType>(o.type, pb::EventType_Parse, "event type",
                                                "rapid_improvement, five_s, ..."));
    }
    if (!o.facilitator.empty()) {
      r.set_facilitator_kind(ParseEnum<pb::FacilitatorKind>(
          o.facilitator, pb::FacilitatorKind_Parse, "facilitator kind", "kpo or line"));
    }
    r.set_strategic_objective(o.objective);
    if (!o.from.empty()) *r.mutable_start_date_from() = Must(ParseDate(o.from));
    if (!o.to.empty()) *r.mutable_start_date_to() = Must(ParseDate(o.to));
    if (calendar && o.site.empty()) Usage("the calendar is per site: give --site");
    auto stub = Stub();
    rc = ListAll<pb::ListKaizenEventsRequest, pb::ListKaizenEventsResponse, pb::KaizenEvent>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListKaizenEvents(ctx, req, resp);
        },
        [](const pb::ListKaizenEventsResponse& resp) -> const auto& {
          return resp.kaizen_events();
        },
        "kaizen_events", kEventHeaders, EventRow);
  };
  auto* list = events->add_subcommand("list", "list events (ordered by planned start)");
  auto* calendar = events->add_subcommand("calendar", "a site's events by planned start date");
  for (auto* cmd : {list, calendar}) {
    cmd->add_option("--site", o.site);
    cmd->add_option("--from", o.from, "planned start on or after YYYY-MM-DD");
    cmd->add_option("--to", o.to, "planned start on or before YYYY-MM-DD");
  }
  list->add_option("--area", o.area);
  list->add_option("--state", o.state);
  list->add_option("--type", o.type);
  list->add_option("--facilitator", o.facilitator, "kpo or line");
  list->add_option("--objective", o.objective, "strategic objective id");
  list->callback([list_events] { list_events(false); });
  calendar->callback([list_events] { list_events(true); });

  auto* update = events->add_subcommand("update", "change title, site, area or type");
  update->add_option("id", o.id)->required();
  auto* up_title = update->add_option("--title", o.title);
  auto* up_site = update->add_option("--site", o.site);
  auto* up_area =
      update->add_option("--area", o.area, "area id of --site (or of the event's site)");
  auto* up_type = update->add_option("--type", o.type);
  update->callback([&rc, up_title, up_site, up_area, up_type] {
    pb::KaizenEvent e;
    e.set_name(EventName(o.id));
    std::vector<std::string> paths;
    if (up_title->count() > 0) {
      e.set_title(o.title);
      paths.push_back("title");
    }
    std::string site = o.site;
    if (up_site->count() > 0) {
      e.set_site(Name("sites", o.site));
      paths.push_back("site");
    } else if (up_area->count() > 0) {
      site = ShortName(Fetch(o.id, rc).site());
    }
    if (up_area->count() > 0) {
      if (!o.area.empty()) e.set_area(AreaName(site, o.area));
      paths.push_back("area");
    }
    if (up_type->count() > 0) {
      e.set_event_type(ParseEnum<pb::EventType>(o.type, pb::EventType_Parse, "event type",
                                                "rapid_improvement, five_s, ..."));
      paths.push_back("event_type");
    }
    rc = Update(e, paths);
  });

  auto* charter = events->add_subcommand("charter-set", "fill in the charter (pre-event planning)");
  charter->add_option("id", o.id)->required();
  std::vector<std::pair<CLI::Option*, std::string>> charter_fields = {
      {charter->add_option("--problem", o.problem), "charter.problem_statement"},
      {charter->add_option("--purpose", o.purpose), "charter.purpose"},
      {charter->add_option("--customer", o.customer, "the customer the process serves"),
       "charter.customer"},
      {charter->add_option("--process-start", o.process_start), "charter.scope.process_start"},
      {charter->add_option("--process-end", o.process_end), "charter.scope.process_end"},
      {charter->add_option("--in-scope", o.in_scope, "repeatable"), "charter.scope.in_scope"},
      {charter->add_option("--out-of-scope", o.out_of_scope, "repeatable"),
       "charter.scope.out_of_scope"},
      {charter->add_option("--objective", o.objective, "strategic objective id"),
       "charter.strategic_objective"},
      {charter->add_option("--goal", o.goals, "repeatable"), "charter.goals"},
      {charter->add_option("--start", o.start, "planned start YYYY-MM-DD"),
       "charter.planned_start_date"},
      {charter->add_option("--end", o.end, "planned end YYYY-MM-DD"), "charter.planned_end_date"},
      {charter->add_option("--sponsor", o.sponsor, "person id"), "charter.sponsor"},
      {charter->add_option("--team-leader", o.team_leader, "person id"), "charter.team_leader"},
      {charter->add_option("--facilitator", o.facilitator_person, "person id"),
       "charter.facilitator"},
      {charter->add_option("--member", o.members, "person id, repeatable (replaces the team)"),
       "charter.team_members"}};
  charter->callback([&rc, charter_fields] {
    pb::KaizenEvent e;
    e.set_name(EventName(o.id));
    auto* c = e.mutable_charter();
    c->set_problem_statement(o.problem);
    c->set_purpose(o.purpose);
    c->set_customer(o.customer);
    c->mutable_scope()->set_process_start(o.process_start);
    c->mutable_scope()->set_process_end(o.process_end);
    for (const auto& s : o.in_scope) c->mutable_scope()->add_in_scope(s);
    for (const auto& s : o.out_of_scope) c->mutable_scope()->add_out_of_scope(s);
    c->set_strategic_objective(o.objective);
    for (const auto& s : o.goals) c->add_goals(s);
    if (!o.start.empty()) *c->mutable_planned_start_date() = Must(ParseDate(o.start));
    if (!o.end.empty()) *c->mutable_planned_end_date() = Must(ParseDate(o.end));
    if (!o.sponsor.empty()) c->set_sponsor(Name("people", o.sponsor));
    if (!o.team_leader.empty()) c->set_team_leader(Name("people", o.team_leader));
    if (!o.facilitator_person.empty()) c->set_facilitator(Name("people", o.facilitator_person));
    for (const auto& m : o.members) c->add_team_members(Name("people", m));
    std::vector<std::string> paths;
    for (const auto& [opt, path] : charter_fields) {
      if (opt->count() > 0) paths.push_back(path);
    }
    rc = Update(e, paths);
  });

  auto* metrics =
      events->add_subcommand("metrics-set", "define the event's metrics (replaces them)");
  metrics->add_option("id", o.id)->required();
  metrics
      ->add_option("--metric", o.metrics, "id:name:unit:lower|higher:baseline:target, repeatable")
      ->required();
  metrics->callback([&rc] {
    pb::KaizenEvent e;
    e.set_name(EventName(o.id));
    for (const auto& spec : o.metrics) {
      std::vector<std::string> f = absl::StrSplit(spec, ':');
      double baseline = 0, target = 0;
      if (f.size() != 6 || !absl::SimpleAtod(f[4], &baseline) || !absl::SimpleAtod(f[5], &target)) {
        Usage(
            "--metric is id:name:unit:lower|higher:baseline:target, e.g. "
            "changeover:Changeover time:min:lower:90:30");
      }
      auto* m = e.add_metrics();
      m->set_id(f[0]);
      m->set_name(f[1]);
      m->set_unit(f[2]);
      m->set_direction(f[3] == "lower"    ? pb::LOWER_IS_BETTER
                       : f[3] == "higher" ? pb::HIGHER_IS_BETTER
                                          : pb::DIRECTION_UNSPECIFIED);
      m->set_baseline(baseline);
      m->set_target(target);
    }
    rc = Update(e, {"metrics"});
  });

  auto* result = events->add_subcommand("result", "record a metric's result (event in progress)");
  result->add_option("id", o.id)->required();
  result->add_option("--metric-id", o.metric_id)->required();
  result->add_option("--value", o.value)->required();
  result->callback([&rc] {
    pb::KaizenEvent e = Fetch(o.id, rc);
    auto it = std::find_if(e.mutable_metrics()->begin(), e.mutable_metrics()->end(),
                           [](const pb::Metric& m) { return m.id() == o.metric_id; });
    if (it == e.mutable_metrics()->end()) Usage("the event has no metric '" + o.metric_id + "'");
    it->set_result(o.value);
    rc = Update(e, {"metrics"});
  });

  auto* money = events->add_subcommand("money", "event cost and savings");
  money->add_option("id", o.id)->required();
  auto* cost = money->add_option("--cost", o.cost, "CUR:amount, e.g. EUR:12000");
  auto* est = money->add_option("--estimated", o.estimated,
                                "CUR:amount/one_time|annual/hard|soft, repeatable");
  auto* real = money->add_option("--realized", o.realized,
                                 "CUR:amount/one_time|annual/hard|soft, repeatable");
  money->callback([&rc, cost, est, real] {
    pb::KaizenEvent e;
    e.set_name(EventName(o.id));
    std::vector<std::string> paths;
    if (cost->count() > 0) {
      *e.mutable_money()->mutable_event_cost() = Must(ParseMoney(o.cost));
      paths.push_back("money.event_cost");
    }
    if (est->count() > 0) {
      for (const auto& s : o.estimated)
        *e.mutable_money()->add_estimated_savings() = Must(ParseSavings(s));
      paths.push_back("money.estimated_savings");
    }
    if (real->count() > 0) {
      for (const auto& s : o.realized)
        *e.mutable_money()->add_realized_savings() = Must(ParseSavings(s));
      paths.push_back("money.realized_savings");
    }
    rc = Update(e, paths);
  });

  struct Step {
    const char* name;
    const char* help;
    grpc::Status (pb::KaizenEventsService::Stub::*call)(grpc::ClientContext*,
                                                        const pb::TransitionRequest&,
                                                        pb::KaizenEvent*);
  };
  for (const Step& step :
       {Step{"charter", "PROPOSED -> CHARTERED",
             &pb::KaizenEventsService::Stub::CharterKaizenEvent},
        Step{"start", "CHARTERED -> IN_PROGRESS", &pb::KaizenEventsService::Stub::StartKaizenEvent},
        Step{"follow-up", "COMPLETED -> FOLLOW_UP", &pb::KaizenEventsService::Stub::StartFollowUp},
        Step{"close", "SUSTAINED or BACKSLID -> CLOSED",
             &pb::KaizenEventsService::Stub::CloseKaizenEvent}}) {
    auto* cmd = events->add_subcommand(step.name, step.help);
    cmd->add_option("id", o.id)->required();
    auto call = step.call;
    cmd->callback([&rc, call] {
      pb::TransitionRequest r;
      r.set_name(EventName(o.id));
      r.set_request_id(kpo::core::NewUuid());
      auto stub = Stub();
      rc = Unary<pb::KaizenEvent>(
          [&](auto* ctx, auto* resp) { return ((*stub).*call)(ctx, r, resp); });
    });
  }
  auto* complete =
      events->add_subcommand("complete", "IN_PROGRESS -> COMPLETED; schedules the audits");
  complete->add_option("id", o.id)->required();
  complete->add_option("--date", o.date, "completion date YYYY-MM-DD (default: today at the site)");
  complete->callback([&rc] {
    pb::CompleteKaizenEventRequest r;
    r.set_name(EventName(o.id));
    if (!o.date.empty()) *r.mutable_completion_date() = Must(ParseDate(o.date));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::KaizenEvent>(
        [&](auto* ctx, auto* resp) { return stub->CompleteKaizenEvent(ctx, r, resp); });
  });
  auto* cancel = events->add_subcommand("cancel", "PROPOSED or CHARTERED -> CANCELLED");
  cancel->add_option("id", o.id)->required();
  cancel->add_option("--reason", o.reason)->required();
  cancel->callback([&rc] {
    pb::CancelKaizenEventRequest r;
    r.set_name(EventName(o.id));
    r.set_reason(o.reason);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::KaizenEvent>(
        [&](auto* ctx, auto* resp) { return stub->CancelKaizenEvent(ctx, r, resp); });
  });

  auto* checklist = events->add_subcommand("checklist", "the event's standard-work checklist");
  checklist->add_option("id", o.id)->required();
  checklist->callback([&rc] {
    pb::KaizenEvent e = Fetch(o.id, rc);
    std::vector<pb::ChecklistItem> items(e.checklist().begin(), e.checklist().end());
    RenderList<pb::ChecklistItem>(items, "checklist", {"PHASE", "ID", "REQUIRED", "DONE", "TEXT"},
                                  [](const pb::ChecklistItem& i) -> std::vector<std::string> {
                                    return {pb::Phase_Name(i.phase()), i.id(),
                                            i.required() ? "yes" : "", i.done() ? "done" : "",
                                            i.text()};
                                  });
  });
  auto* tick = events->add_subcommand("tick", "mark a checklist item done (--undo to reopen)");
  tick->add_option("id", o.id)->required();
  tick->add_option("item", o.item)->required();
  tick->add_flag("--undo", o.undo);
  tick->callback([&rc] {
    pb::CompleteChecklistItemRequest r;
    r.set_name(EventName(o.id));
    r.set_item_id(o.item);
    r.set_done(!o.undo);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::KaizenEvent e;
    grpc::Status s = stub->CompleteChecklistItem(&ctx, r, &e);
    if (!s.ok()) {
      rc = Fail(s);
      return;
    }
    if (g.output == "json") {
      std::cout << ToJson(e) << "\n";
    } else {
      std::cout << o.item << (o.undo ? " reopened" : " done") << "\n";
    }
    rc = 0;
  });
  auto* validate =
      events->add_subcommand("validate-savings", "finance validates the realized savings");
  validate->add_option("id", o.id)->required();
  validate->add_option("--note", o.note);
  validate->callback([&rc] {
    pb::ValidateSavingsRequest r;
    r.set_name(EventName(o.id));
    r.set_note(o.note);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::KaizenEvent>(
        [&](auto* ctx, auto* resp) { return stub->ValidateSavings(ctx, r, resp); });
  });

  // ---- The kaizen newspaper
}

// `actions`: the kaizen newspaper.
void AddActionCommands(CLI::App& app, int& rc) {
  auto* actions = app.add_subcommand("actions", "the kaizen newspaper: who does what by when")
                      ->require_subcommand(1);
  auto* add = actions->add_subcommand("add", "add an action item to an event");
  add->add_option("event", o.event)->required();
  add->add_option("--id", o.id, "item id; generated if omitted");
  add->add_option("--what", o.what)->required();
  add->add_option("--owner", o.owner, "person id")->required();
  add->add_option("--due", o.due, "YYYY-MM-DD")->required();
  add->callback([&rc] {
    pb::CreateActionItemRequest r;
    r.set_parent(EventName(o.event));
    r.set_action_item_id(o.id);
    r.mutable_action_item()->set_what(o.what);
    r.mutable_action_item()->set_owner(Name("people", o.owner));
    *r.mutable_action_item()->mutable_due_date() = Must(ParseDate(o.due));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::ActionItem>(
        [&](auto* ctx, auto* resp) { return stub->CreateActionItem(ctx, r, resp); });
  });
  auto* upd = actions->add_subcommand("update", "change an action item");
  upd->add_option("event", o.event)->required();
  upd->add_option("item", o.item)->required();
  auto* u_what = upd->add_option("--what", o.what);
  auto* u_owner = upd->add_option("--owner", o.owner);
  auto* u_due = upd->add_option("--due", o.due);
  auto* u_status = upd->add_option("--status", o.status, "open|done|dropped");
  upd->callback([&rc, u_what, u_owner, u_due, u_status] {
    pb::UpdateActionItemRequest r;
    auto* a = r.mutable_action_item();
    a->set_name(EventName(o.event) + "/actionItems/" + o.item);
    std::vector<std::pair<CLI::Option*, const char*>> fields = {
        {u_what, "what"}, {u_owner, "owner"}, {u_due, "due_date"}, {u_status, "status"}};
    a->set_what(o.what);
    if (!o.owner.empty()) a->set_owner(Name("people", o.owner));
    if (!o.due.empty()) *a->mutable_due_date() = Must(ParseDate(o.due));
    if (!o.status.empty()) {
      a->set_status(ParseEnum<pb::ActionItemStatus>(o.status, pb::ActionItemStatus_Parse, "status",
                                                    "open, done, dropped"));
    }
    for (const auto& [opt, path] : fields) {
      if (opt->count() > 0) r.mutable_update_mask()->add_paths(path);
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::ActionItem>(
        [&](auto* ctx, auto* resp) { return stub->UpdateActionItem(ctx, r, resp); });
  });
  static bool overdue_flag = false;
  auto* alist = actions->add_subcommand("list", "list action items (every event unless --event)");
  alist->add_option("--event", o.event);
  alist->add_option("--site", o.site);
  alist->add_option("--owner", o.owner, "person id");
  alist->add_flag("--overdue", overdue_flag, "open items past their due date");
  alist->add_option("--as-of", o.as_of, "YYYY-MM-DD instead of today");
  alist->callback([&rc] {
    pb::ListActionItemsRequest r;
    r.set_parent(o.event.empty() ? OrgName() + "/kaizenEvents/-" : EventName(o.event));
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    if (!o.owner.empty()) r.set_owner(Name("people", o.owner));
    r.set_overdue_only(overdue_flag);
    if (!o.as_of.empty()) *r.mutable_as_of() = Must(ParseDate(o.as_of));
    r.set_page_size(500);
    auto stub = Stub();
    rc = ListAll<pb::ListActionItemsRequest, pb::ListActionItemsResponse, pb::ActionItem>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListActionItems(ctx, req, resp);
        },
        [](const pb::ListActionItemsResponse& resp) -> const auto& { return resp.action_items(); },
        "action_items", {"EVENT", "ID", "WHAT", "OWNER", "DUE", "STATUS"}, ActionRow);
  });

  // ---- Sustainment audits
}

// `audits`: sustainment audits due and recorded.
void AddAuditCommands(CLI::App& app, int& rc) {
  auto* audits =
      app.add_subcommand("audits", "30/60/90-day sustainment audits")->require_subcommand(1);
  auto* aul = audits->add_subcommand("list", "list audits (every event unless --event)");
  aul->add_option("--event", o.event);
  aul->add_option("--site", o.site);
  aul->add_option("--due-within", o.due_within,
                  "scheduled audits due in the next N days (and overdue)");
  aul->add_option("--as-of", o.as_of, "YYYY-MM-DD instead of today");
  aul->add_option("--state", o.state, "scheduled|passed|failed|skipped");
  aul->callback([&rc] {
    pb::ListAuditsRequest r;
    r.set_parent(o.event.empty() ? OrgName() + "/kaizenEvents/-" : EventName(o.event));
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    r.set_due_within_days(o.due_within);
    if (!o.as_of.empty()) *r.mutable_as_of() = Must(ParseDate(o.as_of));
    if (!o.state.empty()) {
      r.set_state(ParseEnum<pb::AuditState>(o.state, pb::AuditState_Parse, "audit state",
                                            "scheduled, passed, failed, skipped"));
    }
    r.set_page_size(500);
    auto stub = Stub();
    rc = ListAll<pb::ListAuditsRequest, pb::ListAuditsResponse, pb::Audit>(
        r, [&](auto* ctx, const auto& req, auto* resp) { return stub->ListAudits(ctx, req, resp); },
        [](const pb::ListAuditsResponse& resp) -> const auto& { return resp.audits(); }, "audits",
        {"EVENT", "AUDIT", "DUE", "STATE", "SITE", "GAIN KEPT"}, AuditRow);
  });
  auto* record =
      audits->add_subcommand("record", "record an audit: a measurement for every metric");
  record->add_option("event", o.event)->required();
  record->add_option("audit", o.item, "audit id, e.g. day-30")->required();
  record->add_option("--measure", o.measures, "metric=value, repeatable")->required();
  record->add_option("--notes", o.note);
  record->callback([&rc] {
    pb::RecordAuditRequest r;
    r.set_name(EventName(o.event) + "/audits/" + o.item);
    for (const auto& m : o.measures) {
      std::vector<std::string> kv = absl::StrSplit(m, absl::MaxSplits('=', 1));
      double value = 0;
      if (kv.size() != 2 || !absl::SimpleAtod(kv[1], &value)) Usage("--measure is metric=value");
      auto* meas = r.add_measurements();
      meas->set_metric_id(kv[0]);
      meas->set_value(value);
    }
    r.set_notes(o.note);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Audit>([&](auto* ctx, auto* resp) { return stub->RecordAudit(ctx, r, resp); });
  });

  // ---- Settings
}

// `kaizen-settings`: audit offsets, backslide threshold, standard work template.
void AddSettingsCommands(CLI::App& app, int& rc) {
  auto* settings = app.add_subcommand("kaizen-settings", "the organization's kaizen standard work")
                       ->require_subcommand(1);
  settings->add_subcommand("get", "show the settings")->callback([&rc] {
    pb::GetKaizenSettingsRequest r;
    r.set_name(OrgName() + "/kaizenSettings");
    auto stub = Stub();
    rc = Unary<pb::KaizenSettings>(
        [&](auto* ctx, auto* resp) { return stub->GetKaizenSettings(ctx, r, resp); });
  });
  auto* sset = settings->add_subcommand("set", "change audit days or the backslide threshold");
  auto* s_days = sset->add_option("--audit-days", o.audit_days, "e.g. 30,60,90");
  auto* s_threshold =
      sset->add_option("--threshold", o.threshold, "share of the gain to keep, e.g. 0.5");
  sset->callback([&rc, s_days, s_threshold] {
    pb::UpdateKaizenSettingsRequest r;
    auto* s = r.mutable_kaizen_settings();
    s->set_name(OrgName() + "/kaizenSettings");
    if (s_days->count() > 0) {
      for (absl::string_view d : absl::StrSplit(o.audit_days, ',', absl::SkipWhitespace())) {
        int days = 0;
        if (!absl::SimpleAtoi(d, &days)) Usage("--audit-days is a list of days, e.g. 30,60,90");
        s->add_audit_offset_days(days);
      }
      r.mutable_update_mask()->add_paths("audit_offset_days");
    }
    if (s_threshold->count() > 0) {
      s->set_backslide_threshold(o.threshold);
      r.mutable_update_mask()->add_paths("backslide_threshold");
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::KaizenSettings>(
        [&](auto* ctx, auto* resp) { return stub->UpdateKaizenSettings(ctx, r, resp); });
  });
}

}  // namespace

void AddKaizenCommands(CLI::App& app, int& rc) {
  AddEventCommands(app, rc);
  AddActionCommands(app, rc);
  AddAuditCommands(app, rc);
  AddSettingsCommands(app, rc);
}

}  // namespace kpo::kpoctl
