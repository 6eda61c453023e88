#include "curriculum_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "cli.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/ids.h"
#include "kpo/people/v1/development_service.grpc.pb.h"
#include "output.h"

namespace kpo::kpoctl {
namespace {

namespace pb = kpo::people::v1;
using google::protobuf::util::TimeUtil;

std::unique_ptr<pb::PeopleDevelopmentService::Stub> Stub() {
  return pb::PeopleDevelopmentService::NewStub(Channel(g.people));
}

constexpr char kRoles[] =
    "team_member, team_leader, middle_manager, senior_leader, kpo_specialist, external_sensei, "
    "org_admin, finance";

struct Opts {
  std::string id, session, person, title, description, role, trainer, site, place, start, module;
  std::string after, state;
  std::vector<std::string> competencies, modules;
  int minutes = 0, capacity = 0, score = 0;
  bool all = false, waitlist = false, no_show = false, passed = false;
};
Opts o;

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

pb::Role Role(const std::string& text) {
  return ParseEnum<pb::Role>(text, pb::Role_Parse, "role", kRoles);
}

// "2026-12-01T08:00:00+01:00" -> a timestamp (Usage() otherwise).
google::protobuf::Timestamp ParseInstant(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    Usage("--start is an RFC 3339 time with its offset, e.g. 2026-12-01T08:00:00+01:00: '" + text +
          "'");
  }
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

std::string Instant(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC",
                          absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t)),
                          absl::UTCTimeZone());
}

std::string SessionName() { return Name("trainingSessions", o.session); }
std::string EnrolmentName() { return SessionName() + "/enrolments/" + ShortName(o.person); }

void AddModules(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("modules", "training modules and the competencies they build")
                  ->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "the organization's modules");
  list->add_option("--competency", o.id, "only those building this competency");
  list->add_flag("--all", o.all, "retired ones too");
  list->callback([&rc] {
    pb::ListTrainingModulesRequest r;
    r.set_parent(OrgName());
    r.set_page_size(200);
    if (!o.id.empty()) r.set_competency(Name("competencies", o.id));
    r.set_show_inactive(o.all);
    auto stub = Stub();
    rc = ListAll<pb::ListTrainingModulesRequest, pb::ListTrainingModulesResponse,
                 pb::TrainingModule>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListTrainingModules(ctx, req, resp);
        },
        [](const pb::ListTrainingModulesResponse& resp) -> const auto& {
          return resp.training_modules();
        },
        "training_modules", {"ID", "TITLE", "MINUTES", "COMPETENCIES", "STATE"},
        [](const pb::TrainingModule& m) -> std::vector<std::string> {
          std::vector<std::string> built;
          for (const auto& c : m.competencies()) built.push_back(ShortName(c));
          return {ShortName(m.name()), m.title(), absl::StrCat(m.duration_minutes()),
                  absl::StrJoin(built, ", "), Lower(pb::ResourceState_Name(m.state()))};
        });
  });
  auto* get = cmd->add_subcommand("get", "one module");
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetTrainingModuleRequest r;
    r.set_name(Name("trainingModules", o.id));
    auto stub = Stub();
    rc = Unary<pb::TrainingModule>(
        [&](auto* ctx, auto* resp) { return stub->GetTrainingModule(ctx, r, resp); });
  });
  auto fields = [](CLI::App* sub) {
    sub->add_option("--title", o.title);
    sub->add_option("--description", o.description);
    sub->add_option("--competency", o.competencies, "competency id (repeatable)");
    sub->add_option("--minutes", o.minutes, "duration, 15..10080");
  };
  auto fill = [](pb::TrainingModule* m, google::protobuf::FieldMask* mask) {
    auto set = [&](bool given, const char* path) {
      if (given && mask != nullptr) mask->add_paths(path);
    };
    m->set_title(o.title);
    set(!o.title.empty(), "title");
    m->set_description(o.description);
    set(!o.description.empty(), "description");
    for (const auto& c : o.competencies) m->add_competencies(Name("competencies", c));
    set(!o.competencies.empty(), "competencies");
    m->set_duration_minutes(o.minutes);
    set(o.minutes != 0, "duration_minutes");
  };
  auto* create = cmd->add_subcommand("create", "a training module (KPO, org admin)");
  create->add_option("id", o.id)->required();
  fields(create);
  create->callback([&rc, fill] {
    pb::CreateTrainingModuleRequest r;
    r.set_parent(OrgName());
    r.set_training_module_id(o.id);
    fill(r.mutable_training_module(), nullptr);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::TrainingModule>(
        [&](auto* ctx, auto* resp) { return stub->CreateTrainingModule(ctx, r, resp); });
  });
  auto* update = cmd->add_subcommand("update", "change title, description, competencies, minutes");
  update->add_option("id", o.id)->required();
  fields(update);
  update->callback([&rc, fill] {
    pb::UpdateTrainingModuleRequest r;
    fill(r.mutable_training_module(), r.mutable_update_mask());
    r.mutable_training_module()->set_name(Name("trainingModules", o.id));
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::TrainingModule>(
        [&](auto* ctx, auto* resp) { return stub->UpdateTrainingModule(ctx, r, resp); });
  });
  auto* retire = cmd->add_subcommand("retire", "retire a module no active path names");
  retire->add_option("id", o.id)->required();
  retire->callback([&rc] {
    pb::DeactivateTrainingModuleRequest r;
    r.set_name(Name("trainingModules", o.id));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::TrainingModule>(
        [&](auto* ctx, auto* resp) { return stub->DeactivateTrainingModule(ctx, r, resp); });
  });
}

