#include "yokoten_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli.h"
#include "kpo/core/ids.h"
#include "kpo/daily/v1/daily_service.grpc.pb.h"
#include "output.h"
#include "values.h"

namespace kpo::kpoctl {
namespace {

namespace pb = kpo::daily::v1;

std::unique_ptr<pb::DailyKaizenService::Stub> Stub() {
  return pb::DailyKaizenService::NewStub(Channel(g.daily));
}

std::string PracticeName(const std::string& id) { return Name("practices", id); }

struct Opts {
  std::string id, practice, idea, title, description, site, area, owner, due, state, outcome,
      reason, objective;
  std::vector<std::string> targets, team;
  bool overdue = false;
};
Opts o;

// "site[/area],owner,YYYY-MM-DD" -> a target.
pb::PracticeTarget ParseTarget(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, ',');
  if (parts.size() != 3) Usage("--target is site[/area],owner,YYYY-MM-DD: '" + text + "'");
  pb::PracticeTarget t;
  std::vector<std::string> place = absl::StrSplit(parts[0], '/');
  t.set_site(Name("sites", place[0]));
  if (place.size() > 1) t.set_area(AreaName(place[0], place[1]));
  t.set_owner(Name("people", parts[1]));
  *t.mutable_due_date() = Must(ParseDate(parts[2]));
  return t;
}

std::string StateName(pb::DeploymentState s) {
  return std::string(absl::StripPrefix(pb::DeploymentState_Name(s), "DEPLOYMENT_STATE_"));
}

std::vector<std::string> TaskRow(const pb::DeploymentTask& t) {
  const size_t at = t.name().find("/practices/");
  std::string team;
  for (const auto& p : t.adopting_team())
    absl::StrAppend(&team, team.empty() ? "" : ",", ShortName(p));
  return {at == std::string::npos ? t.name() : t.name().substr(at + 11),
          ShortName(t.site()),
          ShortName(t.area()),
          ShortName(t.owner()),
          FormatDate(t.due_date()),
          StateName(t.state()),
          team,
          t.reason().size() > 40 ? t.reason().substr(0, 37) + "..." : t.reason()};
}

}  // namespace

