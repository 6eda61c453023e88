#include "development_commands.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli.h"
#include "kpo/core/ids.h"
#include "kpo/people/v1/development_service.grpc.pb.h"
#include "output.h"
#include "values.h"

namespace kpo::kpoctl {
namespace {

namespace pb = kpo::people::v1;

std::unique_ptr<pb::PeopleDevelopmentService::Stub> Stub() {
  return pb::PeopleDevelopmentService::NewStub(Channel(g.people));
}

constexpr char kRoles[] =
    "team_member, team_leader, middle_manager, senior_leader, kpo_specialist, external_sensei, "
    "org_admin, finance";

struct Opts {
  std::string id, person, competency, name, kind, description, role, date, evidence, assessor, site,
      area;
  std::string reason, mentee, title, state, kpo_level, business_unit, value_stream, start, end,
      cost;
  int share = 0;
  bool pool = false;
  std::vector<std::string> levels, targets, columns, streams;
  int level = -1;
  bool all = false, gaps_only = false;
};
Opts o;

pb::CompetencyKind Kind(const std::string& text) {
  return ParseEnum<pb::CompetencyKind>(text, pb::CompetencyKind_Parse, "kind", "core, technical",
                                       "COMPETENCY_KIND_");
}

// "competency=level" -> a target.
pb::CompetencyTarget ParseTarget(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, '=');
  int level = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &level)) {
    Usage("--target is competency=level (e.g. pdca=3): '" + text + "'");
  }
  pb::CompetencyTarget t;
  t.set_competency(Name("competencies", parts[0]));
  t.set_level(level);
  return t;
}

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

std::string KindName(pb::CompetencyKind k) {
  return Lower(std::string(absl::StripPrefix(pb::CompetencyKind_Name(k), "COMPETENCY_KIND_")));
}

std::vector<std::string> CompetencyRow(const pb::Competency& c) {
  return {ShortName(c.name()), c.display_name(), KindName(c.kind()), c.built_in() ? "yes" : "no",
          Lower(pb::ResourceState_Name(c.state()))};
}

// "2/3*": the latest level ("-" when never assessed), the target when there is one,
// and "*" when below it.
std::string Cell(bool assessed, int level, int target, int gap) {
  std::string out = assessed ? absl::StrCat(level) : "-";
  if (target > 0) absl::StrAppend(&out, "/", target);
  if (gap > 0) out += "*";
  return out;
}

