#include "kata_commands.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

std::string BoardName(const std::string& id) { return Name("storyboards", id); }

std::string Short(const std::string& enum_name, size_t prefix) {
  return enum_name.size() > prefix ? enum_name.substr(prefix) : enum_name;
}

std::string Clip(const std::string& text, size_t max = 40) {
  return text.size() <= max ? text : text.substr(0, max - 3) + "...";
}

pb::ObstacleStatus ObstacleStatus(const std::string& text) {
  return ParseEnum<pb::ObstacleStatus>(text, &pb::ObstacleStatus_Parse, "obstacle status",
                                       "open, working_on, resolved", "OBSTACLE_STATUS_");
}

std::vector<std::string> BoardRow(const pb::Storyboard& s) {
  int open = 0, working = 0, resolved = 0;
  for (const auto& o : s.obstacles()) {
    if (o.status() == pb::OBSTACLE_STATUS_OPEN) ++open;
    if (o.status() == pb::OBSTACLE_STATUS_WORKING_ON) ++working;
    if (o.status() == pb::OBSTACLE_STATUS_RESOLVED) ++resolved;
  }
  return {ShortName(s.name()),
          ShortName(s.learner()),
          ShortName(s.coach()),
          Short(pb::StoryboardState_Name(s.state()), 17),
          ShortName(s.site()),
          Clip(s.target_condition().metric(), 30),
          FormatDate(s.target_condition().achieve_by()),
          absl::StrCat(open, "/", working, "/", resolved),
          absl::StrCat(s.experiment_count()),
          absl::StrCat(s.coaching_cycle_count()),
          s.has_last_coaching_date() ? FormatDate(s.last_coaching_date()) : ""};
}
const std::vector<std::string> kBoardHeaders = {
    "ID", "LEARNER",         "COACH",       "STATE",  "SITE",      "METRIC",
    "BY", "OBSTACLES O/W/R", "EXPERIMENTS", "CYCLES", "LAST CYCLE"};

struct Opts {
  std::string id, board, learner, coach, second_coach, challenge, objective, focus, site, area,
      target, metric, achieve_by, current, state, note, step, expected, result, learning, date,
      obstacle, status, from, to, review;
  std::string a_target, a_actual, a_obstacles, a_next, a_when;
  std::vector<std::string> obstacles;
  bool achieved = false;
  int minutes = 0, overdue = 0;
};
Opts o;

// Reads the storyboard, lets `change` edit its obstacles, writes them back under its
// etag (a concurrent change is refused, not overwritten).
int EditObstacles(const std::function<void(pb::Storyboard&)>& change) {
  auto stub = Stub();
  pb::GetStoryboardRequest get;
  get.set_name(BoardName(o.board));
  pb::Storyboard current;
  {
    grpc::ClientContext ctx;
    Prepare(ctx);
    grpc::Status s = stub->GetStoryboard(&ctx, get, &current);
    if (!s.ok()) return Fail(s);
  }
  pb::UpdateStoryboardRequest r;
  pb::Storyboard* s = r.mutable_storyboard();
  s->set_name(current.name());
  s->set_etag(current.etag());
  *s->mutable_obstacles() = current.obstacles();
  change(*s);
  r.mutable_update_mask()->add_paths("obstacles");
  r.set_request_id(kpo::core::NewUuid());
  return Unary<pb::Storyboard>(
      [&](auto* ctx, auto* resp) { return stub->UpdateStoryboard(ctx, r, resp); });
}

}  // namespace