void AddPaths(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("learning-paths", "the modules each role takes, in order")
                  ->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "the organization's learning paths");
  list->add_option("--role", o.role, kRoles);
  list->add_flag("--all", o.all, "retired ones too");
  list->callback([&rc] {
    pb::ListLearningPathsRequest r;
    r.set_parent(OrgName());
    r.set_page_size(200);
    if (!o.role.empty()) r.set_role(Role(o.role));
    r.set_show_inactive(o.all);
    auto stub = Stub();
    rc = ListAll<pb::ListLearningPathsRequest, pb::ListLearningPathsResponse, pb::LearningPath>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListLearningPaths(ctx, req, resp);
        },
        [](const pb::ListLearningPathsResponse& resp) -> const auto& {
          return resp.learning_paths();
        },
        "learning_paths", {"ID", "TITLE", "ROLE", "MODULES", "STATE"},
        [](const pb::LearningPath& l) -> std::vector<std::string> {
          std::vector<std::string> modules;
          for (const auto& m : l.modules()) modules.push_back(ShortName(m));
          return {ShortName(l.name()), l.title(), Lower(pb::Role_Name(l.role())),
                  absl::StrJoin(modules, " > "), Lower(pb::ResourceState_Name(l.state()))};
        });
  });
  auto* get = cmd->add_subcommand("get", "one learning path");
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetLearningPathRequest r;
    r.set_name(Name("learningPaths", o.id));
    auto stub = Stub();
    rc = Unary<pb::LearningPath>(
        [&](auto* ctx, auto* resp) { return stub->GetLearningPath(ctx, r, resp); });
  });
  auto* create = cmd->add_subcommand("create", "a role's learning path (KPO, org admin)");
  create->add_option("id", o.id)->required();
  create->add_option("--title", o.title)->required();
  create->add_option("--role", o.role, kRoles)->required();
  create->add_option("--module", o.modules, "module id, in order (repeatable)")->required();
  create->callback([&rc] {
    pb::CreateLearningPathRequest r;
    r.set_parent(OrgName());
    r.set_learning_path_id(o.id);
    r.mutable_learning_path()->set_title(o.title);
    r.mutable_learning_path()->set_role(Role(o.role));
    for (const auto& m : o.modules) {
      r.mutable_learning_path()->add_modules(Name("trainingModules", m));
    }
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::LearningPath>(
        [&](auto* ctx, auto* resp) { return stub->CreateLearningPath(ctx, r, resp); });
  });
  auto* update = cmd->add_subcommand("update", "change the title or the modules (replaced)");
  update->add_option("id", o.id)->required();
  update->add_option("--title", o.title);
  update->add_option("--module", o.modules, "module id, in order (repeatable)");
  update->callback([&rc] {
    pb::UpdateLearningPathRequest r;
    r.mutable_learning_path()->set_name(Name("learningPaths", o.id));
    if (!o.title.empty()) {
      r.mutable_learning_path()->set_title(o.title);
      r.mutable_update_mask()->add_paths("title");
    }
    for (const auto& m : o.modules) {
      r.mutable_learning_path()->add_modules(Name("trainingModules", m));
    }
    if (!o.modules.empty()) r.mutable_update_mask()->add_paths("modules");
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::LearningPath>(
        [&](auto* ctx, auto* resp) { return stub->UpdateLearningPath(ctx, r, resp); });
  });
  auto* retire = cmd->add_subcommand("retire", "retire a learning path");
  retire->add_option("id", o.id)->required();
  retire->callback([&rc] {
    pb::DeactivateLearningPathRequest r;
    r.set_name(Name("learningPaths", o.id));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::LearningPath>(
        [&](auto* ctx, auto* resp) { return stub->DeactivateLearningPath(ctx, r, resp); });
  });
}