void AddCompetencies(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("competencies", "the competency model (0 none ... 4 can teach)")
                  ->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "the organization's competencies");
  list->add_option("--kind", o.kind, "core or technical");
  list->add_flag("--all", o.all, "retired ones too");
  list->callback([&rc] {
    pb::ListCompetenciesRequest r;
    r.set_parent(OrgName());
    r.set_page_size(200);
    if (!o.kind.empty()) r.set_kind(Kind(o.kind));
    r.set_show_inactive(o.all);
    auto stub = Stub();
    rc = ListAll<pb::ListCompetenciesRequest, pb::ListCompetenciesResponse, pb::Competency>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListCompetencies(ctx, req, resp);
        },
        [](const pb::ListCompetenciesResponse& resp) -> const auto& { return resp.competencies(); },
        "competencies", {"ID", "NAME", "KIND", "BUILT IN", "STATE"}, CompetencyRow);
  });
  auto* get = cmd->add_subcommand("get", "one competency with the meaning of each level");
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetCompetencyRequest r;
    r.set_name(Name("competencies", o.id));
    auto stub = Stub();
    rc = Unary<pb::Competency>(
        [&](auto* ctx, auto* resp) { return stub->GetCompetency(ctx, r, resp); });
  });
  auto* create = cmd->add_subcommand("create", "a competency of the organization's own");
  create->add_option("id", o.id)->required();
  create->add_option("--name", o.name, "display name")->required();
  create->add_option("--kind", o.kind, "core or technical")->required();
  create->add_option("--description", o.description);
  create->add_option("--level", o.levels, "what level 0, 1, 2, 3, 4 means (five times, in order)")
      ->required();
  create->callback([&rc] {
    pb::CreateCompetencyRequest r;
    r.set_parent(OrgName());
    r.set_competency_id(o.id);
    r.mutable_competency()->set_display_name(o.name);
    r.mutable_competency()->set_kind(Kind(o.kind));
    r.mutable_competency()->set_description(o.description);
    for (const auto& l : o.levels) r.mutable_competency()->add_level_definitions(l);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Competency>(
        [&](auto* ctx, auto* resp) { return stub->CreateCompetency(ctx, r, resp); });
  });
  auto* update = cmd->add_subcommand("update", "reword a competency (built-in ones too)");
  update->add_option("id", o.id)->required();
  update->add_option("--name", o.name, "display name");
  update->add_option("--description", o.description);
  update->add_option("--level", o.levels, "what level 0..4 means (five times, in order)");
  update->callback([&rc] {
    pb::UpdateCompetencyRequest r;
    r.mutable_competency()->set_name(Name("competencies", o.id));
    if (!o.name.empty()) {
      r.mutable_competency()->set_display_name(o.name);
      r.mutable_update_mask()->add_paths("display_name");
    }
    if (!o.description.empty()) {
      r.mutable_competency()->set_description(o.description);
      r.mutable_update_mask()->add_paths("description");
    }
    if (!o.levels.empty()) {
      for (const auto& l : o.levels) r.mutable_competency()->add_level_definitions(l);
      r.mutable_update_mask()->add_paths("level_definitions");
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Competency>(
        [&](auto* ctx, auto* resp) { return stub->UpdateCompetency(ctx, r, resp); });
  });
  auto* retire = cmd->add_subcommand("deactivate", "retire a competency no profile targets");
  retire->add_option("id", o.id)->required();
  retire->callback([&rc] {
    pb::DeactivateCompetencyRequest r;
    r.set_name(Name("competencies", o.id));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Competency>(
        [&](auto* ctx, auto* resp) { return stub->DeactivateCompetency(ctx, r, resp); });
  });
}

void AddTargetProfiles(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("target-profiles", "what each role is expected to master")
                  ->require_subcommand(1);
  auto* create = cmd->add_subcommand("create", "a role's target profile");
  create->add_option("id", o.id, "profile id; generated if omitted");
  create->add_option("--name", o.name, "display name")->required();
  create->add_option("--role", o.role, kRoles)->required();
  create->add_option("--target", o.targets, "competency=level (repeatable)")->required();
  create->add_option("--kpo-level", o.kpo_level,
                     "kpo_specialist only: corporate, business_unit or value_stream");
  create->callback([&rc] {
    pb::CreateTargetProfileRequest r;
    r.set_parent(OrgName());
    r.set_target_profile_id(o.id);
    r.mutable_target_profile()->set_display_name(o.name);
    r.mutable_target_profile()->set_role(
        ParseEnum<pb::Role>(o.role, pb::Role_Parse, "role", kRoles));
    if (!o.kpo_level.empty()) {
      r.mutable_target_profile()->set_kpo_level(
          ParseEnum<pb::KpoLevel>(o.kpo_level, pb::KpoLevel_Parse, "KPO level",
                                  "corporate, business_unit, value_stream", "KPO_LEVEL_"));
    }
    for (const auto& t : o.targets) *r.mutable_target_profile()->add_targets() = ParseTarget(t);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::TargetProfile>(
        [&](auto* ctx, auto* resp) { return stub->CreateTargetProfile(ctx, r, resp); });
  });
  auto* list = cmd->add_subcommand("list", "target profiles");
  list->add_option("--role", o.role, kRoles);
  list->add_flag("--all", o.all, "deactivated ones too");
  list->callback([&rc] {
    pb::ListTargetProfilesRequest r;
    r.set_parent(OrgName());
    r.set_page_size(200);
    if (!o.role.empty()) r.set_role(ParseEnum<pb::Role>(o.role, pb::Role_Parse, "role", kRoles));
    r.set_show_inactive(o.all);
    auto stub = Stub();
    rc = ListAll<pb::ListTargetProfilesRequest, pb::ListTargetProfilesResponse, pb::TargetProfile>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListTargetProfiles(ctx, req, resp);
        },
        [](const pb::ListTargetProfilesResponse& resp) -> const auto& {
          return resp.target_profiles();
        },
        "target_profiles", {"ID", "NAME", "ROLE", "TARGETS", "STATE"},
        [](const pb::TargetProfile& t) -> std::vector<std::string> {
          std::string targets;
          for (const auto& x : t.targets()) {
            absl::StrAppend(&targets, targets.empty() ? "" : " ", ShortName(x.competency()), "=",
                            x.level());
          }
          return {ShortName(t.name()), t.display_name(), Lower(pb::Role_Name(t.role())), targets,
                  Lower(pb::ResourceState_Name(t.state()))};
        });
  });
  auto* get = cmd->add_subcommand("get", "one target profile");
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetTargetProfileRequest r;
    r.set_name(Name("targetProfiles", o.id));
    auto stub = Stub();
    rc = Unary<pb::TargetProfile>(
        [&](auto* ctx, auto* resp) { return stub->GetTargetProfile(ctx, r, resp); });
  });
  auto* update = cmd->add_subcommand("update", "rename, or replace the targets");
  update->add_option("id", o.id)->required();
  update->add_option("--name", o.name, "display name");
  update->add_option("--target", o.targets, "competency=level (repeatable; replaces all)");
  update->callback([&rc] {
    pb::UpdateTargetProfileRequest r;
    r.mutable_target_profile()->set_name(Name("targetProfiles", o.id));
    if (!o.name.empty()) {
      r.mutable_target_profile()->set_display_name(o.name);
      r.mutable_update_mask()->add_paths("display_name");
    }
    if (!o.targets.empty()) {
      for (const auto& t : o.targets) *r.mutable_target_profile()->add_targets() = ParseTarget(t);
      r.mutable_update_mask()->add_paths("targets");
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::TargetProfile>(
        [&](auto* ctx, auto* resp) { return stub->UpdateTargetProfile(ctx, r, resp); });
  });
  auto* off = cmd->add_subcommand("deactivate", "free the role for another profile");
  off->add_option("id", o.id)->required();
  off->callback([&rc] {
    pb::DeactivateTargetProfileRequest r;
    r.set_name(Name("targetProfiles", o.id));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::TargetProfile>(
        [&](auto* ctx, auto* resp) { return stub->DeactivateTargetProfile(ctx, r, resp); });
  });
}