void AddKataCommands(CLI::App& app, int& rc) {
  // ---- storyboards
  auto* boards =
      app.add_subcommand("storyboards", "improvement kata storyboards")->require_subcommand(1);
  auto* create = boards->add_subcommand("create", "start a storyboard (you are the learner)");
  create->add_option("id", o.id, "storyboard id; generated if omitted");
  create->add_option("--learner", o.learner, "person id; you by default");
  create->add_option("--coach", o.coach, "person id")->required();
  create->add_option("--challenge", o.challenge, "the direction or challenge")->required();
  create->add_option("--objective", o.objective, "strategic objective id")->required();
  create->add_option("--target", o.target, "target condition")->required();
  create->add_option("--metric", o.metric, "what is measured")->required();
  create->add_option("--achieve-by", o.achieve_by, "YYYY-MM-DD")->required();
  create->add_option("--current", o.current, "the current condition");
  create->add_option("--focus", o.focus, "the focus process");
  create->add_option("--site", o.site, "site id; the learner's home site by default");
  create->add_option("--area", o.area, "area id of --site");
  create->add_option("--obstacle", o.obstacles, "an obstacle to park (repeatable)");
  create->callback([&rc] {
    pb::CreateStoryboardRequest r;
    r.set_parent(OrgName());
    r.set_storyboard_id(o.id);
    pb::Storyboard* s = r.mutable_storyboard();
    if (!o.learner.empty()) s->set_learner(Name("people", o.learner));
    s->set_coach(Name("people", o.coach));
    s->set_challenge(o.challenge);
    s->set_strategic_objective(o.objective);
    s->set_focus_process(o.focus);
    if (!o.site.empty()) s->set_site(Name("sites", o.site));
    if (!o.area.empty()) s->set_area(AreaName(o.site, o.area));
    s->mutable_target_condition()->set_description(o.target);
    s->mutable_target_condition()->set_metric(o.metric);
    *s->mutable_target_condition()->mutable_achieve_by() = Must(ParseDate(o.achieve_by));
    s->set_current_condition(o.current);
    for (const auto& text : o.obstacles) {
      pb::Obstacle* ob = s->add_obstacles();
      ob->set_description(text);
      ob->set_status(pb::OBSTACLE_STATUS_OPEN);
    }
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Storyboard>(
        [&](auto* ctx, auto* resp) { return stub->CreateStoryboard(ctx, r, resp); });
  });
  auto* get = boards->add_subcommand("get", "show a storyboard");
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetStoryboardRequest r;
    r.set_name(BoardName(o.id));
    auto stub = Stub();
    rc = Unary<pb::Storyboard>(
        [&](auto* ctx, auto* resp) { return stub->GetStoryboard(ctx, r, resp); });
  });
  auto* list = boards->add_subcommand("list", "list storyboards (by id)");
  list->add_option("--learner", o.learner, "person id");
  list->add_option("--coach", o.coach, "person id");
  list->add_option("--site", o.site, "site id");
  list->add_option("--state", o.state, "active, achieved or closed");
  list->add_option("--objective", o.objective, "strategic objective id");
  list->callback([&rc] {
    pb::ListStoryboardsRequest r;
    r.set_parent(OrgName());
    r.set_page_size(500);
    if (!o.learner.empty()) r.set_learner(Name("people", o.learner));
    if (!o.coach.empty()) r.set_coach(Name("people", o.coach));
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    if (!o.state.empty()) {
      r.set_state(ParseEnum<pb::StoryboardState>(o.state, &pb::StoryboardState_Parse, "state",
                                                 "active, achieved, closed", "STORYBOARD_STATE_"));
    }
    r.set_strategic_objective(o.objective);
    auto stub = Stub();
    rc = ListAll<pb::ListStoryboardsRequest, pb::ListStoryboardsResponse, pb::Storyboard>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListStoryboards(ctx, req, resp);
        },
        [](const pb::ListStoryboardsResponse& resp) -> const auto& { return resp.storyboards(); },
        "storyboards", kBoardHeaders, BoardRow);
  });
  auto* update = boards->add_subcommand("update", "change the storyboard (learner or coach)");
  update->add_option("id", o.id)->required();
  auto* u_coach = update->add_option("--coach", o.coach, "person id");
  auto* u_challenge = update->add_option("--challenge", o.challenge);
  auto* u_objective = update->add_option("--objective", o.objective);
  auto* u_focus = update->add_option("--focus", o.focus);
  auto* u_current = update->add_option("--current", o.current, "the current condition");
  auto* u_target = update->add_option("--target", o.target, "the next target condition");
  update->add_option("--metric", o.metric, "with --target");
  update->add_option("--achieve-by", o.achieve_by, "with --target: YYYY-MM-DD");
  update->callback([&rc, u_coach, u_challenge, u_objective, u_focus, u_current, u_target] {
    pb::UpdateStoryboardRequest r;
    pb::Storyboard* s = r.mutable_storyboard();
    s->set_name(BoardName(o.id));
    if (!o.coach.empty()) s->set_coach(Name("people", o.coach));
    s->set_challenge(o.challenge);
    s->set_strategic_objective(o.objective);
    s->set_focus_process(o.focus);
    s->set_current_condition(o.current);
    if (u_target->count() > 0) {
      s->mutable_target_condition()->set_description(o.target);
      s->mutable_target_condition()->set_metric(o.metric);
      if (!o.achieve_by.empty()) {
        *s->mutable_target_condition()->mutable_achieve_by() = Must(ParseDate(o.achieve_by));
      }
    }
    for (auto [opt, path] :
         {std::pair{u_coach, "coach"}, std::pair{u_challenge, "challenge"},
          std::pair{u_objective, "strategic_objective"}, std::pair{u_focus, "focus_process"},
          std::pair{u_current, "current_condition"}, std::pair{u_target, "target_condition"}}) {
      if (opt->count() > 0) r.mutable_update_mask()->add_paths(path);
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Storyboard>(
        [&](auto* ctx, auto* resp) { return stub->UpdateStoryboard(ctx, r, resp); });
  });
  auto* obstacle =
      boards->add_subcommand("obstacle", "the obstacle parking lot")->require_subcommand(1);
  auto* park = obstacle->add_subcommand("add", "park an obstacle");
  park->add_option("storyboard", o.board)->required();
  park->add_option("description", o.note)->required();
  park->add_option("--status", o.status, "open (default), working_on, resolved");
  park->callback([&rc] {
    const pb::ObstacleStatus status =
        o.status.empty() ? pb::OBSTACLE_STATUS_OPEN : ObstacleStatus(o.status);
    rc = EditObstacles([status](pb::Storyboard& s) {
      pb::Obstacle* added = s.add_obstacles();
      added->set_description(o.note);
      added->set_status(status);
    });
  });
  auto* mark = obstacle->add_subcommand("set", "move an obstacle on (its status)");
  mark->add_option("storyboard", o.board)->required();
  mark->add_option("obstacle", o.obstacle, "obstacle id")->required();
  mark->add_option("--status", o.status, "open, working_on, resolved")->required();
  mark->callback([&rc] {
    const pb::ObstacleStatus status = ObstacleStatus(o.status);
    rc = EditObstacles([status](pb::Storyboard& s) {
      bool found = false;
      for (auto& ob : *s.mutable_obstacles()) {
        if (ob.id() == o.obstacle) {
          ob.set_status(status);
          found = true;
        }
      }
      if (!found) Usage("no obstacle " + o.obstacle + " on storyboard " + o.board);
    });
  });
  auto* close = boards->add_subcommand("close", "close a storyboard");
  close->add_option("id", o.id)->required();
  close->add_flag("--achieved", o.achieved, "the target condition was reached");
  close->add_option("--note", o.note);
  close->callback([&rc] {
    pb::CloseStoryboardRequest r;
    r.set_name(BoardName(o.id));
    r.set_achieved(o.achieved);
    r.set_note(o.note);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Storyboard>(
        [&](auto* ctx, auto* resp) { return stub->CloseStoryboard(ctx, r, resp); });
  });

  // ---- experiments
  auto* experiments =
      app.add_subcommand("experiments", "PDCA experiments of a storyboard")->require_subcommand(1);
  auto experiment_row = [](const pb::Experiment& e) -> std::vector<std::string> {
    return {ShortName(e.name()), FormatDate(e.date()), Clip(e.step()), Clip(e.expected()),
            Clip(e.result()),    Clip(e.learning()),   e.obstacle(),   ShortName(e.recorded_by())};
  };
  auto* ecreate = experiments->add_subcommand("create", "record the next step");
  ecreate->add_option("storyboard", o.board)->required();
  ecreate->add_option("id", o.id, "experiment id; generated if omitted");
  ecreate->add_option("--step", o.step)->required();
  ecreate->add_option("--expected", o.expected)->required();
  ecreate->add_option("--date", o.date, "YYYY-MM-DD; today by default");
  ecreate->add_option("--obstacle", o.obstacle, "the obstacle id it addresses");
  ecreate->add_option("--result", o.result, "what happened");
  ecreate->add_option("--learning", o.learning, "what was learned");
  ecreate->callback([&rc] {
    pb::CreateExperimentRequest r;
    r.set_parent(BoardName(o.board));
    r.set_experiment_id(o.id);
    pb::Experiment* e = r.mutable_experiment();
    e->set_step(o.step);
    e->set_expected(o.expected);
    *e->mutable_date() = DateOrToday(o.date);
    e->set_obstacle(o.obstacle);
    e->set_result(o.result);
    e->set_learning(o.learning);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Experiment>(
        [&](auto* ctx, auto* resp) { return stub->CreateExperiment(ctx, r, resp); });
  });
  auto* eget = experiments->add_subcommand("get", "show an experiment");
  eget->add_option("storyboard", o.board)->required();
  eget->add_option("id", o.id)->required();
  eget->callback([&rc] {
    pb::GetExperimentRequest r;
    r.set_name(BoardName(o.board) + "/experiments/" + o.id);
    auto stub = Stub();
    rc = Unary<pb::Experiment>(
        [&](auto* ctx, auto* resp) { return stub->GetExperiment(ctx, r, resp); });
  });
  auto* elist = experiments->add_subcommand("list", "a storyboard's experiments (by date)");
  elist->add_option("storyboard", o.board)->required();
  elist->callback([&rc, experiment_row] {
    pb::ListExperimentsRequest r;
    r.set_parent(BoardName(o.board));
    r.set_page_size(500);
    auto stub = Stub();
    rc = ListAll<pb::ListExperimentsRequest, pb::ListExperimentsResponse, pb::Experiment>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListExperiments(ctx, req, resp);
        },
        [](const pb::ListExperimentsResponse& resp) -> const auto& { return resp.experiments(); },
        "experiments", {"ID", "DATE", "STEP", "EXPECTED", "RESULT", "LEARNED", "OBSTACLE", "BY"},
        experiment_row);
  });
  auto* eupdate = experiments->add_subcommand("update", "what happened, what was learned");
  eupdate->add_option("storyboard", o.board)->required();
  eupdate->add_option("id", o.id)->required();
  auto* e_step = eupdate->add_option("--step", o.step);
  auto* e_expected = eupdate->add_option("--expected", o.expected);
  auto* e_result = eupdate->add_option("--result", o.result);
  auto* e_learning = eupdate->add_option("--learning", o.learning);
  auto* e_date = eupdate->add_option("--date", o.date, "YYYY-MM-DD");
  auto* e_obstacle = eupdate->add_option("--obstacle", o.obstacle);
  eupdate->callback([&rc, e_step, e_expected, e_result, e_learning, e_date, e_obstacle] {
    pb::UpdateExperimentRequest r;
    pb::Experiment* e = r.mutable_experiment();
    e->set_name(BoardName(o.board) + "/experiments/" + o.id);
    e->set_step(o.step);
    e->set_expected(o.expected);
    e->set_result(o.result);
    e->set_learning(o.learning);
    if (!o.date.empty()) *e->mutable_date() = Must(ParseDate(o.date));
    e->set_obstacle(o.obstacle);
    for (auto [opt, path] : {std::pair{e_step, "step"}, std::pair{e_expected, "expected"},
                             std::pair{e_result, "result"}, std::pair{e_learning, "learning"},
                             std::pair{e_date, "date"}, std::pair{e_obstacle, "obstacle"}}) {
      if (opt->count() > 0) r.mutable_update_mask()->add_paths(path);
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Experiment>(
        [&](auto* ctx, auto* resp) { return stub->UpdateExperiment(ctx, r, resp); });
  });

  // ---- coaching cycles
  auto* cycles = app.add_subcommand("coaching-cycles", "coaching kata cycles on storyboards")
                     ->require_subcommand(1);
  auto cycle_row = [](const pb::CoachingCycle& c) -> std::vector<std::string> {
    const std::string name = c.name();
    const size_t boards_at = name.find("/storyboards/");
    return {boards_at == std::string::npos ? name : name.substr(boards_at + 13),
            FormatDate(c.date()),
            ShortName(c.learner()),
            ShortName(c.coach()),
            Short(pb::CoachKind_Name(c.coach_kind()), 11),
            absl::StrCat(c.minutes()),
            Clip(c.answers().next_step())};
  };
  auto* record = cycles->add_subcommand("record", "record a coaching cycle (the five questions)");
  record->add_option("storyboard", o.board)->required();
  record->add_option("--id", o.id, "cycle id; generated if omitted");
  record->add_option("--date", o.date, "YYYY-MM-DD; today by default");
  record->add_option("--minutes", o.minutes, "1-240")->required();
  record->add_option("--coach", o.coach, "person id; the storyboard's coach by default");
  record->add_option("--second-coach", o.second_coach, "person id: who coached the coach");
  record->add_option("--target", o.a_target, "1. what is the target condition?")->required();
  record->add_option("--actual", o.a_actual, "2. what is the actual condition now?")->required();
  record->add_option("--obstacles", o.a_obstacles, "3. obstacles; which one now?")->required();
  record->add_option("--next-step", o.a_next, "4. next step; what do you expect?")->required();
  record->add_option("--when", o.a_when, "5. when can we see what we learned?")->required();
  record->add_option("--review", o.review, "the review of the last experiment");
  record->callback([&rc] {
    pb::CreateCoachingCycleRequest r;
    r.set_parent(BoardName(o.board));
    r.set_coaching_cycle_id(o.id);
    pb::CoachingCycle* c = r.mutable_coaching_cycle();
    *c->mutable_date() = DateOrToday(o.date);
    c->set_minutes(o.minutes);
    if (!o.coach.empty()) c->set_coach(Name("people", o.coach));
    if (!o.second_coach.empty()) c->set_second_coach(Name("people", o.second_coach));
    pb::CoachingAnswers* a = c->mutable_answers();
    a->set_target_condition(o.a_target);
    a->set_actual_condition(o.a_actual);
    a->set_obstacles(o.a_obstacles);
    a->set_next_step(o.a_next);
    a->set_when_to_see(o.a_when);
    c->set_experiment_review(o.review);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::CoachingCycle>(
        [&](auto* ctx, auto* resp) { return stub->CreateCoachingCycle(ctx, r, resp); });
  });
  auto* cget = cycles->add_subcommand("get", "show a cycle");
  cget->add_option("storyboard", o.board)->required();
  cget->add_option("id", o.id)->required();
  cget->callback([&rc] {
    pb::GetCoachingCycleRequest r;
    r.set_name(BoardName(o.board) + "/coachingCycles/" + o.id);
    auto stub = Stub();
    rc = Unary<pb::CoachingCycle>(
        [&](auto* ctx, auto* resp) { return stub->GetCoachingCycle(ctx, r, resp); });
  });
  auto* clist = cycles->add_subcommand("list", "cycles by date, of one storyboard or all");
  clist->add_option("--storyboard", o.board, "storyboard id; all by default");
  clist->add_option("--learner", o.learner, "person id");
  clist->add_option("--coach", o.coach, "person id");
  clist->add_option("--site", o.site, "site id");
  clist->add_option("--from", o.from, "YYYY-MM-DD");
  clist->add_option("--to", o.to, "YYYY-MM-DD");
  clist->callback([&rc, cycle_row] {
    pb::ListCoachingCyclesRequest r;
    r.set_parent(BoardName(o.board.empty() ? "-" : o.board));
    r.set_page_size(500);
    if (!o.learner.empty()) r.set_learner(Name("people", o.learner));
    if (!o.coach.empty()) r.set_coach(Name("people", o.coach));
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    if (!o.from.empty()) *r.mutable_date_from() = Must(ParseDate(o.from));
    if (!o.to.empty()) *r.mutable_date_to() = Must(ParseDate(o.to));
    auto stub = Stub();
    rc = ListAll<pb::ListCoachingCyclesRequest, pb::ListCoachingCyclesResponse, pb::CoachingCycle>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListCoachingCycles(ctx, req, resp);
        },
        [](const pb::ListCoachingCyclesResponse& resp) -> const auto& {
          return resp.coaching_cycles();
        },
        "coaching_cycles", {"ID", "DATE", "LEARNER", "COACH", "KIND", "MINUTES", "NEXT STEP"},
        cycle_row);
  });

  // ---- cadence
  auto* cadence = app.add_subcommand(
      "cadence", "every learner's coaching cadence (days in their home site's time zone)");
  cadence->add_option("--coach", o.coach, "person id: their learners");
  cadence->add_option("--site", o.site, "site id: learners based there");
  cadence->add_option("--learner", o.learner, "person id");
  cadence->add_option("--overdue", o.overdue,
                      "only learners without a cycle in this many days (1-365)");
  cadence->callback([&rc] {
    pb::ListLearnerCadencesRequest r;
    r.set_parent(OrgName());
    r.set_page_size(500);
    if (!o.coach.empty()) r.set_coach(Name("people", o.coach));
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    if (!o.learner.empty()) r.set_learner(Name("people", o.learner));
    r.set_without_cycle_days(o.overdue);
    auto stub = Stub();
    rc = ListAll<pb::ListLearnerCadencesRequest, pb::ListLearnerCadencesResponse,
                 pb::LearnerCadence>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListLearnerCadences(ctx, req, resp);
        },
        [](const pb::ListLearnerCadencesResponse& resp) -> const auto& {
          return resp.learner_cadences();
        },
        "learner_cadences",
        {"LEARNER", "COACH", "SITE", "LAST CYCLE", "DAYS SINCE", "LAST 28 DAYS", "PER WEEK"},
        [](const pb::LearnerCadence& c) -> std::vector<std::string> {
          return {ShortName(c.learner()),
                  ShortName(c.coach()),
                  ShortName(c.site()),
                  c.has_last_cycle_date() ? FormatDate(c.last_cycle_date()) : "never",
                  c.days_since_last_cycle() < 0 ? "-" : absl::StrCat(c.days_since_last_cycle()),
                  absl::StrCat(c.cycles_last_28_days(), " of ", c.expected_last_28_days()),
                  absl::StrCat(c.expected_per_week())};
        });
  });
}

}  // namespace kpo::kpoctl
