#include "plan_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

constexpr char kKinds[] = "book, course, site_visit, certification_goal, conference, other";
constexpr char kStatuses[] = "planned, in_progress, done, dropped";

struct Opts {
  std::string person, id, aspiration, review, kind, title, notes, status, target, level, module,
      reflection;
  std::vector<std::string> focus;
};
Opts o;

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

std::string StatusName(pb::StudyItemStatus s) {
  return Lower(std::string(absl::StripPrefix(pb::StudyItemStatus_Name(s), "STUDY_ITEM_STATUS_")));
}

std::vector<std::string> ItemRow(const pb::StudyItem& i) {
  return {
      ShortName(i.name()),
      Lower(std::string(absl::StripPrefix(pb::StudyItemKind_Name(i.kind()), "STUDY_ITEM_KIND_"))),
      i.title(),
      StatusName(i.status()),
      i.has_target_date() ? FormatDate(i.target_date()) : "",
      i.has_done_date() ? FormatDate(i.done_date()) : ""};
}

// The item's writable fields from the flags given; the mask lists them.
void FillItem(pb::StudyItem* item, google::protobuf::FieldMask* mask) {
  auto set = [&](bool given, const char* path) {
    if (given && mask != nullptr) mask->add_paths(path);
  };
  if (!o.kind.empty()) {
    item->set_kind(ParseEnum<pb::StudyItemKind>(o.kind, pb::StudyItemKind_Parse, "kind", kKinds,
                                                "STUDY_ITEM_KIND_"));
  }
  set(!o.kind.empty(), "kind");
  item->set_title(o.title);
  set(!o.title.empty(), "title");
  item->set_notes(o.notes);
  set(!o.notes.empty(), "notes");
  if (!o.status.empty()) {
    item->set_status(ParseEnum<pb::StudyItemStatus>(o.status, pb::StudyItemStatus_Parse, "status",
                                                    kStatuses, "STUDY_ITEM_STATUS_"));
  }
  set(!o.status.empty(), "status");
  if (!o.target.empty()) *item->mutable_target_date() = Must(ParseDate(o.target));
  set(!o.target.empty(), "target_date");
  if (!o.level.empty()) {
    item->set_certification_level(
        ParseEnum<pb::CertificationLevel>(o.level, pb::CertificationLevel_Parse, "level",
                                          "bronze, silver, gold", "CERTIFICATION_LEVEL_"));
  }
  set(!o.level.empty(), "certification_level");
  if (!o.module.empty()) item->set_training_module(Name("trainingModules", o.module));
  set(!o.module.empty(), "training_module");
  item->set_reflection(o.reflection);
  set(!o.reflection.empty(), "reflection");
}

void AddPlan(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("plan", "a person's development plan")->require_subcommand(1);
  auto* show = cmd->add_subcommand("show", "the plan and its study items");
  show->add_option("person", o.person)->required();
  show->callback([&rc] {
    pb::GetDevelopmentPlanRequest r;
    r.set_name(Name("people", o.person) + "/developmentPlan");
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::DevelopmentPlan plan;
    auto stub = Stub();
    if (grpc::Status s = stub->GetDevelopmentPlan(&ctx, r, &plan); !s.ok()) {
      rc = Fail(s);
      return;
    }
    pb::ListStudyItemsRequest list;
    list.set_parent(Name("people", o.person));
    list.set_page_size(200);
    grpc::ClientContext ctx2;
    Prepare(ctx2);
    pb::ListStudyItemsResponse items;
    if (grpc::Status s = stub->ListStudyItems(&ctx2, list, &items); !s.ok()) {
      rc = Fail(s);
      return;
    }
    if (g.output == "json") {
      Render(plan);
      Render(items);
      return;
    }
    std::vector<std::string> focus;
    for (const auto& c : plan.focus_competencies()) focus.push_back(ShortName(c));
    std::cout << "aspiration: " << plan.aspiration() << "\n"
              << "focus: " << absl::StrJoin(focus, ", ") << "\n"
              << "review: " << (plan.has_review_date() ? FormatDate(plan.review_date()) : "")
              << "\n"
              << plan.planned_items() << " planned, " << plan.in_progress_items()
              << " in progress, " << plan.done_items() << " done\n";
    Table t({"ID", "KIND", "TITLE", "STATUS", "TARGET", "DONE"});
    for (const auto& i : items.study_items()) t.Add(ItemRow(i));
    Show(t);
  });
  auto* set = cmd->add_subcommand("set", "aspiration, focus competencies, review date");
  set->add_option("person", o.person)->required();
  set->add_option("--aspiration", o.aspiration, "where the person wants to be");
  set->add_option("--focus", o.focus, "competency id (repeatable; replaces the list)");
  set->add_option("--review", o.review, "next review, YYYY-MM-DD");
  set->callback([&rc] {
    pb::UpdateDevelopmentPlanRequest r;
    auto* plan = r.mutable_development_plan();
    plan->set_name(Name("people", o.person) + "/developmentPlan");
    if (!o.aspiration.empty()) {
      plan->set_aspiration(o.aspiration);
      r.mutable_update_mask()->add_paths("aspiration");
    }
    for (const auto& c : o.focus) plan->add_focus_competencies(Name("competencies", c));
    if (!o.focus.empty()) r.mutable_update_mask()->add_paths("focus_competencies");
    if (!o.review.empty()) {
      *plan->mutable_review_date() = Must(ParseDate(o.review));
      r.mutable_update_mask()->add_paths("review_date");
    }
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::DevelopmentPlan>(
        [&](auto* ctx, auto* resp) { return stub->UpdateDevelopmentPlan(ctx, r, resp); });
  });
}