void AddAssessments(CLI::App& app, int& rc) {
  auto* cmd =
      app.add_subcommand("assessments", "skills-matrix assessments (0..4)")->require_subcommand(1);
  auto* record = cmd->add_subcommand("record", "assess a person in a competency");
  record->add_option("person", o.person)->required();
  record->add_option("competency", o.competency)->required();
  record
      ->add_option("level", o.level,
                   "0 none, 1 knows, 2 applies with support, 3 applies "
                   "independently, 4 can teach")
      ->required();
  record->add_option("--date", o.date, "YYYY-MM-DD; today by default");
  record->add_option("--evidence", o.evidence, "what the level rests on");
  record->callback([&rc] {
    pb::CreateAssessmentRequest r;
    r.set_parent(Name("people", o.person));
    r.mutable_assessment()->set_competency(Name("competencies", o.competency));
    r.mutable_assessment()->set_level(o.level);
    *r.mutable_assessment()->mutable_assess_date() = DateOrToday(o.date);
    r.mutable_assessment()->set_evidence(o.evidence);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Assessment>(
        [&](auto* ctx, auto* resp) { return stub->CreateAssessment(ctx, r, resp); });
  });
  auto* list = cmd->add_subcommand("list", "the history, oldest first");
  list->add_option("person", o.person, "person id; everyone if omitted");
  list->add_option("--competency", o.competency, "competency id");
  list->add_option("--assessor", o.assessor, "person id");
  list->callback([&rc] {
    pb::ListAssessmentsRequest r;
    r.set_parent(Name("people", o.person.empty() ? "-" : o.person));
    r.set_page_size(500);
    if (!o.competency.empty()) r.set_competency(Name("competencies", o.competency));
    if (!o.assessor.empty()) r.set_assessor(Name("people", o.assessor));
    auto stub = Stub();
    rc = ListAll<pb::ListAssessmentsRequest, pb::ListAssessmentsResponse, pb::Assessment>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListAssessments(ctx, req, resp);
        },
        [](const pb::ListAssessmentsResponse& resp) -> const auto& { return resp.assessments(); },
        "assessments", {"DATE", "PERSON", "COMPETENCY", "LEVEL", "ASSESSOR", "EVIDENCE"},
        [](const pb::Assessment& a) -> std::vector<std::string> {
          return {FormatDate(a.assess_date()),
                  ShortName(a.person()),
                  ShortName(a.competency()),
                  absl::StrCat(a.level()),
                  ShortName(a.assessor()),
                  a.evidence().size() > 40 ? a.evidence().substr(0, 37) + "..." : a.evidence()};
        });
  });
  auto* get = cmd->add_subcommand("get", "one assessment");
  get->add_option("person", o.person)->required();
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetAssessmentRequest r;
    r.set_name(Name("people", o.person) + "/assessments/" + o.id);
    auto stub = Stub();
    rc = Unary<pb::Assessment>(
        [&](auto* ctx, auto* resp) { return stub->GetAssessment(ctx, r, resp); });
  });
}