void AddSessions(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("training-sessions", "scheduled deliveries of a module")
                  ->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "sessions by start time");
  list->add_option("--site", o.site, "site id");
  list->add_option("--module", o.module, "module id");
  list->add_option("--after", o.after, "only those starting at or after this RFC 3339 time");
  list->add_flag("--all", o.all, "cancelled ones too");
  list->callback([&rc] {
    pb::ListTrainingSessionsRequest r;
    r.set_parent(OrgName());
    r.set_page_size(100);
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    if (!o.module.empty()) r.set_module(Name("trainingModules", o.module));
    if (!o.after.empty()) *r.mutable_start_after() = ParseInstant(o.after);
    r.set_show_cancelled(o.all);
    auto stub = Stub();
    rc = ListAll<pb::ListTrainingSessionsRequest, pb::ListTrainingSessionsResponse,
                 pb::TrainingSession>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListTrainingSessions(ctx, req, resp);
        },
        [](const pb::ListTrainingSessionsResponse& resp) -> const auto& {
          return resp.training_sessions();
        },
        "training_sessions",
        {"ID", "MODULE", "STARTS", "SITE", "PLACE", "TRAINER", "SEATS", "WAITING", "STATE"},
        [](const pb::TrainingSession& s) -> std::vector<std::string> {
          return {ShortName(s.name()),
                  ShortName(s.module()),
                  Instant(s.start_time()),
                  ShortName(s.site()),
                  s.place(),
                  ShortName(s.trainer()),
                  absl::StrCat(s.enrolled_count(), "/", s.capacity()),
                  absl::StrCat(s.waitlisted_count()),
                  Lower(std::string(absl::StripPrefix(pb::TrainingSessionState_Name(s.state()),
                                                      "TRAINING_SESSION_STATE_")))};
        });
  });
  auto* get = cmd->add_subcommand("get", "one session with its seats");
  get->add_option("id", o.session)->required();
  get->callback([&rc] {
    pb::GetTrainingSessionRequest r;
    r.set_name(SessionName());
    auto stub = Stub();
    rc = Unary<pb::TrainingSession>(
        [&](auto* ctx, auto* resp) { return stub->GetTrainingSession(ctx, r, resp); });
  });
  auto* schedule = cmd->add_subcommand("schedule", "schedule a session (KPO, org admin)");
  schedule->add_option("id", o.session)->required();
  schedule->add_option("--module", o.module, "module id")->required();
  schedule->add_option("--trainer", o.trainer, "person id")->required();
  schedule->add_option("--site", o.site, "site id")->required();
  schedule->add_option("--place", o.place, "where at the site")->required();
  schedule->add_option("--start", o.start, "RFC 3339, e.g. 2026-12-01T08:00:00+01:00")->required();
  schedule->add_option("--capacity", o.capacity, "seats, 1..500")->required();
  schedule->callback([&rc] {
    pb::CreateTrainingSessionRequest r;
    r.set_parent(OrgName());
    r.set_training_session_id(o.session);
    auto* s = r.mutable_training_session();
    s->set_module(Name("trainingModules", o.module));
    s->set_trainer(Name("people", o.trainer));
    s->set_site(Name("sites", o.site));
    s->set_place(o.place);
    *s->mutable_start_time() = ParseInstant(o.start);
    s->set_capacity(o.capacity);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::TrainingSession>(
        [&](auto* ctx, auto* resp) { return stub->CreateTrainingSession(ctx, r, resp); });
  });
  auto* update = cmd->add_subcommand("update", "change trainer, place, start or capacity");
  update->add_option("id", o.session)->required();
  update->add_option("--trainer", o.trainer, "person id");
  update->add_option("--place", o.place);
  update->add_option("--start", o.start, "RFC 3339");
  update->add_option("--capacity", o.capacity, "seats; more seats go to the waiting list");
  update->callback([&rc] {
    pb::UpdateTrainingSessionRequest r;
    auto* s = r.mutable_training_session();
    s->set_name(SessionName());
    auto* mask = r.mutable_update_mask();
    if (!o.trainer.empty()) {
      s->set_trainer(Name("people", o.trainer));
      mask->add_paths("trainer");
    }
    if (!o.place.empty()) {
      s->set_place(o.place);
      mask->add_paths("place");
    }
    if (!o.start.empty()) {
      *s->mutable_start_time() = ParseInstant(o.start);
      mask->add_paths("start_time");
    }
    if (o.capacity != 0) {
      s->set_capacity(o.capacity);
      mask->add_paths("capacity");
    }
    if (mask->paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::TrainingSession>(
        [&](auto* ctx, auto* resp) { return stub->UpdateTrainingSession(ctx, r, resp); });
  });
  auto* cancel = cmd->add_subcommand("cancel", "cancel a session and its enrolments");
  cancel->add_option("id", o.session)->required();
  cancel->callback([&rc] {
    pb::CancelTrainingSessionRequest r;
    r.set_name(SessionName());
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::TrainingSession>(
        [&](auto* ctx, auto* resp) { return stub->CancelTrainingSession(ctx, r, resp); });
  });
}