void AddStudy(CLI::App& app, int& rc) {
  auto* cmd =
      app.add_subcommand("study", "the study items of a development plan")->require_subcommand(1);
  auto flags = [](CLI::App* sub) {
    sub->add_option("--kind", o.kind, kKinds);
    sub->add_option("--title", o.title);
    sub->add_option("--notes", o.notes);
    sub->add_option("--status", o.status, kStatuses);
    sub->add_option("--target", o.target, "YYYY-MM-DD");
    sub->add_option("--level", o.level, "certification goal: bronze, silver, gold");
    sub->add_option("--module", o.module, "course: training module id");
    sub->add_option("--reflection", o.reflection, "what was learned");
  };
  auto* add = cmd->add_subcommand("add", "a study item (the person or a manager)");
  add->add_option("person", o.person)->required();
  add->add_option("id", o.id, "item id; generated if omitted");
  flags(add);
  add->callback([&rc] {
    pb::CreateStudyItemRequest r;
    r.set_parent(Name("people", o.person));
    r.set_study_item_id(o.id);
    FillItem(r.mutable_study_item(), nullptr);
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::StudyItem>(
        [&](auto* ctx, auto* resp) { return stub->CreateStudyItem(ctx, r, resp); });
  });
  auto* update = cmd->add_subcommand("update", "status, dates, reflection, ...");
  update->add_option("person", o.person)->required();
  update->add_option("id", o.id)->required();
  flags(update);
  update->callback([&rc] {
    pb::UpdateStudyItemRequest r;
    FillItem(r.mutable_study_item(), r.mutable_update_mask());
    r.mutable_study_item()->set_name(Name("people", o.person) + "/studyItems/" + o.id);
    if (r.update_mask().paths().empty()) Usage("nothing to update");
    r.set_request_id(kpo::core::NewUuid());
    auto stub = Stub();
    rc = Unary<pb::StudyItem>(
        [&](auto* ctx, auto* resp) { return stub->UpdateStudyItem(ctx, r, resp); });
  });
  auto* list = cmd->add_subcommand("list", "a person's study items, oldest first");
  list->add_option("person", o.person)->required();
  list->add_option("--status", o.status, kStatuses);
  list->callback([&rc] {
    pb::ListStudyItemsRequest r;
    r.set_parent(Name("people", o.person));
    r.set_page_size(200);
    if (!o.status.empty()) {
      r.set_status(ParseEnum<pb::StudyItemStatus>(o.status, pb::StudyItemStatus_Parse, "status",
                                                  kStatuses, "STUDY_ITEM_STATUS_"));
    }
    auto stub = Stub();
    rc = ListAll<pb::ListStudyItemsRequest, pb::ListStudyItemsResponse, pb::StudyItem>(
        r,
        [&](auto* ctx, const auto& req, auto* resp) {
          return stub->ListStudyItems(ctx, req, resp);
        },
        [](const pb::ListStudyItemsResponse& resp) -> const auto& { return resp.study_items(); },
        "study_items", {"ID", "KIND", "TITLE", "STATUS", "TARGET", "DONE"}, ItemRow);
  });
}

}  // namespace

void AddPlanCommands(CLI::App& app, int& rc) {
  AddPlan(app, rc);
  AddStudy(app, rc);
}

}  // namespace kpo::kpoctl