void AddSkills(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("skills", "levels against targets: a person, a site or area")
                  ->require_subcommand(1);
  auto* profile = cmd->add_subcommand("profile", "a person's competencies against their roles");
  profile->add_option("person", o.person)->required();
  profile->callback([&rc] {
    pb::GetCompetencyProfileRequest r;
    r.set_name(Name("people", o.person) + "/competencyProfile");
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::CompetencyProfile resp;
    grpc::Status s = Stub()->GetCompetencyProfile(&ctx, r, &resp);
    if (!s.ok()) {
      rc = Fail(s);
      return;
    }
    if (g.output == "json") {
      Render(resp);
      return;
    }
    Table t({"COMPETENCY", "KIND", "LEVEL", "TARGET", "GAP", "ASSESSED"});
    for (const auto& c : resp.competencies()) {
      t.Add({ShortName(c.competency()), KindName(c.kind()), absl::StrCat(c.level()),
             absl::StrCat(c.target_level()), absl::StrCat(c.gap()),
             c.assessment().empty() ? "never" : FormatDate(c.assess_date())});
    }
    Show(t);
    std::cout << resp.competencies_below_target() << " below target, total gap " << resp.total_gap()
              << "\n";
  });
  auto* matrix = cmd->add_subcommand("matrix", "people x competencies of a site or area");
  matrix->add_option("--site", o.site, "site id");
  matrix->add_option("--area", o.area, "site/area");
  matrix->add_option("--competency", o.columns, "column (repeatable); targeted ones by default");
  matrix->add_flag("--gaps-only", o.gaps_only, "only people below a target");
  matrix->callback([&rc] {
    pb::QuerySkillsMatrixRequest r;
    r.set_parent(OrgName());
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    if (!o.area.empty()) {
      std::vector<std::string> parts = absl::StrSplit(o.area, '/');
      if (parts.size() != 2) Usage("--area is site/area: '" + o.area + "'");
      r.set_area(AreaName(parts[0], parts[1]));
    }
    for (const auto& c : o.columns) r.add_competencies(Name("competencies", c));
    r.set_gaps_only(o.gaps_only);
    r.set_page_size(500);
    auto stub = Stub();
    pb::QuerySkillsMatrixResponse all;
    do {
      grpc::ClientContext ctx;
      Prepare(ctx);
      pb::QuerySkillsMatrixResponse page;
      grpc::Status s = stub->QuerySkillsMatrix(&ctx, r, &page);
      if (!s.ok()) {
        rc = Fail(s);
        return;
      }
      if (all.columns().empty()) *all.mutable_columns() = page.columns();
      for (auto& row : *page.mutable_rows()) *all.add_rows() = std::move(row);
      r.set_page_token(page.next_page_token());
    } while (!r.page_token().empty());
    if (g.output == "json") {
      Render(all);
      return;
    }
    std::vector<std::string> headers = {"PERSON"};
    for (const auto& c : all.columns()) headers.push_back(ShortName(c.competency()));
    Table t(headers);
    for (const auto& row : all.rows()) {
      std::vector<std::string> cells = {ShortName(row.person())};
      for (const auto& c : row.cells()) {
        cells.push_back(Cell(c.assessed(), c.level(), c.target_level(), c.gap()));
      }
      t.Add(std::move(cells));
    }
    Show(t);
    std::cout << all.rows_size() << " people; level/target, - never assessed, * below target\n";
  });
}

