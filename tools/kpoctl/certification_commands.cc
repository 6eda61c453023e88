#include "certification_commands.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

struct Opts {
  std::string person, id, level, exam, date, statement, reason, state, expire_before;
  std::vector<std::string> requires_;
  int score = 0, validity = 0, warning = -1;
};
Opts o;

constexpr char kLevelChoices[] = "bronze, silver, gold";
constexpr char kKinds[] =
    "kaizen_participation, kaizen_facilitation, value_stream_analysis, mentoring, "
    "idea_implemented, practice_adopted, practice_spread, transformation_project";

pb::CertificationLevel Level(const std::string& text) {
  return ParseEnum<pb::CertificationLevel>(text, pb::CertificationLevel_Parse, "level",
                                           kLevelChoices, "CERTIFICATION_LEVEL_");
}

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

std::string LevelName(pb::CertificationLevel l) {
  return Lower(
      std::string(absl::StripPrefix(pb::CertificationLevel_Name(l), "CERTIFICATION_LEVEL_")));
}

std::string KindName(pb::EvidenceKind k) {
  return Lower(std::string(absl::StripPrefix(pb::EvidenceKind_Name(k), "EVIDENCE_KIND_")));
}

// "kind=count" or "kind=count:streams" -> a requirement.
pb::EvidenceRequirement ParseRequirement(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::ByAnyChar("=:"));
  pb::EvidenceRequirement r;
  int count = 0, streams = 0;
  if (parts.size() < 2 || parts.size() > 3 || !absl::SimpleAtoi(parts[1], &count) ||
      (parts.size() == 3 && !absl::SimpleAtoi(parts[2], &streams))) {
    Usage("--require is kind=count or kind=count:value_streams (e.g. mentoring=3): '" + text + "'");
  }
  r.set_kind(ParseEnum<pb::EvidenceKind>(parts[0], pb::EvidenceKind_Parse, "evidence kind", kKinds,
                                         "EVIDENCE_KIND_"));
  r.set_count(count);
  r.set_min_value_streams(streams);
  return r;
}

std::string RequirementText(const pb::EvidenceRequirement& r) {
  std::string out = absl::StrCat(KindName(r.kind()), "=", r.count());
  if (r.min_value_streams() > 1) absl::StrAppend(&out, " (", r.min_value_streams(), "+ streams)");
  return out;
}

std::string ApplicationName() {
  return Name("people", o.person) + "/certificationApplications/" + o.id;
}