void AddYokotenCommands(CLI::App& app, int& rc) {
  auto* practices =
      app.add_subcommand("practices", "yokoten: implemented ideas shared as good practices")
          ->require_subcommand(1);
  auto* share = practices->add_subcommand("share", "share an implemented idea");
  share->add_option("idea", o.idea, "idea id")->required();
  share->add_option("id", o.id, "practice id; generated if omitted");
  share->add_option("--target", o.targets, "site[/area],owner,YYYY-MM-DD (repeatable)")->required();
  share->add_option("--title", o.title, "the idea's title by default");
  share->add_option("--description", o.description, "the idea's countermeasure by default");
  share->callback([&rc] {
    pb::SharePracticeRequest r;
    r.set_parent(OrgName());
    r.set_practice_id(o.id);
    r.mutable_practice()->set_idea(Name("ideas", o.idea));
    r.mutable_practice()->set_title(o.title);
    r.mutable_practice()->set_description(o.description);
    for (const auto& t : o.targets) *r.mutable_practice()->add_targets() = ParseTarget(t);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Practice>(
        [&](auto* ctx, auto* resp) { return stub->SharePractice(ctx, r, resp); });
  });
  auto* get = practices->add_subcommand("get", "show a practice and its task counts");
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetPracticeRequest r;
    r.set_name(PracticeName(o.id));
    auto stub = Stub();
    rc =
        Unary<pb::Practice>([&](auto* ctx, auto* resp) { return stub->GetPractice(ctx, r, resp); });
  });
  auto* list = practices->add_subcommand("list", "shared practices across the organization");
  list->add_option("--origin-site", o.site, "site id the practice comes from");
  list->add_option("--idea", o.idea, "idea id");
  list->add_option("--objective", o.objective, "strategic objective id");
  list->callback([&rc] {
    pb::ListPracticesRequest r;
    r.set_parent(OrgName());
    r.set_page_size(500);
    if (!o.site.empty()) r.set_origin_site(Name("sites", o.site));
    if (!o.idea.empty()) r.set_idea(Name("ideas", o.idea));
    r.set_strategic_objective(o.objective);
    auto stub = Stub();
    rc = ListAll<pb::ListPracticesRequest, pb::ListPracticesResponse, pb::Practice>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) { return stub->ListPractices(ctx, req, resp); },
        [](const pb::ListPracticesResponse& resp) -> const auto& { return resp.practices(); },
        "practices",
        {"ID", "TITLE", "FROM", "SHARED BY", "OPEN", "ADOPTED", "ADAPTED", "NOT APPLICABLE"},
        [](const pb::Practice& p) -> std::vector<std::string> {
          return {ShortName(p.name()),
                  p.title(),
                  ShortName(p.origin_site()),
                  ShortName(p.shared_by()),
                  absl::StrCat(p.open_tasks()),
                  absl::StrCat(p.adopted_tasks()),
                  absl::StrCat(p.adapted_tasks()),
                  absl::StrCat(p.not_applicable_tasks())};
        });
  });

  auto* tasks = app.add_subcommand("deployment-tasks", "yokoten: each target place's task")
                    ->require_subcommand(1);
  auto* add = tasks->add_subcommand("create", "another place to check a practice against");
  add->add_option("practice", o.practice)->required();
  add->add_option("id", o.id, "task id; generated if omitted");
  add->add_option("--site", o.site, "site id")->required();
  add->add_option("--area", o.area, "area id of --site");
  add->add_option("--owner", o.owner, "person id")->required();
  add->add_option("--due", o.due, "YYYY-MM-DD")->required();
  add->callback([&rc] {
    pb::CreateDeploymentTaskRequest r;
    r.set_parent(PracticeName(o.practice));
    r.set_deployment_task_id(o.id);
    pb::DeploymentTask* t = r.mutable_deployment_task();
    t->set_site(Name("sites", o.site));
    if (!o.area.empty()) t->set_area(AreaName(o.site, o.area));
    t->set_owner(Name("people", o.owner));
    *t->mutable_due_date() = Must(ParseDate(o.due));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::DeploymentTask>(
        [&](auto* ctx, auto* resp) { return stub->CreateDeploymentTask(ctx, r, resp); });
  });
  auto* tget = tasks->add_subcommand("get", "show a task");
  tget->add_option("practice", o.practice)->required();
  tget->add_option("id", o.id)->required();
  tget->callback([&rc] {
    pb::GetDeploymentTaskRequest r;
    r.set_name(PracticeName(o.practice) + "/deploymentTasks/" + o.id);
    auto stub = Stub();
    rc = Unary<pb::DeploymentTask>(
        [&](auto* ctx, auto* resp) { return stub->GetDeploymentTask(ctx, r, resp); });
  });
  auto* tlist = tasks->add_subcommand("list", "tasks by due date, of one practice or all");
  tlist->add_option("--practice", o.practice, "practice id; all by default");
  tlist->add_option("--site", o.site, "site id");
  tlist->add_option("--owner", o.owner, "person id");
  tlist->add_option("--state", o.state, "open, adopted, adapted, not_applicable");
  tlist->add_flag("--overdue", o.overdue, "open and due before today at their site");
  tlist->callback([&rc] {
    pb::ListDeploymentTasksRequest r;
    r.set_parent(PracticeName(o.practice.empty() ? "-" : o.practice));
    r.set_page_size(500);
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    if (!o.owner.empty()) r.set_owner(Name("people", o.owner));
    if (!o.state.empty()) {
      r.set_state(ParseEnum<pb::DeploymentState>(o.state, &pb::DeploymentState_Parse, "state",
                                                 "open, adopted, adapted, not_applicable",
                                                 "DEPLOYMENT_STATE_"));
    }
    r.set_overdue_only(o.overdue);
    auto stub = Stub();
    rc = ListAll<pb::ListDeploymentTasksRequest, pb::ListDeploymentTasksResponse,
                 pb::DeploymentTask>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListDeploymentTasks(ctx, req, resp);
        },
        [](const pb::ListDeploymentTasksResponse& resp) -> const auto& {
          return resp.deployment_tasks();
        },
        "deployment_tasks", {"ID", "SITE", "AREA", "OWNER", "DUE", "STATE", "TEAM", "REASON"},
        TaskRow);
  });
  auto* resolve = tasks->add_subcommand("resolve", "adopted, adapted or not applicable");
  resolve->add_option("practice", o.practice)->required();
  resolve->add_option("id", o.id)->required();
  resolve->add_option("--outcome", o.outcome, "adopted, adapted, not_applicable")->required();
  resolve->add_option("--reason", o.reason, "what was changed, or why it does not apply");
  resolve->add_option("--team", o.team, "person id credited (repeatable); the owner by default");
  resolve->callback([&rc] {
    pb::ResolveDeploymentTaskRequest r;
    r.set_name(PracticeName(o.practice) + "/deploymentTasks/" + o.id);
    r.set_outcome(ParseEnum<pb::DeploymentState>(o.outcome, &pb::DeploymentState_Parse, "outcome",
                                                 "adopted, adapted, not_applicable",
                                                 "DEPLOYMENT_STATE_"));
    r.set_reason(o.reason);
    for (const auto& p : o.team) r.add_adopting_team(Name("people", p));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::DeploymentTask>(
        [&](auto* ctx, auto* resp) { return stub->ResolveDeploymentTask(ctx, r, resp); });
  });
  auto* update = tasks->add_subcommand("update", "another owner or due date while open");
  update->add_option("practice", o.practice)->required();
  update->add_option("id", o.id)->required();
  auto* u_owner = update->add_option("--owner", o.owner, "person id");
  auto* u_due = update->add_option("--due", o.due, "YYYY-MM-DD");
  update->callback([&rc, u_owner, u_due] {
    pb::UpdateDeploymentTaskRequest r;
    pb::DeploymentTask* t = r.mutable_deployment_task();
    t->set_name(PracticeName(o.practice) + "/deploymentTasks/" + o.id);
    if (!o.owner.empty()) t->set_owner(Name("people", o.owner));
    if (!o.due.empty()) *t->mutable_due_date() = Must(ParseDate(o.due));
    for (auto [opt, path] : {std::pair{u_owner, "owner"}, std::pair{u_due, "due_date"}}) {
      if (opt->count() > 0) r.mutable_update_mask()->add_paths(path);
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::DeploymentTask>(
        [&](auto* ctx, auto* resp) { return stub->UpdateDeploymentTask(ctx, r, resp); });
  });
}

}  // namespace kpo::kpoctl