constexpr char kEvidenceKinds[] =
    "kaizen_participation, kaizen_facilitation, value_stream_analysis, mentoring, "
    "idea_implemented, practice_adopted, practice_spread, transformation_project";

std::string Short(const std::string& enum_name, const char* prefix) {
  return Lower(std::string(absl::StripPrefix(enum_name, prefix)));
}

void AddEvidence(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("evidence", "certification portfolios: evidence per person")
                  ->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "a person's portfolio (everyone's if omitted)");
  list->add_option("person", o.person, "person id");
  list->add_option("--kind", o.kind, kEvidenceKinds);
  list->add_option("--state", o.state, "pending, counted or rejected");
  list->callback([&rc] {
    pb::ListEvidenceRequest r;
    r.set_parent(Name("people", o.person.empty() ? "-" : o.person));
    r.set_page_size(1000);
    if (!o.kind.empty()) {
      r.set_kind(ParseEnum<pb::EvidenceKind>(o.kind, pb::EvidenceKind_Parse, "kind", kEvidenceKinds,
                                             "EVIDENCE_KIND_"));
    }
    if (!o.state.empty()) {
      r.set_state(ParseEnum<pb::EvidenceState>(o.state, pb::EvidenceState_Parse, "state",
                                               "pending, counted, rejected", "EVIDENCE_STATE_"));
    }
    auto stub = Stub();
    rc = ListAll<pb::ListEvidenceRequest, pb::ListEvidenceResponse, pb::Evidence>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) { return stub->ListEvidence(ctx, req, resp); },
        [](const pb::ListEvidenceResponse& resp) -> const auto& { return resp.evidence(); },
        "evidence", {"DATE", "PERSON", "KIND", "STATE", "TITLE", "SOURCE"},
        [](const pb::Evidence& e) -> std::vector<std::string> {
          return {FormatDate(e.date()),
                  ShortName(e.person()),
                  Short(pb::EvidenceKind_Name(e.kind()), "EVIDENCE_KIND_"),
                  Short(pb::EvidenceState_Name(e.state()), "EVIDENCE_STATE_"),
                  e.title().size() > 40 ? e.title().substr(0, 37) + "..." : e.title(),
                  e.source().empty() ? "by hand" : ShortName(e.source())};
        });
  });
  auto* get = cmd->add_subcommand("get", "one piece of evidence");
  get->add_option("person", o.person)->required();
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetEvidenceRequest r;
    r.set_name(Name("people", o.person) + "/evidence/" + o.id);
    auto stub = Stub();
    rc =
        Unary<pb::Evidence>([&](auto* ctx, auto* resp) { return stub->GetEvidence(ctx, r, resp); });
  });
  auto* add = cmd->add_subcommand("add", "hand-entered evidence, pending a certifier");
  add->add_option("person", o.person)->required();
  add->add_option("id", o.id, "evidence id; generated if omitted");
  add->add_option("--kind", o.kind, kEvidenceKinds)->required();
  add->add_option("--title", o.title)->required();
  add->add_option("--description", o.description, "the work as PDCA");
  add->add_option("--date", o.date, "YYYY-MM-DD; today by default");
  add->add_option("--site", o.site, "site id")->required();
  add->add_option("--area", o.area, "area id of --site");
  add->add_option("--value-stream", o.streams, "site/area (repeatable)");
  add->add_option("--mentee", o.mentee, "person id (mentoring)");
  add->callback([&rc] {
    pb::CreateEvidenceRequest r;
    r.set_parent(Name("people", o.person));
    r.set_evidence_id(o.id);
    pb::Evidence* e = r.mutable_evidence();
    e->set_kind(ParseEnum<pb::EvidenceKind>(o.kind, pb::EvidenceKind_Parse, "kind", kEvidenceKinds,
                                            "EVIDENCE_KIND_"));
    e->set_title(o.title);
    e->set_description(o.description);
    *e->mutable_date() = DateOrToday(o.date);
    e->set_site(Name("sites", o.site));
    if (!o.area.empty()) e->set_area(AreaName(o.site, o.area));
    for (const auto& vs : o.streams) {
      std::vector<std::string> parts = absl::StrSplit(vs, '/');
      if (parts.size() != 2) Usage("--value-stream is site/area: '" + vs + "'");
      e->add_value_streams(AreaName(parts[0], parts[1]));
    }
    if (!o.mentee.empty()) e->set_mentee(Name("people", o.mentee));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Evidence>(
        [&](auto* ctx, auto* resp) { return stub->CreateEvidence(ctx, r, resp); });
  });
  auto* approve = cmd->add_subcommand("approve", "a certifier counts pending evidence");
  approve->add_option("person", o.person)->required();
  approve->add_option("id", o.id)->required();
  approve->callback([&rc] {
    pb::ApproveEvidenceRequest r;
    r.set_name(Name("people", o.person) + "/evidence/" + o.id);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Evidence>(
        [&](auto* ctx, auto* resp) { return stub->ApproveEvidence(ctx, r, resp); });
  });
  auto* reject = cmd->add_subcommand("reject", "a certifier returns pending evidence");
  reject->add_option("person", o.person)->required();
  reject->add_option("id", o.id)->required();
  reject->add_option("--reason", o.reason, "what is missing")->required();
  reject->callback([&rc] {
    pb::RejectEvidenceRequest r;
    r.set_name(Name("people", o.person) + "/evidence/" + o.id);
    r.set_reason(o.reason);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Evidence>(
        [&](auto* ctx, auto* resp) { return stub->RejectEvidence(ctx, r, resp); });
  });
}

