// Yokoten over a real SQLite database and the directory replica: an implemented idea
// shared as a practice, a deployment task per target place, the task lifecycle table,
// and the credit both teams get.
#include "domain/yokoten.h"

#include "fixture.h"
#include "gmock/gmock.h"
#include "kpo/daily/v1/events.pb.h"

namespace kpo::daily::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(DeploymentLifecycle, EveryAllowedAndRefusedTransition) {
  const pb::DeploymentState all[] = {pb::DEPLOYMENT_STATE_UNSPECIFIED, pb::DEPLOYMENT_STATE_OPEN,
                                     pb::DEPLOYMENT_STATE_ADOPTED, pb::DEPLOYMENT_STATE_ADAPTED,
                                     pb::DEPLOYMENT_STATE_NOT_APPLICABLE};
  for (pb::DeploymentState from : all) {
    for (pb::DeploymentState to : all) {
      const bool allowed =
          from == pb::DEPLOYMENT_STATE_OPEN &&
          (to == pb::DEPLOYMENT_STATE_ADOPTED || to == pb::DEPLOYMENT_STATE_ADAPTED ||
           to == pb::DEPLOYMENT_STATE_NOT_APPLICABLE);
      EXPECT_EQ(domain::IsAllowed(from, to), allowed)
          << domain::DeploymentStateName(from) << " -> " << domain::DeploymentStateName(to);
      const absl::Status s = domain::CheckTransition(from, to);
      EXPECT_EQ(s.ok(), allowed);
      if (!allowed) {
        EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(Reason(s), "INVALID_TRANSITION");
        auto meta = kpo::core::ErrorMetadata(s);
        EXPECT_EQ(meta["current_state"], domain::DeploymentStateName(from));
        EXPECT_EQ(meta["requested_state"], domain::DeploymentStateName(to));
      }
    }
  }
  // What each outcome needs: a reason when adapted (what changed) or not applicable.
  for (auto [outcome, reason, fields] :
       {std::tuple{pb::DEPLOYMENT_STATE_ADOPTED, "", std::vector<std::string>{}},
        std::tuple{pb::DEPLOYMENT_STATE_ADAPTED, "", std::vector<std::string>{"reason"}},
        std::tuple{pb::DEPLOYMENT_STATE_NOT_APPLICABLE, "", std::vector<std::string>{"reason"}},
        std::tuple{pb::DEPLOYMENT_STATE_NOT_APPLICABLE, "no press here",
                   std::vector<std::string>{}},
        std::tuple{pb::DEPLOYMENT_STATE_OPEN, "", std::vector<std::string>{"outcome"}}}) {
    kpo::core::FieldViolations v;
    domain::ValidateResolution(outcome, reason, v);
    EXPECT_THAT(Fields(v.ToStatus()), ::testing::ElementsAreArray(fields))
        << domain::DeploymentStateName(outcome);
  }
}

class YokotenTest : public DailyFixture {
 protected:
  // An idea of ana's at Lyon's press, IMPLEMENTED (or left SUBMITTED).
  pb::Idea Implemented(const std::string& id, bool implement = true) {
    pb::CreateIdeaRequest r;
    r.set_parent(kOrg);
    r.set_idea_id(id);
    pb::Idea* i = r.mutable_idea();
    i->set_title("Shadow board for the dies");
    i->set_problem("Dies are searched for at every changeover");
    i->set_countermeasure("A shadow board beside the press");
    i->set_category(pb::CATEGORY_DELIVERY);
    i->set_site(Lyon());
    i->set_area(Lyon() + "/areas/press");
    i->set_reviewer(P("bo"));
    i->set_strategic_objective("lead-time");
    auto idea = ideas_->CreateIdea(ana_, r);
    EXPECT_TRUE(idea.ok()) << idea.status();
    if (!implement || !idea.ok()) return idea.ok() ? *idea : pb::Idea();
    pb::AcceptIdeaRequest accept;
    accept.set_name(idea->name());
    EXPECT_TRUE(ideas_->AcceptIdea(bo_, accept).ok());
    pb::ImplementIdeaRequest done;
    done.set_name(idea->name());
    auto implemented = ideas_->ImplementIdea(ana_, done);
    EXPECT_TRUE(implemented.ok()) << implemented.status();
    return implemented.ok() ? *implemented : pb::Idea();
  }

