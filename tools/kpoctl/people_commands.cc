#include "people_commands.h"

#include <grpcpp/grpcpp.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/people/v1/people_service.grpc.pb.h"
#include "kpo/rpc/status.h"
#include "output.h"
#include "people_csv.h"

namespace kpo::kpoctl {
namespace {

namespace pb = kpo::people::v1;
using google::protobuf::Message;

std::unique_ptr<pb::PeopleService::Stub> PeopleStub() {
  return pb::PeopleService::NewStub(Channel(g.people));
}

// ---- Rendering

std::string Roles(const pb::Person& p) {
  std::vector<std::string> r;
  for (int role : p.roles()) r.push_back(pb::Role_Name(static_cast<pb::Role>(role)));
  return absl::StrJoin(r, ",");
}

std::vector<std::string> SiteRow(const pb::Site& s) {
  return {ShortName(s.name()), s.display_name(), s.code(), s.time_zone(),
          pb::ResourceState_Name(s.state())};
}
std::vector<std::string> AreaRow(const pb::Area& a) {
  std::vector<std::string> parts = absl::StrSplit(a.name(), '/');
  return {parts.size() > 3 ? parts[3] : "", ShortName(a.name()), a.display_name(),
          pb::AreaKind_Name(a.kind()), pb::ResourceState_Name(a.state())};
}
std::vector<std::string> PersonRow(const pb::Person& p) {
  return {ShortName(p.name()),
          p.display_name(),
          ShortName(p.home_site()),
          ShortName(p.area()),
          Roles(p),
          ShortName(p.manager()),
          pb::ResourceState_Name(p.state())};
}
std::vector<std::string> CoachingRow(const pb::CoachingRelationship& c) {
  return {ShortName(c.name()),
          ShortName(c.coach()),
          ShortName(c.learner()),
          ShortName(c.second_coach()),
          std::to_string(c.cadence().sessions_per_week()),
          pb::ResourceState_Name(c.state())};
}

pb::MaturityStage ParseStage(const std::string& s) {
  pb::MaturityStage stage = pb::MATURITY_STAGE_UNSPECIFIED;
  std::string name = absl::AsciiStrToUpper(s);
  if (!absl::StartsWith(name, "MATURITY_STAGE_")) name = "MATURITY_STAGE_" + name;
  if (!pb::MaturityStage_Parse(name, &stage)) {
    std::cerr << "error: unknown maturity stage '" << s
              << "' (initiating, piloting, spreading, embedded, sustaining)\n";
    std::exit(2);
  }
  return stage;
}

void ParseRoles(const std::string& s, pb::Person* p) {
  for (absl::string_view r : absl::StrSplit(s, absl::ByAnyChar(",;|"), absl::SkipWhitespace())) {
    pb::Role role;
    if (!pb::Role_Parse(absl::AsciiStrToUpper(r), &role)) {
      std::cerr << "error: unknown role '" << r << "' (team_member, team_leader, middle_manager, "
                << "senior_leader, kpo_specialist, external_sensei, org_admin, finance)\n";
      std::exit(2);
    }
    p->add_roles(role);
  }
}

void ParseObjectives(const std::vector<std::string>& specs, pb::Organization* o) {
  for (const auto& spec : specs) {
    std::vector<std::string> parts = absl::StrSplit(spec, absl::MaxSplits(':', 2));
    auto* obj = o->add_strategic_objectives();
    obj->set_id(parts[0]);
    if (parts.size() > 1) obj->set_title(parts[1]);
    int year = 0;
    if (parts.size() > 2 && absl::SimpleAtoi(parts[2], &year)) obj->set_target_year(year);
  }
}

// ---- people import

int ImportPeople(const std::string& path, bool dry_run, size_t chunk) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "error: cannot read " << path << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  ImportPlan plan = PlanImport(Org(), text.str());
  auto print_errors = [&](const std::vector<CsvError>& errors) {
    for (const auto& e : errors) {
      std::cerr << path << ":" << e.line << (e.field.empty() ? "" : ": " + e.field) << ": "
                << e.message << "\n";
    }
    std::cerr << errors.size() << " problem(s); nothing was imported\n";
  };
  if (!plan.errors.empty()) {
    print_errors(plan.errors);
    return 1;
  }
  if (plan.rows.empty()) {
    std::cerr << "the file has no people\n";
    return 0;
  }
  auto stub = pb::PeopleService::NewStub(Channel(g.people));
  // The file's digest is the import's request id: re-running an import that already
  // succeeded replays its answer and changes nothing.
  unsigned char digest[16];
  crypto_generichash(digest, sizeof(digest),
                     reinterpret_cast<const unsigned char*>(text.str().data()), text.str().size(),
                     nullptr, 0);
  const std::string request_id =
      "import-" + absl::BytesToHexString(
                      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
  // Validate on the server in growing prefixes (managers may sit in earlier chunks),
  // collecting every row-level problem, before writing anything.
  std::map<std::pair<int, std::string>, CsvError> errors;
  int64_t more_errors = 0;  // problems the server counted but did not detail
  for (size_t end = std::min(chunk, plan.rows.size());;
       end = std::min(end + chunk, plan.rows.size())) {
    pb::BatchCreatePeopleRequest req;
    req.set_parent(OrgName());
    req.set_validate_only(true);
    req.set_request_id(request_id);
    for (size_t i = 0; i < end; ++i) *req.add_requests() = plan.rows[i].request;
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::BatchCreatePeopleResponse resp;
    grpc::Status s = stub->BatchCreatePeople(&ctx, req, &resp);
    Progress("validating", end, plan.rows.size());
    if (!s.ok()) {
      absl::Status rich = kpo::rpc::FromGrpcStatus(s);
      auto violations = kpo::core::FieldViolationsOf(rich);
      if (rich.code() != absl::StatusCode::kInvalidArgument || violations.empty()) {
        std::cerr << "\n";
        return Fail(s);
      }
      int64_t total = 0;
      auto meta = kpo::core::ErrorMetadata(rich);
      if (meta.contains("violation_count") && absl::SimpleAtoi(meta["violation_count"], &total) &&
          total > static_cast<int64_t>(violations.size())) {
        more_errors = std::max(more_errors, total - static_cast<int64_t>(violations.size()));
      }
      for (const auto& v : violations) {
        size_t index = 0;
        CsvError e{0, v.field, v.description};
        if (std::sscanf(v.field.c_str(), "requests[%zu]", &index) == 1 &&
            index < plan.rows.size()) {
          e.line = plan.rows[index].line;
          e.field = v.field.substr(v.field.find(']') + 2);
        }
        errors.emplace(std::make_pair(e.line, e.field), e);
      }
    }
    if (end == plan.rows.size()) break;
  }
  if (!errors.empty()) {
    std::vector<CsvError> sorted;
    for (const auto& [key, e] : errors) sorted.push_back(e);
    if (more_errors > 0) {
      std::cerr << "(the server reported " << more_errors
                << " further problem(s) not listed; fix these and run again)\n";
    }
    print_errors(sorted);
    return 1;
  }
  if (dry_run) {
    std::cout << plan.rows.size() << " people would be imported (dry run)\n";
    return 0;
  }
  pb::BatchCreatePeopleRequest req;
  req.set_parent(OrgName());
  // Same file, same request id: re-running an import that succeeded changes nothing.
  req.set_request_id(request_id);
  for (const auto& row : plan.rows) *req.add_requests() = row.request;
  grpc::ClientContext ctx;
  Prepare(ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
  pb::BatchCreatePeopleResponse resp;
  Progress("importing ", 0, plan.rows.size());
  grpc::Status s = stub->BatchCreatePeople(&ctx, req, &resp);
  if (!s.ok()) {
    std::cerr << "\n";
    return Fail(s);
  }
  Progress("importing ", plan.rows.size(), plan.rows.size());
  std::cout << resp.people_size() << " people imported\n";
  return 0;
}

// Adds the mask path for every option the user gave.
void MaskFrom(const std::vector<std::pair<CLI::Option*, const char*>>& opts,
              google::protobuf::FieldMask* mask) {
  for (const auto& [opt, path] : opts) {
    if (opt->count() > 0) mask->add_paths(path);
  }
}

// `orgs`: the caller's organization (the tenant).
void AddOrganizationCommands(CLI::App& app, int& rc) {
  // Options live for the whole process: CLI11 keeps pointers to them.
  auto* orgs = app.add_subcommand("orgs", "the organization (tenant)")->require_subcommand(1);
  static std::string o_id, o_display, o_stage, o_etag;
  static std::vector<std::string> o_objectives;
  auto* o_create = orgs->add_subcommand("create", "create the token's organization");
  o_create->add_option("id", o_id, "organization id (must equal the token's)")->required();
  o_create->add_option("--display-name", o_display)->required();
  o_create->add_option("--maturity", o_stage, "initiating|piloting|spreading|embedded|sustaining")
      ->required();
  o_create->add_option("--objective", o_objectives, "id:title[:year], repeatable");
  o_create->callback([=, &rc] {
    pb::CreateOrganizationRequest r;
    r.set_organization_id(o_id);
    r.mutable_organization()->set_display_name(o_display);
    r.mutable_organization()->set_maturity_stage(ParseStage(o_stage));
    ParseObjectives(o_objectives, r.mutable_organization());
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Organization>(
        [&](auto* ctx, auto* resp) { return stub->CreateOrganization(ctx, r, resp); });
  });
  orgs->add_subcommand("get", "show the token's organization")->callback([=, &rc] {
    pb::GetOrganizationRequest r;
    r.set_name(OrgName());
    auto stub = PeopleStub();
    rc = Unary<pb::Organization>(
        [&](auto* ctx, auto* resp) { return stub->GetOrganization(ctx, r, resp); });
  });
  auto* o_update = orgs->add_subcommand("update", "change the organization");
  auto* ou_display = o_update->add_option("--display-name", o_display);
  auto* ou_stage = o_update->add_option("--maturity", o_stage);
  auto* ou_obj = o_update->add_option("--objective", o_objectives, "replaces all objectives");
  o_update->add_option("--etag", o_etag);
  o_update->callback([=, &rc] {
    pb::UpdateOrganizationRequest r;
    auto* o = r.mutable_organization();
    o->set_name(OrgName());
    o->set_display_name(o_display);
    if (ou_stage->count() > 0) o->set_maturity_stage(ParseStage(o_stage));
    ParseObjectives(o_objectives, o);
    o->set_etag(o_etag);
    MaskFrom({{ou_display, "display_name"},
              {ou_stage, "maturity_stage"},
              {ou_obj, "strategic_objectives"}},
             r.mutable_update_mask());
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Organization>(
        [&](auto* ctx, auto* resp) { return stub->UpdateOrganization(ctx, r, resp); });
  });
}

// `sites`.
void AddSiteCommands(CLI::App& app, int& rc) {
  // Options live for the whole process: CLI11 keeps pointers to them.
  auto* sites = app.add_subcommand("sites", "plants, hospitals, offices")->require_subcommand(1);
  static std::string s_id, s_display, s_code, s_tz, s_etag;
  static bool show_inactive = false;
  auto* s_create = sites->add_subcommand("create", "create a site");
  s_create->add_option("id", s_id)->required();
  s_create->add_option("--display-name", s_display)->required();
  s_create->add_option("--time-zone", s_tz, "IANA name, e.g. Europe/Paris")->required();
  s_create->add_option("--code", s_code, "short code, e.g. LYO");
  s_create->callback([=, &rc] {
    pb::CreateSiteRequest r;
    r.set_parent(OrgName());
    r.set_site_id(s_id);
    r.mutable_site()->set_display_name(s_display);
    r.mutable_site()->set_time_zone(s_tz);
    r.mutable_site()->set_code(s_code);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Site>([&](auto* ctx, auto* resp) { return stub->CreateSite(ctx, r, resp); });
  });
  auto* s_get = sites->add_subcommand("get", "show a site");
  s_get->add_option("id", s_id)->required();
  s_get->callback([=, &rc] {
    pb::GetSiteRequest r;
    r.set_name(Name("sites", s_id));
    auto stub = PeopleStub();
    rc = Unary<pb::Site>([&](auto* ctx, auto* resp) { return stub->GetSite(ctx, r, resp); });
  });
  auto* s_list = sites->add_subcommand("list", "list sites");
  s_list->add_flag("--show-inactive", show_inactive);
  s_list->callback([=, &rc] {
    pb::ListSitesRequest r;
    r.set_parent(OrgName());
    r.set_show_inactive(show_inactive);
    r.set_page_size(500);
    auto stub = PeopleStub();
    rc = ListAll<pb::ListSitesRequest, pb::ListSitesResponse, pb::Site>(
        r, [&](auto* ctx, const auto& req, auto* resp) { return stub->ListSites(ctx, req, resp); },
        [](const pb::ListSitesResponse& resp) -> const auto& { return resp.sites(); }, "sites",
        {"ID", "DISPLAY NAME", "CODE", "TIME ZONE", "STATE"}, SiteRow);
  });
  auto* s_update = sites->add_subcommand("update", "change a site");
  s_update->add_option("id", s_id)->required();
  auto* su_display = s_update->add_option("--display-name", s_display);
  auto* su_tz = s_update->add_option("--time-zone", s_tz);
  auto* su_code = s_update->add_option("--code", s_code);
  s_update->add_option("--etag", s_etag);
  s_update->callback([=, &rc] {
    pb::UpdateSiteRequest r;
    auto* s = r.mutable_site();
    s->set_name(Name("sites", s_id));
    s->set_display_name(s_display);
    s->set_time_zone(s_tz);
    s->set_code(s_code);
    s->set_etag(s_etag);
    MaskFrom({{su_display, "display_name"}, {su_tz, "time_zone"}, {su_code, "code"}},
             r.mutable_update_mask());
    if (r.update_mask().paths().empty()) {
      std::cerr << "error: nothing to update; give --display-name, --time-zone or --code\n";
      rc = 2;
      return;
    }
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Site>([&](auto* ctx, auto* resp) { return stub->UpdateSite(ctx, r, resp); });
  });
  auto* s_deact =
      sites->add_subcommand("deactivate", "deactivate a site (no active people or areas)");
  s_deact->add_option("id", s_id)->required();
  s_deact->add_option("--etag", s_etag);
  s_deact->callback([=, &rc] {
    pb::DeactivateSiteRequest r;
    r.set_name(Name("sites", s_id));
    r.set_etag(s_etag);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Site>([&](auto* ctx, auto* resp) { return stub->DeactivateSite(ctx, r, resp); });
  });
}

// `areas`.
void AddAreaCommands(CLI::App& app, int& rc) {
  // Options live for the whole process: CLI11 keeps pointers to them.
  static bool show_inactive = false;
  auto* areas =
      app.add_subcommand("areas", "value streams, processes, departments")->require_subcommand(1);
  static std::string a_site, a_id, a_display, a_kind, a_etag;
  auto parse_kind = [&](const std::string& k) {
    pb::AreaKind kind = pb::AREA_KIND_UNSPECIFIED;
    if (!pb::AreaKind_Parse(absl::AsciiStrToUpper(k), &kind)) {
      std::cerr << "error: --kind must be value_stream, process or department\n";
      std::exit(2);
    }
    return kind;
  };
  auto* a_create = areas->add_subcommand("create", "create an area of a site");
  a_create->add_option("site", a_site)->required();
  a_create->add_option("id", a_id)->required();
  a_create->add_option("--display-name", a_display)->required();
  a_create->add_option("--kind", a_kind, "value_stream|process|department")->required();
  a_create->callback([=, &rc] {
    pb::CreateAreaRequest r;
    r.set_parent(Name("sites", a_site));
    r.set_area_id(a_id);
    r.mutable_area()->set_display_name(a_display);
    r.mutable_area()->set_kind(parse_kind(a_kind));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Area>([&](auto* ctx, auto* resp) { return stub->CreateArea(ctx, r, resp); });
  });
  auto* a_get = areas->add_subcommand("get", "show an area");
  a_get->add_option("site", a_site)->required();
  a_get->add_option("id", a_id)->required();
  a_get->callback([=, &rc] {
    pb::GetAreaRequest r;
    r.set_name(AreaName(a_site, a_id));
    auto stub = PeopleStub();
    rc = Unary<pb::Area>([&](auto* ctx, auto* resp) { return stub->GetArea(ctx, r, resp); });
  });
  auto* a_list = areas->add_subcommand("list", "list areas (of one site or all)");
  a_list->add_option("--site", a_site, "site id; every site if omitted");
  a_list->add_flag("--show-inactive", show_inactive);
  a_list->callback([=, &rc] {
    pb::ListAreasRequest r;
    r.set_parent(a_site.empty() ? OrgName() + "/sites/-" : Name("sites", a_site));
    r.set_show_inactive(show_inactive);
    r.set_page_size(500);
    auto stub = PeopleStub();
    rc = ListAll<pb::ListAreasRequest, pb::ListAreasResponse, pb::Area>(
        r, [&](auto* ctx, const auto& req, auto* resp) { return stub->ListAreas(ctx, req, resp); },
        [](const pb::ListAreasResponse& resp) -> const auto& { return resp.areas(); }, "areas",
        {"SITE", "ID", "DISPLAY NAME", "KIND", "STATE"}, AreaRow);
  });
  auto* a_update = areas->add_subcommand("update", "change an area");
  a_update->add_option("site", a_site)->required();
  a_update->add_option("id", a_id)->required();
  auto* au_display = a_update->add_option("--display-name", a_display);
  auto* au_kind = a_update->add_option("--kind", a_kind);
  a_update->add_option("--etag", a_etag);
  a_update->callback([=, &rc] {
    pb::UpdateAreaRequest r;
    auto* a = r.mutable_area();
    a->set_name(AreaName(a_site, a_id));
    a->set_display_name(a_display);
    if (au_kind->count() > 0) a->set_kind(parse_kind(a_kind));
    a->set_etag(a_etag);
    MaskFrom({{au_display, "display_name"}, {au_kind, "kind"}}, r.mutable_update_mask());
    if (r.update_mask().paths().empty()) {
      std::cerr << "error: nothing to update; give --display-name or --kind\n";
      rc = 2;
      return;
    }
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Area>([&](auto* ctx, auto* resp) { return stub->UpdateArea(ctx, r, resp); });
  });
  auto* a_deact = areas->add_subcommand("deactivate", "deactivate an area");
  a_deact->add_option("site", a_site)->required();
  a_deact->add_option("id", a_id)->required();
  a_deact->add_option("--etag", a_etag);
  a_deact->callback([=, &rc] {
    pb::DeactivateAreaRequest r;
    r.set_name(AreaName(a_site, a_id));
    r.set_etag(a_etag);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Area>([&](auto* ctx, auto* resp) { return stub->DeactivateArea(ctx, r, resp); });
  });
}

// `people`, including the CSV import.
void AddPersonCommands(CLI::App& app, int& rc) {
  // Options live for the whole process: CLI11 keeps pointers to them.
  static bool show_inactive = false;
  auto* people = app.add_subcommand("people", "people of the organization")->require_subcommand(1);
  static std::string p_id, p_display, p_email, p_employee, p_site, p_area, p_roles, p_manager,
      p_etag, p_role_filter;
  auto fill_person = [&](pb::Person* p) {
    p->set_display_name(p_display);
    p->set_email(p_email);
    p->set_employee_id(p_employee);
    if (!p_site.empty()) p->set_home_site(Name("sites", p_site));
    if (!p_area.empty()) p->set_area(AreaName(p_site, p_area));
    if (!p_roles.empty()) ParseRoles(p_roles, p);
    if (!p_manager.empty()) p->set_manager(Name("people", p_manager));
  };
  auto* p_create = people->add_subcommand("create", "add a person");
  p_create->add_option("id", p_id, "person id; generated if omitted");
  p_create->add_option("--display-name", p_display)->required();
  p_create->add_option("--site", p_site, "home site id")->required();
  p_create->add_option("--roles", p_roles, "comma-separated, e.g. team_leader")->required();
  p_create->add_option("--area", p_area, "area id within the home site");
  p_create->add_option("--email", p_email);
  p_create->add_option("--employee-id", p_employee);
  p_create->add_option("--manager", p_manager, "manager's person id");
  p_create->callback([=, &rc] {
    pb::CreatePersonRequest r;
    r.set_parent(OrgName());
    r.set_person_id(p_id);
    fill_person(r.mutable_person());
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Person>([&](auto* ctx, auto* resp) { return stub->CreatePerson(ctx, r, resp); });
  });
  auto* p_get = people->add_subcommand("get", "show a person");
  p_get->add_option("id", p_id)->required();
  p_get->callback([=, &rc] {
    pb::GetPersonRequest r;
    r.set_name(Name("people", p_id));
    auto stub = PeopleStub();
    rc = Unary<pb::Person>([&](auto* ctx, auto* resp) { return stub->GetPerson(ctx, r, resp); });
  });
  auto* p_list = people->add_subcommand("list", "list people, optionally filtered");
  p_list->add_option("--site", p_site);
  p_list->add_option("--area", p_area, "area id (needs --site) or full name");
  p_list->add_option("--role", p_role_filter);
  p_list->add_flag("--show-inactive", show_inactive);
  p_list->callback([=, &rc] {
    pb::ListPeopleRequest r;
    r.set_parent(OrgName());
    if (!p_site.empty()) r.set_site(Name("sites", p_site));
    if (!p_area.empty()) r.set_area(AreaName(p_site, p_area));
    if (!p_role_filter.empty()) {
      pb::Person tmp;
      ParseRoles(p_role_filter, &tmp);
      r.set_role(tmp.roles(0));
    }
    r.set_show_inactive(show_inactive);
    r.set_page_size(1000);
    auto stub = PeopleStub();
    rc = ListAll<pb::ListPeopleRequest, pb::ListPeopleResponse, pb::Person>(
        r, [&](auto* ctx, const auto& req, auto* resp) { return stub->ListPeople(ctx, req, resp); },
        [](const pb::ListPeopleResponse& resp) -> const auto& { return resp.people(); }, "people",
        {"ID", "DISPLAY NAME", "SITE", "AREA", "ROLES", "MANAGER", "STATE"}, PersonRow);
  });
  auto* p_update = people->add_subcommand("update", "change a person");
  p_update->add_option("id", p_id)->required();
  auto* pu_display = p_update->add_option("--display-name", p_display);
  auto* pu_email = p_update->add_option("--email", p_email);
  auto* pu_employee = p_update->add_option("--employee-id", p_employee);
  auto* pu_site = p_update->add_option("--site", p_site);
  auto* pu_area = p_update->add_option("--area", p_area, "area id within --site (or full name)");
  auto* pu_roles = p_update->add_option("--roles", p_roles, "replaces all roles");
  auto* pu_manager = p_update->add_option("--manager", p_manager, "\"\" to clear");
  p_update->add_option("--etag", p_etag);
  p_update->callback([=, &rc] {
    pb::UpdatePersonRequest r;
    auto* p = r.mutable_person();
    p->set_name(Name("people", p_id));
    fill_person(p);
    p->set_etag(p_etag);
    MaskFrom({{pu_display, "display_name"},
              {pu_email, "email"},
              {pu_employee, "employee_id"},
              {pu_site, "home_site"},
              {pu_area, "area"},
              {pu_roles, "roles"},
              {pu_manager, "manager"}},
             r.mutable_update_mask());
    if (r.update_mask().paths().empty()) {
      std::cerr << "error: nothing to update\n";
      rc = 2;
      return;
    }
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Person>([&](auto* ctx, auto* resp) { return stub->UpdatePerson(ctx, r, resp); });
  });
  auto* p_deact = people->add_subcommand("deactivate", "deactivate a person");
  p_deact->add_option("id", p_id)->required();
  p_deact->add_option("--etag", p_etag);
  p_deact->callback([=, &rc] {
    pb::DeactivatePersonRequest r;
    r.set_name(Name("people", p_id));
    r.set_etag(p_etag);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::Person>(
        [&](auto* ctx, auto* resp) { return stub->DeactivatePerson(ctx, r, resp); });
  });
  static std::string csv_path;
  static bool dry_run = false;
  static size_t chunk = 500;
  auto* p_import =
      people->add_subcommand("import", "import people from a CSV file, all or nothing");
  p_import
      ->add_option(
          "file", csv_path,
          "CSV with header person_id,display_name,email,employee_id,site,area,roles,manager")
      ->required();
  p_import->add_flag("--dry-run", dry_run, "validate only");
  p_import->add_option("--chunk", chunk, "rows per validation request")
      ->check(CLI::Range(1, 10000));
  p_import->callback([=, &rc] { rc = ImportPeople(csv_path, dry_run, chunk); });
}

// `coaching`: coaching relationships.
void AddCoachingCommands(CLI::App& app, int& rc) {
  // Options live for the whole process: CLI11 keeps pointers to them.
  static bool show_inactive = false;
  auto* coaching = app.add_subcommand("coaching", "coaching relationships")->require_subcommand(1);
  static std::string c_id, c_coach, c_learner, c_second, c_etag, c_person;
  static int c_per_week = 0;
  auto* c_create = coaching->add_subcommand("create", "pair a coach and a learner");
  c_create->add_option("--id", c_id, "relationship id; generated if omitted");
  c_create->add_option("--coach", c_coach)->required();
  c_create->add_option("--learner", c_learner)->required();
  c_create->add_option("--second-coach", c_second, "coaches the coach");
  c_create->add_option("--per-week", c_per_week, "expected coaching cycles per week (1-7)")
      ->required();
  c_create->callback([=, &rc] {
    pb::CreateCoachingRelationshipRequest r;
    r.set_parent(OrgName());
    r.set_coaching_relationship_id(c_id);
    auto* c = r.mutable_coaching_relationship();
    c->set_coach(Name("people", c_coach));
    c->set_learner(Name("people", c_learner));
    if (!c_second.empty()) c->set_second_coach(Name("people", c_second));
    c->mutable_cadence()->set_sessions_per_week(c_per_week);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::CoachingRelationship>(
        [&](auto* ctx, auto* resp) { return stub->CreateCoachingRelationship(ctx, r, resp); });
  });
  auto* c_get = coaching->add_subcommand("get", "show a relationship");
  c_get->add_option("id", c_id)->required();
  c_get->callback([=, &rc] {
    pb::GetCoachingRelationshipRequest r;
    r.set_name(Name("coachingRelationships", c_id));
    auto stub = PeopleStub();
    rc = Unary<pb::CoachingRelationship>(
        [&](auto* ctx, auto* resp) { return stub->GetCoachingRelationship(ctx, r, resp); });
  });
  auto* c_list = coaching->add_subcommand("list", "list relationships");
  c_list->add_option("--person", c_person, "only those this person is part of");
  c_list->add_flag("--show-inactive", show_inactive);
  c_list->callback([=, &rc] {
    pb::ListCoachingRelationshipsRequest r;
    r.set_parent(OrgName());
    if (!c_person.empty()) r.set_person(Name("people", c_person));
    r.set_show_inactive(show_inactive);
    r.set_page_size(1000);
    auto stub = PeopleStub();
    rc = ListAll<pb::ListCoachingRelationshipsRequest, pb::ListCoachingRelationshipsResponse,
                 pb::CoachingRelationship>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListCoachingRelationships(ctx, req, resp);
        },
        [](const pb::ListCoachingRelationshipsResponse& resp) -> const auto& {
          return resp.coaching_relationships();
        },
        "coaching_relationships", {"ID", "COACH", "LEARNER", "SECOND COACH", "PER WEEK", "STATE"},
        CoachingRow);
  });
  auto* c_update = coaching->add_subcommand("update", "change the second coach or the cadence");
  c_update->add_option("id", c_id)->required();
  auto* cu_second = c_update->add_option("--second-coach", c_second, "\"\" to clear");
  auto* cu_week = c_update->add_option("--per-week", c_per_week);
  c_update->add_option("--etag", c_etag);
  c_update->callback([=, &rc] {
    pb::UpdateCoachingRelationshipRequest r;
    auto* c = r.mutable_coaching_relationship();
    c->set_name(Name("coachingRelationships", c_id));
    if (!c_second.empty()) c->set_second_coach(Name("people", c_second));
    c->mutable_cadence()->set_sessions_per_week(c_per_week);
    c->set_etag(c_etag);
    MaskFrom({{cu_second, "second_coach"}, {cu_week, "cadence"}}, r.mutable_update_mask());
    if (r.update_mask().paths().empty()) {
      std::cerr << "error: nothing to update; give --second-coach or --per-week\n";
      rc = 2;
      return;
    }
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::CoachingRelationship>(
        [&](auto* ctx, auto* resp) { return stub->UpdateCoachingRelationship(ctx, r, resp); });
  });
  auto* c_deact = coaching->add_subcommand("deactivate", "end a relationship");
  c_deact->add_option("id", c_id)->required();
  c_deact->add_option("--etag", c_etag);
  c_deact->callback([=, &rc] {
    pb::DeactivateCoachingRelationshipRequest r;
    r.set_name(Name("coachingRelationships", c_id));
    r.set_etag(c_etag);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = PeopleStub();
    rc = Unary<pb::CoachingRelationship>(
        [&](auto* ctx, auto* resp) { return stub->DeactivateCoachingRelationship(ctx, r, resp); });
  });
}

}  // namespace

void AddPeopleCommands(CLI::App& app, int& rc) {
  AddOrganizationCommands(app, rc);
  AddSiteCommands(app, rc);
  AddAreaCommands(app, rc);
  AddPersonCommands(app, rc);
  AddCoachingCommands(app, rc);
}

}  // namespace kpo::kpoctl