constexpr char kLevels[] = "corporate, business_unit, value_stream";

// The membership from the flags given; the update mask lists them.
void FillMember(pb::KpoMember* m, google::protobuf::FieldMask* mask) {
  auto set = [&](bool given, const char* path) {
    if (given && mask != nullptr) mask->add_paths(path);
  };
  if (!o.kpo_level.empty()) {
    m->set_level(
        ParseEnum<pb::KpoLevel>(o.kpo_level, pb::KpoLevel_Parse, "level", kLevels, "KPO_LEVEL_"));
  }
  set(!o.kpo_level.empty(), "level");
  m->set_business_unit(o.business_unit);
  set(!o.business_unit.empty() || !o.kpo_level.empty(), "business_unit");
  if (!o.value_stream.empty()) {
    std::vector<std::string> parts = absl::StrSplit(o.value_stream, '/');
    if (parts.size() != 2) Usage("--value-stream is site/area: '" + o.value_stream + "'");
    m->set_value_stream(AreaName(parts[0], parts[1]));
  }
  set(!o.value_stream.empty() || !o.kpo_level.empty(), "value_stream");
  m->set_time_share_percent(o.share);
  set(o.share != 0, "time_share_percent");
  m->set_kaizen_pool(o.pool);
  set(o.pool, "kaizen_pool");
  if (!o.start.empty()) *m->mutable_start_date() = Must(ParseDate(o.start));
  if (!o.end.empty()) *m->mutable_end_date() = Must(ParseDate(o.end));
  set(!o.end.empty(), "end_date");
  if (!o.cost.empty()) *m->mutable_cost_per_month() = Must(ParseMoney(o.cost));
  set(!o.cost.empty(), "cost_per_month");
}

