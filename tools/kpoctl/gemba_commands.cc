#include "gemba_commands.h"

#include "absl/strings/str_cat.h"
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

std::string WalkName(const std::string& id) { return Name("gembaWalks", id); }

struct Opts {
  std::string id, walk, leader, site, area, date, purpose, alignment, right_thing, objective,
      description, owner, due, status, as_of, from, to;
  std::vector<std::string> observations;
  bool overdue = false;
};
Opts o;

pb::FollowUpStatus Status(const std::string& text) {
  return ParseEnum<pb::FollowUpStatus>(text, &pb::FollowUpStatus_Parse, "status",
                                       "open, done, cancelled", "FOLLOW_UP_STATUS_");
}

std::vector<std::string> FollowUpRow(const pb::GembaFollowUp& f) {
  const size_t at = f.name().find("/gembaWalks/");
  return {at == std::string::npos ? f.name() : f.name().substr(at + 12),
          f.description().size() > 40 ? f.description().substr(0, 37) + "..." : f.description(),
          ShortName(f.owner()),
          FormatDate(f.due_date()),
          std::string(absl::StripPrefix(pb::FollowUpStatus_Name(f.status()), "FOLLOW_UP_STATUS_")),
          ShortName(f.site())};
}

}  // namespace

void AddGembaCommands(CLI::App& app, int& rc) {
  auto* gemba = app.add_subcommand("gemba", "gemba walks")->require_subcommand(1);
  auto* create = gemba->add_subcommand("create", "record a walk (you are the leader)");
  create->add_option("id", o.id, "walk id; generated if omitted");
  create->add_option("--leader", o.leader, "person id; you by default");
  create->add_option("--site", o.site, "site id")->required();
  create->add_option("--area", o.area, "area id of --site");
  create->add_option("--date", o.date, "YYYY-MM-DD; today by default");
  create->add_option("--purpose", o.purpose, "what is the purpose of this process?")->required();
  create->add_option("--alignment", o.alignment, "how does it serve the strategic priorities?")
      ->required();
  create
      ->add_option("--right-thing", o.right_thing,
                   "the right thing, for the right customer, at the right time?")
      ->required();
  create->add_option("--observation", o.observations, "what was seen (repeatable)");
  create->add_option("--objective", o.objective, "strategic objective id");
  create->callback([&rc] {
    pb::CreateGembaWalkRequest r;
    r.set_parent(OrgName());
    r.set_gemba_walk_id(o.id);
    pb::GembaWalk* w = r.mutable_gemba_walk();
    if (!o.leader.empty()) w->set_leader(Name("people", o.leader));
    w->set_site(Name("sites", o.site));
    if (!o.area.empty()) w->set_area(AreaName(o.site, o.area));
    if (!o.date.empty()) {
      *w->mutable_date() = Must(ParseDate(o.date));
    } else {
      *w->mutable_date() = Must(
          ParseDate(absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()))));
    }
    w->mutable_questions()->set_purpose(o.purpose);
    w->mutable_questions()->set_alignment(o.alignment);
    w->mutable_questions()->set_right_thing(o.right_thing);
    for (const auto& text : o.observations) w->add_observations(text);
    w->set_strategic_objective(o.objective);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::GembaWalk>(
        [&](auto* ctx, auto* resp) { return stub->CreateGembaWalk(ctx, r, resp); });
  });
  auto* get = gemba->add_subcommand("get", "show a walk");
  get->add_option("id", o.id)->required();
  get->callback([&rc] {
    pb::GetGembaWalkRequest r;
    r.set_name(WalkName(o.id));
    auto stub = Stub();
    rc = Unary<pb::GembaWalk>(
        [&](auto* ctx, auto* resp) { return stub->GetGembaWalk(ctx, r, resp); });
  });
  auto* list = gemba->add_subcommand("list", "walks by date");
  list->add_option("--site", o.site, "site id");
  list->add_option("--area", o.area, "area id of --site");
  list->add_option("--leader", o.leader, "person id");
  list->add_option("--from", o.from, "YYYY-MM-DD");
  list->add_option("--to", o.to, "YYYY-MM-DD");
  list->callback([&rc] {
    pb::ListGembaWalksRequest r;
    r.set_parent(OrgName());
    r.set_page_size(500);
    if (!o.area.empty()) {
      r.set_area(AreaName(o.site, o.area));
    } else if (!o.site.empty()) {
      r.set_site(Name("sites", o.site));
    }
    if (!o.leader.empty()) r.set_leader(Name("people", o.leader));
    if (!o.from.empty()) *r.mutable_date_from() = Must(ParseDate(o.from));
    if (!o.to.empty()) *r.mutable_date_to() = Must(ParseDate(o.to));
    auto stub = Stub();
    rc = ListAll<pb::ListGembaWalksRequest, pb::ListGembaWalksResponse, pb::GembaWalk>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListGembaWalks(ctx, req, resp);
        },
        [](const pb::ListGembaWalksResponse& resp) -> const auto& { return resp.gemba_walks(); },
        "gemba_walks", {"ID", "DATE", "LEADER", "SITE", "AREA", "OBSERVATIONS", "OBJECTIVE"},
        [](const pb::GembaWalk& w) -> std::vector<std::string> {
          return {ShortName(w.name()),    FormatDate(w.date()), ShortName(w.leader()),
                  ShortName(w.site()),    ShortName(w.area()),  absl::StrCat(w.observations_size()),
                  w.strategic_objective()};
        });
  });
  auto* observe = gemba->add_subcommand("observe", "add an observation to your walk");
  observe->add_option("id", o.id)->required();
  observe->add_option("observation", o.description)->required();
  observe->callback([&rc] {
    auto stub = Stub();
    pb::GembaWalk current;
    {
      grpc::ClientContext ctx;
      Prepare(ctx);
      pb::GetGembaWalkRequest get_request;
      get_request.set_name(WalkName(o.id));
      grpc::Status s = stub->GetGembaWalk(&ctx, get_request, &current);
      if (!s.ok()) {
        rc = Fail(s);
        return;
      }
    }
    pb::UpdateGembaWalkRequest r;
    r.mutable_gemba_walk()->set_name(current.name());
    r.mutable_gemba_walk()->set_etag(current.etag());
    *r.mutable_gemba_walk()->mutable_observations() = current.observations();
    r.mutable_gemba_walk()->add_observations(o.description);
    r.mutable_update_mask()->add_paths("observations");
    r.set_request_id(kpo::core::NewUuid());
    rc = Unary<pb::GembaWalk>(
        [&](auto* ctx, auto* resp) { return stub->UpdateGembaWalk(ctx, r, resp); });
  });

  auto* follow =
      app.add_subcommand("follow-ups", "follow-up actions of gemba walks")->require_subcommand(1);
  auto* fcreate = follow->add_subcommand("create", "add a follow-up to your walk");
  fcreate->add_option("walk", o.walk)->required();
  fcreate->add_option("id", o.id, "follow-up id; generated if omitted");
  fcreate->add_option("--description", o.description)->required();
  fcreate->add_option("--owner", o.owner, "person id")->required();
  fcreate->add_option("--due", o.due, "YYYY-MM-DD")->required();
  fcreate->callback([&rc] {
    pb::CreateGembaFollowUpRequest r;
    r.set_parent(WalkName(o.walk));
    r.set_follow_up_id(o.id);
    r.mutable_follow_up()->set_description(o.description);
    r.mutable_follow_up()->set_owner(Name("people", o.owner));
    *r.mutable_follow_up()->mutable_due_date() = Must(ParseDate(o.due));
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::GembaFollowUp>(
        [&](auto* ctx, auto* resp) { return stub->CreateGembaFollowUp(ctx, r, resp); });
  });
  auto* fget = follow->add_subcommand("get", "show a follow-up");
  fget->add_option("walk", o.walk)->required();
  fget->add_option("id", o.id)->required();
  fget->callback([&rc] {
    pb::GetGembaFollowUpRequest r;
    r.set_name(WalkName(o.walk) + "/followUps/" + o.id);
    auto stub = Stub();
    rc = Unary<pb::GembaFollowUp>(
        [&](auto* ctx, auto* resp) { return stub->GetGembaFollowUp(ctx, r, resp); });
  });
  auto* flist = follow->add_subcommand("list", "follow-ups by due date, of one walk or all");
  flist->add_option("--walk", o.walk, "walk id; all by default");
  flist->add_option("--owner", o.owner, "person id");
  flist->add_option("--site", o.site, "site id");
  flist->add_option("--status", o.status, "open, done, cancelled");
  flist->add_flag("--overdue", o.overdue, "open and due before today at the walk's site");
  flist->add_option("--as-of", o.as_of, "with --overdue: due before this day, YYYY-MM-DD");
  flist->callback([&rc] {
    pb::ListGembaFollowUpsRequest r;
    r.set_parent(WalkName(o.walk.empty() ? "-" : o.walk));
    r.set_page_size(500);
    if (!o.owner.empty()) r.set_owner(Name("people", o.owner));
    if (!o.site.empty()) r.set_site(Name("sites", o.site));
    if (!o.status.empty()) r.set_status(Status(o.status));
    r.set_overdue_only(o.overdue);
    if (!o.as_of.empty()) *r.mutable_as_of() = Must(ParseDate(o.as_of));
    auto stub = Stub();
    rc = ListAll<pb::ListGembaFollowUpsRequest, pb::ListGembaFollowUpsResponse, pb::GembaFollowUp>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListGembaFollowUps(ctx, req, resp);
        },
        [](const pb::ListGembaFollowUpsResponse& resp) -> const auto& { return resp.follow_ups(); },
        "follow_ups", {"ID", "WHAT", "OWNER", "DUE", "STATUS", "SITE"}, FollowUpRow);
  });
  auto* fupdate = follow->add_subcommand("update", "change or close a follow-up");
  fupdate->add_option("walk", o.walk)->required();
  fupdate->add_option("id", o.id)->required();
  auto* f_description = fupdate->add_option("--description", o.description);
  auto* f_owner = fupdate->add_option("--owner", o.owner, "person id");
  auto* f_due = fupdate->add_option("--due", o.due, "YYYY-MM-DD");
  auto* f_status = fupdate->add_option("--status", o.status, "open, done, cancelled");
  fupdate->callback([&rc, f_description, f_owner, f_due, f_status] {
    pb::UpdateGembaFollowUpRequest r;
    pb::GembaFollowUp* f = r.mutable_follow_up();
    f->set_name(WalkName(o.walk) + "/followUps/" + o.id);
    f->set_description(o.description);
    if (!o.owner.empty()) f->set_owner(Name("people", o.owner));
    if (!o.due.empty()) *f->mutable_due_date() = Must(ParseDate(o.due));
    if (!o.status.empty()) f->set_status(Status(o.status));
    for (auto [opt, path] : {std::pair{f_description, "description"}, std::pair{f_owner, "owner"},
                             std::pair{f_due, "due_date"}, std::pair{f_status, "status"}}) {
      if (opt->count() > 0) r.mutable_update_mask()->add_paths(path);
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::GembaFollowUp>(
        [&](auto* ctx, auto* resp) { return stub->UpdateGembaFollowUp(ctx, r, resp); });
  });
}

}  // namespace kpo::kpoctl