  static pb::PracticeTarget Target(const std::string& site, const std::string& area,
                                   const std::string& owner, absl::CivilDay due) {
    pb::PracticeTarget t;
    t.set_site(site);
    t.set_area(area);
    t.set_owner(P(owner));
    *t.mutable_due_date() = kpo::core::FromCivil(due);
    return t;
  }

  pb::SharePracticeRequest Share(const std::string& id, const std::string& idea) {
    pb::SharePracticeRequest r;
    r.set_parent(kOrg);
    r.set_practice_id(id);
    r.mutable_practice()->set_idea(std::string(kOrg) + "/ideas/" + idea);
    *r.mutable_practice()->add_targets() =
        Target(Pune(), Pune() + "/areas/press", "raj", LyonToday() + 14);
    *r.mutable_practice()->add_targets() =
        Target(Lyon(), Lyon() + "/areas/paint", "eve", LyonToday() + 14);
    return r;
  }

  std::string Task(const std::string& practice, const std::string& id) {
    return std::string(kOrg) + "/practices/" + practice + "/deploymentTasks/" + id;
  }

  pb::ResolveDeploymentTaskRequest Resolve(const std::string& name, pb::DeploymentState outcome,
                                           const std::string& reason = "") {
    pb::ResolveDeploymentTaskRequest r;
    r.set_name(name);
    r.set_outcome(outcome);
    r.set_reason(reason);
    return r;
  }
};