void AddKpoOffice(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("kpo-office", "who is in the KPO, at which level and cost")
                  ->require_subcommand(1);
  auto member_flags = [](CLI::App* sub) {
    sub->add_option("--level", o.kpo_level, kLevels);
    sub->add_option("--business-unit", o.business_unit, "business unit (business_unit level)");
    sub->add_option("--value-stream", o.value_stream, "site/area (value_stream level)");
    sub->add_option("--share", o.share, "percent of their time, 1..100");
    sub->add_flag("--kaizen-pool", o.pool, "a temporary kaizen-pool member (needs --end)");
    sub->add_option("--end", o.end, "YYYY-MM-DD");
    sub->add_option("--cost", o.cost, "a full month's cost, e.g. EUR:8200.00");
  };
  auto* add = cmd->add_subcommand("add", "a person joins the KPO");
  add->add_option("person", o.person)->required();
  add->add_option("id", o.id, "membership id; generated if omitted");
  member_flags(add);
  add->add_option("--start", o.start, "YYYY-MM-DD; today by default");
  add->callback([&rc] {
    pb::CreateKpoMemberRequest r;
    r.set_parent(OrgName());
    r.set_kpo_member_id(o.id);
    r.mutable_kpo_member()->set_person(Name("people", o.person));
    FillMember(r.mutable_kpo_member(), nullptr);
    if (o.start.empty()) *r.mutable_kpo_member()->mutable_start_date() = DateOrToday("");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::KpoMember>(
        [&](auto* ctx, auto* resp) { return stub->CreateKpoMember(ctx, r, resp); });
  });
  auto* list = cmd->add_subcommand("list", "the KPO's members");
  list->add_option("--level", o.kpo_level, kLevels);
  list->add_flag("--all", o.all, "those who left too");
  list->callback([&rc] {
    pb::ListKpoMembersRequest r;
    r.set_parent(OrgName());
    r.set_page_size(500);
    if (!o.kpo_level.empty()) {
      r.set_level(
          ParseEnum<pb::KpoLevel>(o.kpo_level, pb::KpoLevel_Parse, "level", kLevels, "KPO_LEVEL_"));
    }
    r.set_show_inactive(o.all);
    auto stub = Stub();
    rc = ListAll<pb::ListKpoMembersRequest, pb::ListKpoMembersResponse, pb::KpoMember>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListKpoMembers(ctx, req, resp);
        },
        [](const pb::ListKpoMembersResponse& resp) -> const auto& { return resp.kpo_members(); },
        "kpo_members",
        {"ID", "PERSON", "LEVEL", "SCOPE", "SHARE", "POOL", "FROM", "TO", "COST/MONTH"},
        [](const pb::KpoMember& m) -> std::vector<std::string> {
          return {ShortName(m.name()),
                  ShortName(m.person()),
                  Short(pb::KpoLevel_Name(m.level()), "KPO_LEVEL_"),
                  !m.business_unit().empty() ? m.business_unit() : ShortName(m.value_stream()),
                  absl::StrCat(m.time_share_percent(), "%"),
                  m.kaizen_pool() ? "yes" : "",
                  FormatDate(m.start_date()),
                  m.has_end_date() ? FormatDate(m.end_date()) : "",
                  m.has_cost_per_month() ? FormatMoney(m.cost_per_month()) : "(hidden)"};
        });
  });
  auto* get = cmd->add_subcommand("get", "one membership");
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetKpoMemberRequest r;
    r.set_name(Name("kpoMembers", o.id));
    auto stub = Stub();
    rc = Unary<pb::KpoMember>(
        [&](auto* ctx, auto* resp) { return stub->GetKpoMember(ctx, r, resp); });
  });
  auto* update = cmd->add_subcommand("update", "change level, share, pool, end or cost");
  update->add_option("id", o.id)->required();
  member_flags(update);
  update->callback([&rc] {
    pb::UpdateKpoMemberRequest r;
    r.mutable_kpo_member()->set_name(Name("kpoMembers", o.id));
    FillMember(r.mutable_kpo_member(), r.mutable_update_mask());
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::KpoMember>(
        [&](auto* ctx, auto* resp) { return stub->UpdateKpoMember(ctx, r, resp); });
  });
  auto* leave = cmd->add_subcommand("leave", "the person leaves the KPO");
  leave->add_option("id", o.id)->required();
  leave->callback([&rc] {
    pb::DeactivateKpoMemberRequest r;
    r.set_name(Name("kpoMembers", o.id));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::KpoMember>(
        [&](auto* ctx, auto* resp) { return stub->DeactivateKpoMember(ctx, r, resp); });
  });
}

}  // namespace

void AddDevelopmentCommands(CLI::App& app, int& rc) {
  AddCompetencies(app, rc);
  AddTargetProfiles(app, rc);
  AddAssessments(app, rc);
  AddSkills(app, rc);
  AddEvidence(app, rc);
  AddKpoOffice(app, rc);
}

}  // namespace kpo::kpoctl