void AddEnrolments(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("enrolments", "who takes a session; attendance and completion")
                  ->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "a session's roster, or a person's training record");
  list->add_option("session", o.session, "session id; omit with --person for every session");
  list->add_option("--person", o.person, "person id");
  list->add_option("--state", o.state,
                   "enrolled, waitlisted, cancelled, attended, completed, no_show");
  list->callback([&rc] {
    pb::ListEnrolmentsRequest r;
    r.set_parent(o.session.empty() ? Name("trainingSessions", "-") : SessionName());
    r.set_page_size(200);
    if (!o.person.empty()) r.set_person(Name("people", o.person));
    if (!o.state.empty()) {
      r.set_state(ParseEnum<pb::EnrolmentState>(
          o.state, pb::EnrolmentState_Parse, "state",
          "enrolled, waitlisted, cancelled, attended, completed, no_show", "ENROLMENT_STATE_"));
    }
    auto stub = Stub();
    rc = ListAll<pb::ListEnrolmentsRequest, pb::ListEnrolmentsResponse, pb::Enrolment>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListEnrolments(ctx, req, resp);
        },
        [](const pb::ListEnrolmentsResponse& resp) -> const auto& { return resp.enrolments(); },
        "enrolments", {"SESSION", "PERSON", "STATE", "WAITING #", "SCORE", "ENROLLED BY"},
        [](const pb::Enrolment& e) -> std::vector<std::string> {
          const std::string session = e.name().substr(0, e.name().rfind("/enrolments/"));
          return {ShortName(session),
                  ShortName(e.person()),
                  Lower(std::string(
                      absl::StripPrefix(pb::EnrolmentState_Name(e.state()), "ENROLMENT_STATE_"))),
                  e.waitlist_position() > 0 ? absl::StrCat(e.waitlist_position()) : "",
                  e.recorded_by().empty() ? "" : absl::StrCat(e.score_percent()),
                  ShortName(e.enrolled_by())};
        });
  });
  auto* enrol = cmd->add_subcommand("enrol", "enrol a person (themself, a manager, the KPO)");
  enrol->add_option("session", o.session)->required();
  enrol->add_option("person", o.person)->required();
  enrol->add_flag("--waitlist", o.waitlist, "when full, join the waiting list");
  enrol->callback([&rc] {
    pb::CreateEnrolmentRequest r;
    r.set_parent(SessionName());
    r.set_person(Name("people", o.person));
    r.set_join_waitlist(o.waitlist);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Enrolment>(
        [&](auto* ctx, auto* resp) { return stub->CreateEnrolment(ctx, r, resp); });
  });
  auto* cancel = cmd->add_subcommand("cancel", "cancel an enrolment; the seat goes to the next");
  cancel->add_option("session", o.session)->required();
  cancel->add_option("person", o.person)->required();
  cancel->callback([&rc] {
    pb::CancelEnrolmentRequest r;
    r.set_name(EnrolmentName());
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Enrolment>(
        [&](auto* ctx, auto* resp) { return stub->CancelEnrolment(ctx, r, resp); });
  });
  auto* outcome = cmd->add_subcommand("outcome", "after the session: attended (passed?) or not");
  outcome->add_option("session", o.session)->required();
  outcome->add_option("person", o.person)->required();
  outcome->add_flag("--no-show", o.no_show, "did not come");
  outcome->add_flag("--passed", o.passed, "attended and passed: a completion");
  outcome->add_option("--score", o.score, "percent, 0..100");
  outcome->callback([&rc] {
    pb::RecordTrainingOutcomeRequest r;
    r.set_name(EnrolmentName());
    r.set_attended(!o.no_show);
    r.set_passed(o.passed);
    r.set_score_percent(o.score);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Enrolment>(
        [&](auto* ctx, auto* resp) { return stub->RecordTrainingOutcome(ctx, r, resp); });
  });
}

}  // namespace

void AddCurriculumCommands(CLI::App& app, int& rc) {
  AddModules(app, rc);
  AddPaths(app, rc);
  AddSessions(app, rc);
  AddEnrolments(app, rc);
}

}  // namespace kpo::kpoctl