TEST_F(YokotenTest, AnImplementedIdeaIsSharedAndEachTargetGetsATask) {
  Implemented("dies");
  auto practice = yokoten_->SharePractice(bo_, Share("die-board", "dies"));
  ASSERT_TRUE(practice.ok()) << practice.status();
  EXPECT_EQ(practice->title(), "Shadow board for the dies") << "the idea's title by default";
  EXPECT_EQ(practice->description(), "A shadow board beside the press");
  EXPECT_EQ(practice->origin_site(), Lyon());
  EXPECT_THAT(practice->origin_team(), ElementsAre(P("ana")));
  EXPECT_EQ(practice->shared_by(), P("bo"));
  EXPECT_EQ(practice->open_tasks(), 2);
  EXPECT_THAT(OutboxTypes(), ::testing::IsSupersetOf({"kpo.daily.v1.PracticeShared",
                                                      "kpo.daily.v1.DeploymentTaskCreated"}));

  // Pune adopts; credit goes to Pune's team and to the idea's submitters.
  auto pune = yokoten_->GetDeploymentTask(eve_, [&] {
    pb::GetDeploymentTaskRequest g;
    g.set_name(Task("die-board", "pune-press"));
    return g;
  }());
  ASSERT_TRUE(pune.ok()) << pune.status();
  EXPECT_EQ(pune->state(), pb::DEPLOYMENT_STATE_OPEN);
  EXPECT_EQ(
      Reason(
          yokoten_->ResolveDeploymentTask(eve_, Resolve(pune->name(), pb::DEPLOYMENT_STATE_ADOPTED))
              .status()),
      "NOT_THE_OWNER");
  Principal raj{"raj", "acme", {kpo::auth::kTeamMember}};
  auto adopted =
      yokoten_->ResolveDeploymentTask(raj, Resolve(pune->name(), pb::DEPLOYMENT_STATE_ADOPTED));
  ASSERT_TRUE(adopted.ok()) << adopted.status();
  EXPECT_EQ(adopted->state(), pb::DEPLOYMENT_STATE_ADOPTED);
  EXPECT_THAT(adopted->adopting_team(), ElementsAre(P("raj"))) << "the owner by default";
  EXPECT_THAT(adopted->origin_team(), ElementsAre(P("ana")));
  EXPECT_EQ(adopted->origin_site(), Lyon());
  EXPECT_EQ(adopted->resolved_by(), P("raj"));
  EXPECT_EQ(OutboxTypes().back(), "kpo.daily.v1.DeploymentTaskResolved");
  // Final: resolving again names both states.
  auto again = yokoten_->ResolveDeploymentTask(
      raj, Resolve(pune->name(), pb::DEPLOYMENT_STATE_ADAPTED, "x"));
  EXPECT_EQ(Reason(again.status()), "INVALID_TRANSITION");
  EXPECT_EQ(kpo::core::ErrorMetadata(again.status())["current_state"], "ADOPTED");
  pb::UpdateDeploymentTaskRequest later;
  later.mutable_deployment_task()->set_name(pune->name());
  later.mutable_deployment_task()->set_owner(P("ana"));
  later.mutable_update_mask()->add_paths("owner");
  EXPECT_EQ(Reason(yokoten_->UpdateDeploymentTask(bo_, later).status()),
            "DEPLOYMENT_TASK_RESOLVED");

  // The paint shop: not applicable, with the reason; then one more place, adapted.
  auto paint = yokoten_->ResolveDeploymentTask(
      eve_, Resolve(Task("die-board", "lyon-paint"), pb::DEPLOYMENT_STATE_NOT_APPLICABLE));
  EXPECT_THAT(Fields(paint.status()), ElementsAre("reason"));
  paint = yokoten_->ResolveDeploymentTask(
      eve_, Resolve(Task("die-board", "lyon-paint"), pb::DEPLOYMENT_STATE_NOT_APPLICABLE,
                    "The paint shop has no dies"));
  ASSERT_TRUE(paint.ok()) << paint.status();
  EXPECT_THAT(paint->adopting_team(), IsEmpty());
  pb::CreateDeploymentTaskRequest more;
  more.set_parent(std::string(kOrg) + "/practices/die-board");
  more.set_deployment_task_id("pune-site");
  more.mutable_deployment_task()->set_site(Pune());
  more.mutable_deployment_task()->set_owner(P("raj"));
  *more.mutable_deployment_task()->mutable_due_date() = kpo::core::FromCivil(LyonToday() + 30);
  ASSERT_TRUE(yokoten_->CreateDeploymentTask(kim_, more).ok());
  auto resolve = Resolve(Task("die-board", "pune-site"), pb::DEPLOYMENT_STATE_ADAPTED,
                         "Two boards, one per press line");
  resolve.add_adopting_team(P("raj"));
  resolve.add_adopting_team(P("kim"));
  auto adapted = yokoten_->ResolveDeploymentTask(raj, resolve);
  ASSERT_TRUE(adapted.ok()) << adapted.status();
  EXPECT_THAT(adapted->adopting_team(), ElementsAre(P("raj"), P("kim")));

  pb::GetPracticeRequest get;
  get.set_name(practice->name());
  auto counted = yokoten_->GetPractice(eve_, get);
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ(counted->open_tasks(), 0);
  EXPECT_EQ(counted->adopted_tasks(), 1);
  EXPECT_EQ(counted->adapted_tasks(), 1);
  EXPECT_EQ(counted->not_applicable_tasks(), 1);
}

