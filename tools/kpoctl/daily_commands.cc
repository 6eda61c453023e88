#include "daily_commands.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/ids.h"
#include "kpo/daily/v1/daily_service.grpc.pb.h"
#include "values.h"

namespace kpo::kpoctl {
namespace {

namespace pb = kpo::daily::v1;

std::string Short(const std::string& enum_name, size_t prefix) {
  return enum_name.size() > prefix ? enum_name.substr(prefix) : enum_name;
}

std::string IdeaName(const std::string& id) { return Name("ideas", id); }

std::vector<std::string> IdeaRow(const pb::Idea& i) {
  std::string submitters;
  for (const auto& s : i.submitters()) {
    absl::StrAppend(&submitters, submitters.empty() ? "" : ",", ShortName(s));
  }
  std::string impact;
  if (i.impact().has_actual()) {
    impact = FormatMoney(i.impact().actual()) + (i.impact().validated() ? " (validated)" : "");
  } else if (i.impact().has_forecast()) {
    impact = FormatMoney(i.impact().forecast()) + " (forecast)";
  }
  return {ShortName(i.name()),
          i.title(),
          Short(pb::IdeaState_Name(i.state()), 11),
          Short(pb::Category_Name(i.category()), 9),
          ShortName(i.site()),
          submitters,
          ShortName(i.reviewer()),
          i.create_time().seconds() > 0
              ? google::protobuf::util::TimeUtil::ToString(i.create_time()).substr(0, 10)
              : "",
          impact};
}
const std::vector<std::string> kIdeaHeaders = {
    "ID", "TITLE", "STATE", "CATEGORY", "SITE", "SUBMITTERS", "REVIEWER", "SUBMITTED", "IMPACT"};

std::unique_ptr<pb::DailyKaizenService::Stub> Stub() {
  return pb::DailyKaizenService::NewStub(Channel(g.daily));
}

struct Opts {
  std::string id, title, problem, countermeasure, category, site, area, reviewer, objective, state,
      submitter, reason, note, target, forecast, actual, recurrence, kind;
  std::vector<std::string> submitters, members;
  std::string circle, display_name, leader;
  int review_limit_days = 0;
};
Opts o;

// The lifecycle steps that take only the idea: accept, start, implement, standardize,
// withdraw.
template <class Req>
void AddStep(CLI::App* ideas, int& rc, const char* name, const char* help,
             grpc::Status (pb::DailyKaizenService::Stub::*method)(grpc::ClientContext*, const Req&,
                                                                  pb::Idea*)) {
  auto* cmd = ideas->add_subcommand(name, help);
  cmd->add_option("id", o.id)->required();
  cmd->callback([&rc, method] {
    Req r;
    r.set_name(IdeaName(o.id));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc =
        Unary<pb::Idea>([&](auto* ctx, auto* resp) { return (stub.get()->*method)(ctx, r, resp); });
  });
}

}  // namespace

void AddDailyCommands(CLI::App& app, int& rc) {
  auto* ideas = app.add_subcommand("ideas", "ideas (quick kaizen)")->require_subcommand(1);
  const std::string categories = "safety|quality|delivery|cost|people";

  auto* create = ideas->add_subcommand("create", "submit an idea");
  create->add_option("id", o.id, "idea id; generated if omitted");
  create->add_option("--title", o.title)->required();
  create->add_option("--problem", o.problem, "what is wrong, as observed")->required();
  create->add_option("--countermeasure", o.countermeasure, "what to do about it")->required();
  create->add_option("--category", o.category, categories)->required();
  create->add_option("--site", o.site, "site id")->required();
  create->add_option("--area", o.area, "area id of the site");
  create->add_option("--submitter", o.submitters,
                     "person id (repeatable); the token's person when omitted");
  create->add_option("--reviewer", o.reviewer,
                     "person id; by default the first submitter's manager");
  create->add_option("--objective", o.objective, "strategic objective id");
  create->add_option("--circle", o.circle, "id of the kaizen circle that owns it");
  create->add_option("--target", o.target, "target impact, e.g. EUR:12000");
  create->add_option("--forecast", o.forecast, "forecast impact, e.g. EUR:9000");
  create->add_option("--recurrence", o.recurrence, "one_time|annual (with an impact)");
  create->add_option("--kind", o.kind, "hard|soft (with an impact)");
  create->callback([&rc, categories] {
    pb::CreateIdeaRequest r;
    r.set_parent(OrgName());
    r.set_idea_id(o.id);
    pb::Idea* i = r.mutable_idea();
    i->set_title(o.title);
    i->set_problem(o.problem);
    i->set_countermeasure(o.countermeasure);
    i->set_category(ParseEnum<pb::Category>(o.category, pb::Category_Parse, "category", categories,
                                            "CATEGORY_"));
    i->set_site(Name("sites", o.site));
    if (!o.area.empty()) i->set_area(AreaName(o.site, o.area));
    for (const auto& s : o.submitters) i->add_submitters(Name("people", s));
    if (!o.reviewer.empty()) i->set_reviewer(Name("people", o.reviewer));
    i->set_strategic_objective(o.objective);
    if (!o.circle.empty()) i->set_circle(Name("circles", o.circle));
    if (!o.target.empty()) *i->mutable_impact()->mutable_target() = Must(ParseMoney(o.target));
    if (!o.forecast.empty()) {
      *i->mutable_impact()->mutable_forecast() = Must(ParseMoney(o.forecast));
    }
    if (!o.recurrence.empty()) {
      i->mutable_impact()->set_recurrence(
          ParseEnum<pb::ImpactRecurrence>(o.recurrence, pb::ImpactRecurrence_Parse, "recurrence",
                                          "one_time|annual", "IMPACT_RECURRENCE_"));
    }
    if (!o.kind.empty()) {
      i->mutable_impact()->set_kind(ParseEnum<pb::ImpactKind>(o.kind, pb::ImpactKind_Parse, "kind",
                                                              "hard|soft", "IMPACT_KIND_"));
    }
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Idea>([&](auto* ctx, auto* resp) { return stub->CreateIdea(ctx, r, resp); });
  });

  auto* get = ideas->add_subcommand("get", "show an idea");
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetIdeaRequest r;
    r.set_name(IdeaName(o.id));
    auto stub = Stub();
    rc = Unary<pb::Idea>([&](auto* ctx, auto* resp) { return stub->GetIdea(ctx, r, resp); });
  });

  auto* list = ideas->add_subcommand("list", "list ideas (oldest submission first)");
  list->add_option("--site", o.site);
  list->add_option("--area", o.area, "area id of --site");
  list->add_option("--state", o.state,
                   "submitted|accepted|rejected|in_progress|implemented|standardized|withdrawn");
  list->add_option("--category", o.category, categories);
  list->add_option("--reviewer", o.reviewer, "person id");
  list->add_option("--submitter", o.submitter, "person id");
  list->add_option("--objective", o.objective, "strategic objective id");
  list->add_option("--circle", o.circle, "circle id");
  list->callback([&rc, categories] {
    pb::ListIdeasRequest r;
    r.set_parent(OrgName());
    r.set_page_size(500);
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    if (!o.area.empty()) r.set_area(AreaName(o.site, o.area));
    if (!o.state.empty()) {
      r.set_state(ParseEnum<pb::IdeaState>(o.state, pb::IdeaState_Parse, "state",
                                           "submitted, accepted, ...", "IDEA_STATE_"));
    }
    if (!o.category.empty()) {
      r.set_category(ParseEnum<pb::Category>(o.category, pb::Category_Parse, "category", categories,
                                             "CATEGORY_"));
    }
    if (!o.reviewer.empty()) r.set_reviewer(Name("people", o.reviewer));
    if (!o.submitter.empty()) r.set_submitter(Name("people", o.submitter));
    r.set_strategic_objective(o.objective);
    if (!o.circle.empty()) r.set_circle(Name("circles", o.circle));
    auto stub = Stub();
    rc = ListAll<pb::ListIdeasRequest, pb::ListIdeasResponse, pb::Idea>(
        r, [&](auto* ctx, const auto& req, auto* resp) { return stub->ListIdeas(ctx, req, resp); },
        [](const pb::ListIdeasResponse& resp) -> const auto& { return resp.ideas(); }, "ideas",
        kIdeaHeaders, IdeaRow);
  });

  auto* backlog = ideas->add_subcommand(
      "backlog", "ideas waiting for review longer than the organization's limit");
  backlog->add_option("--reviewer", o.reviewer, "person id");
  backlog->add_option("--site", o.site, "site id");
  backlog->callback([&rc] {
    pb::ListReviewBacklogRequest r;
    r.set_parent(OrgName());
    r.set_page_size(500);
    if (!o.reviewer.empty()) r.set_reviewer(Name("people", o.reviewer));
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    auto stub = Stub();
    rc = ListAll<pb::ListReviewBacklogRequest, pb::ListReviewBacklogResponse, pb::Idea>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListReviewBacklog(ctx, req, resp);
        },
        [](const pb::ListReviewBacklogResponse& resp) -> const auto& { return resp.ideas(); },
        "ideas", kIdeaHeaders, IdeaRow);
  });

  auto* update = ideas->add_subcommand("update", "change an idea's content");
  update->add_option("id", o.id)->required();
  std::vector<std::pair<CLI::Option*, std::string>> fields = {
      {update->add_option("--title", o.title), "title"},
      {update->add_option("--problem", o.problem), "problem"},
      {update->add_option("--countermeasure", o.countermeasure), "countermeasure"},
      {update->add_option("--category", o.category, categories), "category"},
      {update->add_option("--area", o.area, "area id (of the idea's site: give --site too)"),
       "area"},
      {update->add_option("--objective", o.objective, "strategic objective id"),
       "strategic_objective"}};
  update->add_option("--site", o.site, "the idea's site id (for --area)");
  update->callback([&rc, fields, categories] {
    pb::UpdateIdeaRequest r;
    pb::Idea* i = r.mutable_idea();
    i->set_name(IdeaName(o.id));
    i->set_title(o.title);
    i->set_problem(o.problem);
    i->set_countermeasure(o.countermeasure);
    if (!o.category.empty()) {
      i->set_category(ParseEnum<pb::Category>(o.category, pb::Category_Parse, "category",
                                              categories, "CATEGORY_"));
    }
    if (!o.area.empty()) {
      if (o.site.empty()) Usage("--area needs --site (the idea's site id)");
      i->set_area(AreaName(o.site, o.area));
    }
    i->set_strategic_objective(o.objective);
    for (const auto& [opt, path] : fields) {
      if (opt->count() > 0) r.mutable_update_mask()->add_paths(path);
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Idea>([&](auto* ctx, auto* resp) { return stub->UpdateIdea(ctx, r, resp); });
  });

  auto* impact = ideas->add_subcommand("impact", "record an idea's target, forecast or actual");
  impact->add_option("id", o.id)->required();
  std::vector<std::pair<CLI::Option*, std::string>> amounts = {
      {impact->add_option("--target", o.target, "e.g. EUR:12000"), "impact.target"},
      {impact->add_option("--forecast", o.forecast), "impact.forecast"},
      {impact->add_option("--actual", o.actual, "once implemented"), "impact.actual"},
      {impact->add_option("--recurrence", o.recurrence, "one_time|annual"), "impact.recurrence"},
      {impact->add_option("--kind", o.kind, "hard|soft"), "impact.kind"}};
  impact->callback([&rc, amounts] {
    pb::UpdateIdeaRequest r;
    pb::Idea* i = r.mutable_idea();
    i->set_name(IdeaName(o.id));
    pb::Impact* m = i->mutable_impact();
    if (!o.target.empty()) *m->mutable_target() = Must(ParseMoney(o.target));
    if (!o.forecast.empty()) *m->mutable_forecast() = Must(ParseMoney(o.forecast));
    if (!o.actual.empty()) *m->mutable_actual() = Must(ParseMoney(o.actual));
    if (!o.recurrence.empty()) {
      m->set_recurrence(ParseEnum<pb::ImpactRecurrence>(o.recurrence, pb::ImpactRecurrence_Parse,
                                                        "recurrence", "one_time|annual",
                                                        "IMPACT_RECURRENCE_"));
    }
    if (!o.kind.empty()) {
      m->set_kind(ParseEnum<pb::ImpactKind>(o.kind, pb::ImpactKind_Parse, "kind", "hard|soft",
                                            "IMPACT_KIND_"));
    }
    for (const auto& [opt, path] : amounts) {
      if (opt->count() > 0) r.mutable_update_mask()->add_paths(path);
    }
    if (r.update_mask().paths().empty()) Usage("nothing to record");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Idea>([&](auto* ctx, auto* resp) { return stub->UpdateIdea(ctx, r, resp); });
  });

  auto* validate = ideas->add_subcommand("validate-impact", "finance validates the actual impact");
  validate->add_option("id", o.id)->required();
  validate->add_option("--note", o.note, "where the figure was checked");
  validate->callback([&rc] {
    pb::ValidateIdeaImpactRequest r;
    r.set_name(IdeaName(o.id));
    r.set_note(o.note);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Idea>(
        [&](auto* ctx, auto* resp) { return stub->ValidateIdeaImpact(ctx, r, resp); });
  });

  auto* reassign = ideas->add_subcommand("reassign", "give the review to another person");
  reassign->add_option("id", o.id)->required();
  reassign->add_option("--reviewer", o.reviewer, "person id")->required();
  reassign->callback([&rc] {
    pb::ReassignIdeaReviewerRequest r;
    r.set_name(IdeaName(o.id));
    r.set_reviewer(Name("people", o.reviewer));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Idea>(
        [&](auto* ctx, auto* resp) { return stub->ReassignIdeaReviewer(ctx, r, resp); });
  });

  auto* reject = ideas->add_subcommand("reject", "reject an idea, with feedback");
  reject->add_option("id", o.id)->required();
  reject->add_option("--reason", o.reason, "what the submitters are told")->required();
  reject->callback([&rc] {
    pb::RejectIdeaRequest r;
    r.set_name(IdeaName(o.id));
    r.set_reason(o.reason);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Idea>([&](auto* ctx, auto* resp) { return stub->RejectIdea(ctx, r, resp); });
  });

  AddStep(ideas, rc, "accept", "accept an idea (its reviewer)",
          &pb::DailyKaizenService::Stub::AcceptIdea);
  AddStep(ideas, rc, "start", "start implementing an accepted idea",
          &pb::DailyKaizenService::Stub::StartIdea);
  AddStep(ideas, rc, "implement", "mark an idea implemented",
          &pb::DailyKaizenService::Stub::ImplementIdea);
  AddStep(ideas, rc, "standardize", "make an implemented idea standard work",
          &pb::DailyKaizenService::Stub::StandardizeIdea);
  AddStep(ideas, rc, "withdraw", "withdraw your idea before review",
          &pb::DailyKaizenService::Stub::WithdrawIdea);

  auto* circles = app.add_subcommand("circles", "kaizen circles: standing teams that own ideas")
                      ->require_subcommand(1);
  auto circle_row = [](const pb::Circle& c) -> std::vector<std::string> {
    std::string members;
    for (const auto& m : c.members()) {
      absl::StrAppend(&members, members.empty() ? "" : ",", ShortName(m));
    }
    return {ShortName(c.name()),   c.display_name(), ShortName(c.site()),      ShortName(c.area()),
            ShortName(c.leader()), members,          c.active() ? "yes" : "no"};
  };
  auto* ccreate = circles->add_subcommand("create", "set up a circle at an area");
  ccreate->add_option("id", o.id, "circle id; generated if omitted");
  ccreate->add_option("--display-name", o.display_name)->required();
  ccreate->add_option("--site", o.site, "site id")->required();
  ccreate->add_option("--area", o.area, "area id of the site")->required();
  ccreate->add_option("--member", o.members, "person id (repeatable)")->required();
  ccreate->add_option("--leader", o.leader, "person id, one of the members");
  ccreate->callback([&rc] {
    pb::CreateCircleRequest r;
    r.set_parent(OrgName());
    r.set_circle_id(o.id);
    pb::Circle* c = r.mutable_circle();
    c->set_display_name(o.display_name);
    c->set_site(Name("sites", o.site));
    c->set_area(AreaName(o.site, o.area));
    for (const auto& m : o.members) c->add_members(Name("people", m));
    if (!o.leader.empty()) c->set_leader(Name("people", o.leader));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Circle>([&](auto* ctx, auto* resp) { return stub->CreateCircle(ctx, r, resp); });
  });
  auto* cget = circles->add_subcommand("get", "show a circle");
  cget->add_option("id", o.id)->required();
  cget->callback([&rc] {
    pb::GetCircleRequest r;
    r.set_name(Name("circles", o.id));
    auto stub = Stub();
    rc = Unary<pb::Circle>([&](auto* ctx, auto* resp) { return stub->GetCircle(ctx, r, resp); });
  });
  auto* clist = circles->add_subcommand("list", "list circles (by name)");
  clist->add_option("--site", o.site, "site id");
  clist->add_option("--area", o.area, "area id of --site");
  clist->add_option("--member", o.submitter, "person id: the circles they belong to");
  clist->callback([&rc, circle_row] {
    pb::ListCirclesRequest r;
    r.set_parent(OrgName());
    r.set_page_size(500);
    if (!o.area.empty()) {
      r.set_area(AreaName(o.site, o.area));
    } else if (!o.site.empty()) {
      r.set_site(Name("sites", o.site));
    }
    if (!o.submitter.empty()) r.set_member(Name("people", o.submitter));
    auto stub = Stub();
    rc = ListAll<pb::ListCirclesRequest, pb::ListCirclesResponse, pb::Circle>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) { return stub->ListCircles(ctx, req, resp); },
        [](const pb::ListCirclesResponse& resp) -> const auto& { return resp.circles(); },
        "circles", {"ID", "NAME", "SITE", "AREA", "LEADER", "MEMBERS", "ACTIVE"}, circle_row);
  });
  auto* cupdate = circles->add_subcommand("update", "rename, change members or leader");
  cupdate->add_option("id", o.id)->required();
  auto* up_name = cupdate->add_option("--display-name", o.display_name);
  auto* up_members = cupdate->add_option("--member", o.members, "the new members (repeatable)");
  auto* up_leader = cupdate->add_option("--leader", o.leader);
  cupdate->callback([&rc, up_name, up_members, up_leader] {
    pb::UpdateCircleRequest r;
    pb::Circle* c = r.mutable_circle();
    c->set_name(Name("circles", o.id));
    c->set_display_name(o.display_name);
    for (const auto& m : o.members) c->add_members(Name("people", m));
    if (!o.leader.empty()) c->set_leader(Name("people", o.leader));
    for (auto [opt, path] : {std::pair{up_name, "display_name"}, std::pair{up_members, "members"},
                             std::pair{up_leader, "leader"}}) {
      if (opt->count() > 0) r.mutable_update_mask()->add_paths(path);
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Circle>([&](auto* ctx, auto* resp) { return stub->UpdateCircle(ctx, r, resp); });
  });
  auto* cdeactivate = circles->add_subcommand("deactivate", "retire a circle");
  cdeactivate->add_option("id", o.id)->required();
  cdeactivate->callback([&rc] {
    pb::DeactivateCircleRequest r;
    r.set_name(Name("circles", o.id));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Circle>(
        [&](auto* ctx, auto* resp) { return stub->DeactivateCircle(ctx, r, resp); });
  });

  auto* settings = app.add_subcommand("daily-settings", "the organization's daily kaizen settings")
                       ->require_subcommand(1);
  auto* sget = settings->add_subcommand("get", "show them");
  sget->callback([&rc] {
    pb::GetDailySettingsRequest r;
    r.set_name(OrgName() + "/dailySettings");
    auto stub = Stub();
    rc = Unary<pb::DailySettings>(
        [&](auto* ctx, auto* resp) { return stub->GetDailySettings(ctx, r, resp); });
  });
  auto* sset = settings->add_subcommand("set", "change them");
  sset->add_option("--review-limit-days", o.review_limit_days,
                   "days an idea may wait for review before it is in the backlog")
      ->required();
  sset->callback([&rc] {
    pb::UpdateDailySettingsRequest r;
    r.mutable_daily_settings()->set_name(OrgName() + "/dailySettings");
    r.mutable_daily_settings()->set_review_limit_days(o.review_limit_days);
    r.mutable_update_mask()->add_paths("review_limit_days");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::DailySettings>(
        [&](auto* ctx, auto* resp) { return stub->UpdateDailySettings(ctx, r, resp); });
  });
}

}  // namespace kpo::kpoctl