void AddRequirements(CLI::App* cmd, int& rc) {
  auto* req = cmd->add_subcommand("requirements", "what each level asks of a candidate")
                  ->require_subcommand(1);
  auto* list = req->add_subcommand("list", "bronze, silver and gold");
  list->callback([&rc] {
    pb::ListCertificationRequirementsRequest r;
    r.set_parent(OrgName());
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::ListCertificationRequirementsResponse resp;
    grpc::Status s = Stub()->ListCertificationRequirements(&ctx, r, &resp);
    if (!s.ok()) {
      rc = Fail(s);
      return;
    }
    std::vector<pb::CertificationRequirements> all(resp.certification_requirements().begin(),
                                                   resp.certification_requirements().end());
    RenderList<pb::CertificationRequirements>(
        all, "certification_requirements",
        {"LEVEL", "EVIDENCE", "VALID (MONTHS)", "WARNED (DAYS)", "CUSTOMIZED"},
        [](const pb::CertificationRequirements& c) -> std::vector<std::string> {
          std::vector<std::string> items;
          for (const auto& e : c.evidence()) items.push_back(RequirementText(e));
          return {LevelName(c.level()), absl::StrJoin(items, ", "),
                  absl::StrCat(c.validity_months()), absl::StrCat(c.warning_days()),
                  c.customized() ? "yes" : "no"};
        });
  });
  auto* get = req->add_subcommand("get", "one level's requirements");
  get->add_option("level", o.level, kLevelChoices)->required();
  get->callback([&rc] {
    pb::GetCertificationRequirementsRequest r;
    r.set_name(Name("certificationRequirements", LevelName(Level(o.level))));
    auto stub = Stub();
    rc = Unary<pb::CertificationRequirements>(
        [&](auto* ctx, auto* resp) { return stub->GetCertificationRequirements(ctx, r, resp); });
  });
  auto* set = req->add_subcommand("set", "change a level's requirements (KPO, org admin)");
  set->add_option("level", o.level, kLevelChoices)->required();
  set->add_option("--require", o.requires_,
                  "kind=count[:value_streams], repeatable; replaces the whole list");
  set->add_option("--validity-months", o.validity, "1..120");
  set->add_option("--warning-days", o.warning, "0..365");
  set->callback([&rc] {
    pb::UpdateCertificationRequirementsRequest r;
    auto* c = r.mutable_certification_requirements();
    c->set_name(Name("certificationRequirements", LevelName(Level(o.level))));
    for (const auto& text : o.requires_) *c->add_evidence() = ParseRequirement(text);
    if (!o.requires_.empty()) r.mutable_update_mask()->add_paths("evidence");
    if (o.validity != 0) {
      c->set_validity_months(o.validity);
      r.mutable_update_mask()->add_paths("validity_months");
    }
    if (o.warning >= 0) {
      c->set_warning_days(o.warning);
      r.mutable_update_mask()->add_paths("warning_days");
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::CertificationRequirements>(
        [&](auto* ctx, auto* resp) { return stub->UpdateCertificationRequirements(ctx, r, resp); });
  });
}

void PrintProgress(const pb::CertificationProgress& p) {
  std::cout << ShortName(p.person()) << ": " << LevelName(p.level())
            << (p.renewal() ? " (recertification)" : "") << " - "
            << (p.ready() ? "ready to apply" : "not ready yet") << "\n";
  if (p.renewal()) {
    std::cout << "evidence counted from " << FormatDate(p.evidence_since());
    if (p.has_renewable_from())
      std::cout << "; applications open " << FormatDate(p.renewable_from());
    std::cout << "\n";
  }
  if (!p.open_application().empty()) {
    std::cout << "waiting for a certifier: " << ShortName(p.open_application()) << "\n";
  }
  Table t({"NEEDS", "REQUIRED", "COUNTED", "PENDING", "MISSING", "EVIDENCE"});
  for (const auto& pre : p.prerequisites()) {
    t.Add({"valid " + LevelName(pre.level()), "1", pre.met() ? "1" : "0", "", pre.met() ? "0" : "1",
           pre.met() ? ShortName(pre.certificate()) : ""});
  }
  for (const auto& r : p.requirements()) {
    std::vector<std::string> ids;
    for (const auto& e : r.evidence()) ids.push_back(ShortName(e));
    std::string what = KindName(r.kind());
    if (r.min_value_streams() > 1)
      absl::StrAppend(&what, " (", r.min_value_streams(), "+ streams)");
    t.Add({what, absl::StrCat(r.required()), absl::StrCat(r.counted()), absl::StrCat(r.pending()),
           absl::StrCat(r.missing()), absl::StrJoin(ids, " ")});
  }
  Show(t);
}

std::vector<std::string> CertificateRow(const pb::Certificate& c) {
  return {ShortName(c.person()),
          LevelName(c.level()),
          Lower(std::string(
              absl::StripPrefix(pb::CertificateState_Name(c.state()), "CERTIFICATE_STATE_"))),
          FormatDate(c.award_date()),
          c.has_expire_date() ? FormatDate(c.expire_date()) : "never",
          ShortName(c.name())};
}

std::vector<std::string> ApplicationRow(const pb::CertificationApplication& a) {
  return {ShortName(a.person()),
          LevelName(a.level()) + (a.renewal() ? " (renewal)" : ""),
          Lower(std::string(absl::StripPrefix(pb::CertificationApplicationState_Name(a.state()),
                                              "CERTIFICATION_APPLICATION_STATE_"))),
          ShortName(a.submitted_by()),
          ShortName(a.reviewed_by()),
          ShortName(a.name())};
}

void AddCertification(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("certification",
                                 "Knowledge, Bronze, Silver, Gold: requirements, progress, "
                                 "applications, certificates")
                  ->require_subcommand(1);
  AddRequirements(cmd, rc);

  auto* exam = cmd->add_subcommand("exam", "record a passed Knowledge exam (certifiers)");
  exam->add_option("person", o.person)->required();
  exam->add_option("--exam", o.exam, "which exam")->required();
  exam->add_option("--date", o.date, "YYYY-MM-DD; today if omitted");
  exam->add_option("--score", o.score, "percent, 0..100");
  exam->callback([&rc] {
    pb::RecordKnowledgeExamRequest r;
    r.set_parent(Name("people", o.person));
    r.set_exam(o.exam);
    *r.mutable_date() = DateOrToday(o.date);
    r.set_score_percent(o.score);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::Certificate>(
        [&](auto* ctx, auto* resp) { return stub->RecordKnowledgeExam(ctx, r, resp); });
  });

  auto* progress =
      cmd->add_subcommand("progress", "what a person still needs for a level, item by item");
  progress->add_option("person", o.person)->required();
  progress->add_option("--level", o.level, "bronze, silver or gold; the next one by default");
  progress->callback([&rc] {
    pb::GetCertificationProgressRequest r;
    r.set_name(Name("people", o.person) + "/certificationProgress");
    if (!o.level.empty()) r.set_level(Level(o.level));
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::CertificationProgress resp;
    grpc::Status s = Stub()->GetCertificationProgress(&ctx, r, &resp);
    if (!s.ok()) {
      rc = Fail(s);
      return;
    }
    if (g.output == "json") {
      Render(resp);
      return;
    }
    PrintProgress(resp);
  });

  auto* apply = cmd->add_subcommand("apply", "apply for a level (the person, a manager, the KPO)");
  apply->add_option("person", o.person)->required();
  apply->add_option("id", o.id, "application id; generated if omitted");
  apply->add_option("--level", o.level, kLevelChoices)->required();
  apply->add_option("--statement", o.statement, "the candidate's summary of the portfolio");
  apply->callback([&rc] {
    pb::CreateCertificationApplicationRequest r;
    r.set_parent(Name("people", o.person));
    r.set_certification_application_id(o.id);
    r.mutable_certification_application()->set_level(Level(o.level));
    r.mutable_certification_application()->set_statement(o.statement);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::CertificationApplication>(
        [&](auto* ctx, auto* resp) { return stub->CreateCertificationApplication(ctx, r, resp); });
  });

  auto* applications = cmd->add_subcommand("applications", "applications, oldest first");
  applications->add_option("--person", o.person, "one person's; everyone's by default");
  applications->add_option("--level", o.level, kLevelChoices);
  applications->add_option("--state", o.state, "submitted, awarded, returned");
  applications->callback([&rc] {
    pb::ListCertificationApplicationsRequest r;
    r.set_parent(Name("people", o.person.empty() ? "-" : o.person));
    r.set_page_size(100);
    if (!o.level.empty()) r.set_level(Level(o.level));
    if (!o.state.empty()) {
      r.set_state(ParseEnum<pb::CertificationApplicationState>(
          o.state, pb::CertificationApplicationState_Parse, "state", "submitted, awarded, returned",
          "CERTIFICATION_APPLICATION_STATE_"));
    }
    auto stub = Stub();
    rc = ListAll<pb::ListCertificationApplicationsRequest,
                 pb::ListCertificationApplicationsResponse, pb::CertificationApplication>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListCertificationApplications(ctx, req, resp);
        },
        [](const pb::ListCertificationApplicationsResponse& resp) -> const auto& {
          return resp.certification_applications();
        },
        "certification_applications",
        {"PERSON", "LEVEL", "STATE", "SUBMITTED BY", "REVIEWED BY", "ID"}, ApplicationRow);
  });

  auto* award = cmd->add_subcommand("award", "a certifier awards a submitted application");
  award->add_option("person", o.person)->required();
  award->add_option("id", o.id, "application id")->required();
  award->callback([&rc] {
    pb::AwardCertificationRequest r;
    r.set_name(ApplicationName());
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::CertificationApplication>(
        [&](auto* ctx, auto* resp) { return stub->AwardCertification(ctx, r, resp); });
  });
  auto* give_back = cmd->add_subcommand("return", "a certifier returns an application");
  give_back->add_option("person", o.person)->required();
  give_back->add_option("id", o.id, "application id")->required();
  give_back->add_option("--reason", o.reason, "what to rework")->required();
  give_back->callback([&rc] {
    pb::ReturnCertificationApplicationRequest r;
    r.set_name(ApplicationName());
    r.set_reason(o.reason);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::CertificationApplication>(
        [&](auto* ctx, auto* resp) { return stub->ReturnCertificationApplication(ctx, r, resp); });
  });

  auto* certificates = cmd->add_subcommand("certificates", "certificates held, by award date");
  certificates->add_option("--person", o.person, "one person's; everyone's by default");
  certificates->add_option("--level", o.level, "knowledge, bronze, silver, gold");
  certificates->add_option("--state", o.state, "valid, expired, renewed");
  certificates->add_option("--expiring-before", o.expire_before, "YYYY-MM-DD");
  certificates->callback([&rc] {
    pb::ListCertificatesRequest r;
    r.set_parent(Name("people", o.person.empty() ? "-" : o.person));
    r.set_page_size(100);
    if (!o.level.empty()) {
      r.set_level(ParseEnum<pb::CertificationLevel>(o.level, pb::CertificationLevel_Parse, "level",
                                                    "knowledge, bronze, silver, gold",
                                                    "CERTIFICATION_LEVEL_"));
    }
    if (!o.state.empty()) {
      r.set_state(ParseEnum<pb::CertificateState>(o.state, pb::CertificateState_Parse, "state",
                                                  "valid, expired, renewed", "CERTIFICATE_STATE_"));
    }
    if (!o.expire_before.empty()) *r.mutable_expire_before() = Must(ParseDate(o.expire_before));
    auto stub = Stub();
    rc = ListAll<pb::ListCertificatesRequest, pb::ListCertificatesResponse, pb::Certificate>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListCertificates(ctx, req, resp);
        },
        [](const pb::ListCertificatesResponse& resp) -> const auto& { return resp.certificates(); },
        "certificates", {"PERSON", "LEVEL", "STATE", "AWARDED", "EXPIRES", "ID"}, CertificateRow);
  });
  auto* get = cmd->add_subcommand("get", "one certificate");
  get->add_option("person", o.person)->required();
  get->add_option("id", o.id, "certificate id (knowledge, bronze-1, ...)")->required();
  get->callback([&rc] {
    pb::GetCertificateRequest r;
    r.set_name(Name("people", o.person) + "/certificates/" + o.id);
    auto stub = Stub();
    rc = Unary<pb::Certificate>(
        [&](auto* ctx, auto* resp) { return stub->GetCertificate(ctx, r, resp); });
  });
}

}  // namespace

void AddCertificationCommands(CLI::App& app, int& rc) { AddCertification(app, rc); }

}  // namespace kpo::kpoctl