TEST_F(YokotenTest, OnlyImplementedIdeasAreSharedAndBadInputNamesEveryField) {
  Implemented("waiting", false);
  auto refused = yokoten_->SharePractice(bo_, Share("early", "waiting"));
  EXPECT_EQ(Reason(refused.status()), "IDEA_NOT_IMPLEMENTED");
  EXPECT_EQ(kpo::core::ErrorMetadata(refused.status())["current_state"], "SUBMITTED");

  Implemented("dies");
  auto r = Share("Bad Id", "dies");
  r.mutable_practice()->mutable_targets(0)->set_owner(P("gone"));
  r.mutable_practice()->mutable_targets(1)->set_area(Lyon() + "/areas/press");  // its origin
  *r.mutable_practice()->add_targets() = r.practice().targets(0);
  r.mutable_practice()->mutable_targets(2)->clear_due_date();
  auto bad = yokoten_->SharePractice(bo_, r);
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(bad.status()),
              ElementsAre("practice_id", "practice.targets[0].owner", "practice.targets[1].site",
                          "practice.targets[2].due_date", "practice.targets[2].site",
                          "practice.targets[2].owner"));
  pb::SharePracticeRequest none;
  none.set_parent(kOrg);
  none.mutable_practice()->set_idea("ideas/x");
  EXPECT_THAT(Fields(yokoten_->SharePractice(bo_, none).status()),
              ElementsAre("practice.idea", "practice.targets"));
  EXPECT_THAT(OutboxTypes(), ::testing::Each(::testing::Not(::testing::HasSubstr("Practice"))));

  Principal intruder{"bo", "globex", {kpo::auth::kOrgAdmin}};
  EXPECT_EQ(yokoten_->SharePractice(intruder, Share("x", "dies")).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::ListDeploymentTasksRequest list;
  list.set_parent(std::string(kOrg) + "/practices/-");
  EXPECT_EQ(yokoten_->ListDeploymentTasks(intruder, list).status().code(),
            absl::StatusCode::kPermissionDenied);

  auto once = Share("", "dies");
  once.set_request_id("0b6f2c1e-7d3a-4e58-9c21-5a4b3c2d1e0f");
  auto first = yokoten_->SharePractice(bo_, once);
  auto second = yokoten_->SharePractice(bo_, once);
  ASSERT_TRUE(first.ok() && second.ok()) << first.status();
  EXPECT_EQ(first->name(), second->name());
}

TEST_F(YokotenTest, OpenTasksAreListableAcrossTheOrganizationAndOverduePerSite) {
  Implemented("dies");
  ASSERT_TRUE(yokoten_->SharePractice(bo_, Share("die-board", "dies")).ok());
  auto r = Share("late", "dies");
  r.mutable_practice()->mutable_targets(0)->mutable_due_date()->CopyFrom(
      kpo::core::FromCivil(LyonToday() - 1));
  ASSERT_TRUE(yokoten_->SharePractice(kim_, r).ok());

  pb::ListDeploymentTasksRequest open;
  open.set_parent(std::string(kOrg) + "/practices/-");
  open.set_state(pb::DEPLOYMENT_STATE_OPEN);
  std::vector<std::string> names;
  do {
    auto page = yokoten_->ListDeploymentTasks(eve_, open);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& t : page->deployment_tasks()) names.push_back(t.name());
    open.set_page_token(page->next_page_token());
  } while (!open.page_token().empty());
  EXPECT_THAT(names, ElementsAre(Task("late", "pune-press"), Task("die-board", "lyon-paint"),
                                 Task("die-board", "pune-press"), Task("late", "lyon-paint")));
  pb::ListDeploymentTasksRequest overdue;
  overdue.set_parent(std::string(kOrg) + "/practices/-");
  overdue.set_overdue_only(true);
  auto late = yokoten_->ListDeploymentTasks(eve_, overdue);
  ASSERT_TRUE(late.ok()) << late.status();
  ASSERT_EQ(late->deployment_tasks_size(), 1);
  EXPECT_EQ(late->deployment_tasks(0).name(), Task("late", "pune-press"));

  pb::ListPracticesRequest practices;
  practices.set_parent(kOrg);
  practices.set_origin_site(Lyon());
  auto shared = yokoten_->ListPractices(eve_, practices);
  ASSERT_TRUE(shared.ok()) << shared.status();
  ASSERT_EQ(shared->practices_size(), 2);
  EXPECT_EQ(shared->practices(0).open_tasks(), 2);
}

}  // namespace
}  // namespace kpo::daily::testing
