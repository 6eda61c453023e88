// The daily kaizen service over real processes: the people service publishes the
// directory, the daily service replicates it, ideas go through gRPC and their events
// reach the Kafka topic (the local broker).
#include <grpcpp/grpcpp.h>

#include <set>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpc_checks.h"
#include "gtest/gtest.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/daily/v1/daily_service.grpc.pb.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/people/v1/development_service.grpc.pb.h"
#include "kpo/rpc/status.h"
#include "stack.h"

namespace kpo::testing {
namespace {

namespace pb = kpo::daily::v1;
namespace dir = kpo::people::v1;
using ::testing::ElementsAre;

class DailyStackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack({"people", "daily"});
    admin_ = Stack::Token("acme", {"org_admin"}, "admin");
    DirectoryWriter directory(*stack_, admin_);
    directory.Organization("acme", {{"safety-first", "Zero accidents"}});
    directory.Site("acme", "lyon", "Europe/Paris");
    directory.Site("acme", "pune", "Asia/Kolkata");
    directory.Person("acme", "leader", "lyon", dir::TEAM_LEADER);
    directory.Person("acme", "m1", "lyon", dir::TEAM_MEMBER, "leader");
    directory.Person("acme", "m2", "lyon", dir::TEAM_MEMBER, "leader");
    directory.Person("acme", "pune-tl", "pune", dir::TEAM_LEADER);
    ASSERT_TRUE(directory.status().ok()) << directory.status();
    ASSERT_TRUE(WaitForReplica(*stack_, "daily", admin_, 4, 2)) << stack_->ServiceLog("daily");
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    ideas_ = pb::DailyKaizenService::NewStub(
        grpc::CreateChannel(stack_->GrpcAddress("daily"), grpc::InsecureChannelCredentials()));
  }

  template <class Req, class Resp>
  grpc::Status Call(grpc::Status (pb::DailyKaizenService::Stub::*method)(grpc::ClientContext*,
                                                                         const Req&, Resp*),
                    const Req& request, Resp* response, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    return (ideas_.get()->*method)(&ctx, request, response);
  }

  static std::string P(const std::string& id) { return "organizations/acme/people/" + id; }

  // Events the daily service wrote to its outbox so far (pending or sent).
  static int64_t EventsWritten() { return stack_->EventsWritten("daily", admin_); }

  static std::vector<std::string> Fields(const grpc::Status& s) { return ViolatedFields(s); }

  template <class Req>
  static Req On(const std::string& name) {
    Req r;
    r.set_name(name);
    return r;
  }

  pb::CreateIdeaRequest Request(const std::string& id) {
    pb::CreateIdeaRequest r;
    r.set_parent("organizations/acme");
    r.set_idea_id(id);
    r.mutable_idea()->set_title("Anti-slip mat at the press");
    r.mutable_idea()->set_problem("Oil on the floor at press 4");
    r.mutable_idea()->set_countermeasure("A drip tray and an anti-slip mat");
    r.mutable_idea()->set_category(pb::CATEGORY_SAFETY);
    r.mutable_idea()->set_site("organizations/acme/sites/lyon");
    r.mutable_idea()->set_strategic_objective("safety-first");
    return r;
  }

  static Stack* stack_;
  static std::string admin_;
  std::unique_ptr<pb::DailyKaizenService::Stub> ideas_;
  const std::string m1_ = Stack::Token("acme", {"team_member"}, "m1");
  const std::string m2_ = Stack::Token("acme", {"team_member"}, "m2");
  const std::string leader_ = Stack::Token("acme", {"team_leader"}, "leader");
};

Stack* DailyStackTest::stack_ = nullptr;
std::string DailyStackTest::admin_;

TEST_F(DailyStackTest, AnIdeaFromSubmissionToStandardWithItsEventsOnTheTopic) {
  pb::Idea idea;
  grpc::Status s = Call(&pb::DailyKaizenService::Stub::CreateIdea, Request("mat"), &idea, m1_);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(idea.reviewer(), P("leader")) << "the submitter's manager reviews by default";
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::AcceptIdea,
                   On<pb::AcceptIdeaRequest>(idea.name()), &idea, leader_)
                  .ok());
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::StartIdea, On<pb::StartIdeaRequest>(idea.name()),
                   &idea, m1_)
                  .ok());
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::ImplementIdea,
                   On<pb::ImplementIdeaRequest>(idea.name()), &idea, m1_)
                  .ok());
  s = Call(&pb::DailyKaizenService::Stub::StandardizeIdea,
           On<pb::StandardizeIdeaRequest>(idea.name()), &idea, leader_);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(idea.state(), pb::IDEA_STATE_STANDARDIZED);

  const std::string last = "kpo.daily.v1.IdeaStandardized";
  auto all = ReadTopic(stack_->bootstrap(), "kpo.daily.v1", [&](const auto& envs) {
    for (const auto& e : envs) {
      if (e.subject() == idea.name() && e.type() == last) return true;
    }
    return false;
  });
  std::vector<std::string> types;
  pb::IdeaImplemented implemented;
  for (const auto& e : all) {
    if (e.subject() != idea.name()) continue;
    types.push_back(e.type());
    if (e.type() == "kpo.daily.v1.IdeaImplemented") {
      ASSERT_TRUE(e.data().UnpackTo(&implemented));
    }
  }
  EXPECT_THAT(types, ElementsAre("kpo.daily.v1.IdeaSubmitted", "kpo.daily.v1.IdeaAccepted",
                                 "kpo.daily.v1.IdeaStarted", "kpo.daily.v1.IdeaImplemented", last));
  // What people development and reporting count, without calling back.
  EXPECT_THAT(implemented.idea().submitters(), ElementsAre(P("m1")));
  EXPECT_EQ(implemented.idea().reviewed_by(), P("leader"));
  EXPECT_EQ(implemented.idea().implemented_by(), P("m1"));
  EXPECT_EQ(implemented.idea().strategic_objective(), "safety-first");
  EXPECT_TRUE(implemented.idea().has_time_to_implement());
  EXPECT_EQ(implemented.revision(), 4);
}

TEST_F(DailyStackTest, TenancyAuthenticationAndWhoMayReviewOverGrpc) {
  pb::Idea idea;
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::CreateIdea, Request("guarded"), &idea, m1_).ok());
  pb::Idea out;
  const std::string intruder = Stack::Token("globex", {"org_admin"}, "spy");
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::GetIdea, On<pb::GetIdeaRequest>(idea.name()), &out,
                 intruder)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::ListIdeasRequest list;
  list.set_parent("organizations/acme");
  pb::ListIdeasResponse listed;
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::ListIdeas, list, &listed, intruder).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::AcceptIdea, On<pb::AcceptIdeaRequest>(idea.name()),
                 &out, intruder)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext anonymous;
  EXPECT_EQ(ideas_->GetIdea(&anonymous, On<pb::GetIdeaRequest>(idea.name()), &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // A colleague reads it but does not review it; team members do not route reviews.
  EXPECT_TRUE(
      Call(&pb::DailyKaizenService::Stub::GetIdea, On<pb::GetIdeaRequest>(idea.name()), &out, m2_)
          .ok());
  grpc::Status s = Call(&pb::DailyKaizenService::Stub::AcceptIdea,
                        On<pb::AcceptIdeaRequest>(idea.name()), &out, m2_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(kpo::core::ErrorReason(kpo::rpc::FromGrpcStatus(s)), "NOT_THE_REVIEWER");
  pb::ReassignIdeaReviewerRequest reassign = On<pb::ReassignIdeaReviewerRequest>(idea.name());
  reassign.set_reviewer(P("m2"));
  EXPECT_EQ(
      Call(&pb::DailyKaizenService::Stub::ReassignIdeaReviewer, reassign, &out, m2_).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Everybody reads the organization's settings and the backlog; the KPO sets the limit.
  pb::GetDailySettingsRequest get;
  get.set_name("organizations/acme/dailySettings");
  pb::DailySettings settings;
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::GetDailySettings, get, &settings, m2_).ok());
  pb::UpdateDailySettingsRequest update;
  *update.mutable_daily_settings() = settings;
  update.mutable_daily_settings()->set_review_limit_days(3);
  EXPECT_EQ(
      Call(&pb::DailyKaizenService::Stub::UpdateDailySettings, update, &settings, m2_).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  pb::ListReviewBacklogRequest backlog;
  backlog.set_parent("organizations/acme");
  backlog.set_reviewer(P("leader"));
  pb::ListReviewBacklogResponse waiting;
  ASSERT_TRUE(
      Call(&pb::DailyKaizenService::Stub::ListReviewBacklog, backlog, &waiting, leader_).ok());
  EXPECT_EQ(waiting.review_limit_days(), 7);
  EXPECT_EQ(waiting.ideas_size(), 0) << "nothing has waited a week yet";
  backlog.set_parent("organizations/globex");
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::ListReviewBacklog, backlog, &waiting, leader_)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DailyStackTest, FinanceValidatesTheActualImpactOverGrpc) {
  pb::CreateIdeaRequest r = Request("cost");
  r.mutable_idea()->set_category(pb::CATEGORY_COST);
  pb::Impact* impact = r.mutable_idea()->mutable_impact();
  impact->mutable_forecast()->set_currency_code("USD");
  impact->mutable_forecast()->set_minor_units(1'500'000);
  impact->set_recurrence(pb::IMPACT_RECURRENCE_ONE_TIME);
  impact->set_kind(pb::IMPACT_KIND_SOFT);
  pb::Idea idea;
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::CreateIdea, r, &idea, m1_).ok());
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::AcceptIdea,
                   On<pb::AcceptIdeaRequest>(idea.name()), &idea, leader_)
                  .ok());
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::ImplementIdea,
                   On<pb::ImplementIdeaRequest>(idea.name()), &idea, m1_)
                  .ok());
  pb::UpdateIdeaRequest u;
  u.mutable_idea()->set_name(idea.name());
  *u.mutable_idea()->mutable_impact()->mutable_actual() = impact->forecast();
  u.mutable_update_mask()->add_paths("impact.actual");
  grpc::Status s = Call(&pb::DailyKaizenService::Stub::UpdateIdea, u, &idea, m1_);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const auto validate = On<pb::ValidateIdeaImpactRequest>(idea.name());
  EXPECT_EQ(
      Call(&pb::DailyKaizenService::Stub::ValidateIdeaImpact, validate, &idea, m1_).error_code(),
      grpc::StatusCode::PERMISSION_DENIED)
      << "a team member does not validate money";
  s = Call(&pb::DailyKaizenService::Stub::ValidateIdeaImpact, validate, &idea,
           Stack::Token("acme", {"finance"}, "controller"));
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(idea.impact().validated());
  EXPECT_EQ(idea.impact().validated_by(), P("controller"));
  EXPECT_EQ(idea.impact().actual().minor_units(), 1'500'000);
}

TEST_F(DailyStackTest, BadInputOnEveryMutatingRpcNamesFieldsAndWritesNothing) {
  pb::Idea idea;
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::CreateIdea, Request("checked"), &idea, m1_).ok());
  const int64_t before = EventsWritten();
  pb::Idea out;
  pb::CreateIdeaRequest create = Request("Bad Id");
  create.mutable_idea()->clear_problem();
  create.mutable_idea()->set_category(static_cast<pb::Category>(9));
  create.mutable_idea()->set_strategic_objective("growth");
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::CreateIdea, create, &out, m1_)),
              ElementsAre("idea_id", "idea.problem", "idea.category", "idea.strategic_objective"));
  pb::UpdateIdeaRequest update;
  update.mutable_idea()->set_name(idea.name());
  update.mutable_idea()->set_title("");
  update.mutable_update_mask()->add_paths("title");
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::UpdateIdea, update, &out, m1_)),
              ElementsAre("idea.title"));
  pb::ReassignIdeaReviewerRequest reassign = On<pb::ReassignIdeaReviewerRequest>(idea.name());
  reassign.set_reviewer(P("nobody"));
  EXPECT_THAT(
      Fields(Call(&pb::DailyKaizenService::Stub::ReassignIdeaReviewer, reassign, &out, admin_)),
      ElementsAre("reviewer"));
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::RejectIdea,
                          On<pb::RejectIdeaRequest>(idea.name()), &out, leader_)),
              ElementsAre("reason"));
  EXPECT_THAT(
      Fields(Call(&pb::DailyKaizenService::Stub::AcceptIdea,
                  On<pb::AcceptIdeaRequest>("organizations/acme/kaizenEvents/x"), &out, leader_)),
      ElementsAre("name"));
  for (auto call :
       {+[](pb::DailyKaizenService::Stub*s, grpc::ClientContext*c, const std::string&n,
            pb::Idea*o) { return s->StartIdea(c, On<pb::StartIdeaRequest>(n), o); },
        +[](pb::DailyKaizenService::Stub*s, grpc::ClientContext*c, const std::string&n,
            pb::Idea*o) { return s->ImplementIdea(c, On<pb::ImplementIdeaRequest>(n), o); },
        +[](pb::DailyKaizenService::Stub*s, grpc::ClientContext*c, const std::string&n,
            pb::Idea*o) { return s->StandardizeIdea(c, On<pb::StandardizeIdeaRequest>(n), o); },
        +[](pb::DailyKaizenService::Stub*s, grpc::ClientContext*c, const std::string&n,
            pb::Idea*o) { return s->WithdrawIdea(c, On<pb::WithdrawIdeaRequest>(n), o); }}) {
    grpc::ClientContext ctx;
    Authorize(ctx, m1_);
    EXPECT_THAT(Fields(call(ideas_.get(), &ctx, "ideas/x", &out)), ElementsAre("name"));
  }
  pb::ValidateIdeaImpactRequest validate = On<pb::ValidateIdeaImpactRequest>(idea.name());
  validate.set_note(std::string(2001, 'n'));
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::ValidateIdeaImpact, validate, &out,
                          Stack::Token("acme", {"finance"}, "controller"))),
              ElementsAre("note"));
  EXPECT_EQ(EventsWritten(), before) << "a refused request wrote an event";
  ASSERT_TRUE(
      Call(&pb::DailyKaizenService::Stub::GetIdea, On<pb::GetIdeaRequest>(idea.name()), &out, m1_)
          .ok());
  EXPECT_EQ(out.etag(), "1") << "a refused request changed the idea";
}

// ---- Improvement kata over real processes

pb::CreateStoryboardRequest Board(const std::string& id) {
  pb::CreateStoryboardRequest r;
  r.set_parent("organizations/acme");
  r.set_storyboard_id(id);
  auto* b = r.mutable_storyboard();
  b->set_coach("organizations/acme/people/leader");
  b->set_challenge("No lost-time accident this year");
  b->set_strategic_objective("safety-first");
  b->mutable_target_condition()->set_description("No oil on the floor at press 4");
  b->mutable_target_condition()->set_metric("oil spots found per shift");
  *b->mutable_target_condition()->mutable_achieve_by() =
      kpo::core::FromCivil(absl::CivilDay(2030, 6, 30));
  return r;
}

pb::CreateCoachingCycleRequest Cycle(const std::string& board) {
  pb::CreateCoachingCycleRequest r;
  r.set_parent(board);
  // Yesterday in Lyon is never after today there, whatever the machine's zone.
  absl::TimeZone paris;
  absl::LoadTimeZone("Europe/Paris", &paris);
  *r.mutable_coaching_cycle()->mutable_date() =
      kpo::core::FromCivil(absl::ToCivilDay(absl::Now(), paris) - 1);
  r.mutable_coaching_cycle()->set_minutes(10);
  auto* a = r.mutable_coaching_cycle()->mutable_answers();
  a->set_target_condition("no oil spots");
  a->set_actual_condition("3 spots per shift");
  a->set_obstacles("leaking seal; working on it");
  a->set_next_step("drip tray under the seal; expect 1 spot");
  a->set_when_to_see("tomorrow after the shift");
  return r;
}

TEST_F(DailyStackTest, ACoachingCycleIsRefusedUntilThePeopleServicePublishesTheRelationship) {
  pb::Storyboard board;
  grpc::Status s = Call(&pb::DailyKaizenService::Stub::CreateStoryboard, Board("oil"), &board, m1_);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(board.learner(), P("m1"));
  EXPECT_EQ(board.site(), "organizations/acme/sites/lyon");
  pb::CreateExperimentRequest e;
  e.set_parent(board.name());
  e.mutable_experiment()->set_step("drip tray");
  e.mutable_experiment()->set_expected("one spot per shift");
  *e.mutable_experiment()->mutable_date() = Cycle(board.name()).coaching_cycle().date();
  pb::Experiment experiment;
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::CreateExperiment, e, &experiment, m1_).ok());

  pb::CoachingCycle cycle;
  s = Call(&pb::DailyKaizenService::Stub::CreateCoachingCycle, Cycle(board.name()), &cycle,
           leader_);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_EQ(kpo::core::ErrorReason(kpo::rpc::FromGrpcStatus(s)), "NO_COACHING_RELATIONSHIP");
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("CreateCoachingRelationship"));

  // The people service sets the relationship up; once its event reached the daily
  // service's replica the same request is accepted.
  dir::CreateCoachingRelationshipRequest rel;
  rel.set_parent("organizations/acme");
  rel.set_coaching_relationship_id("leader-m1");
  rel.mutable_coaching_relationship()->set_coach(P("leader"));
  rel.mutable_coaching_relationship()->set_learner(P("m1"));
  rel.mutable_coaching_relationship()->mutable_cadence()->set_sessions_per_week(3);
  {
    auto people = stack_->People();
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    dir::CoachingRelationship created;
    grpc::Status made = people->CreateCoachingRelationship(&ctx, rel, &created);
    ASSERT_TRUE(made.ok()) << made.error_message();
  }
  ASSERT_TRUE(WaitFor([&] {
    s = Call(&pb::DailyKaizenService::Stub::CreateCoachingCycle, Cycle(board.name()), &cycle,
             leader_);
    return s.ok();
  })) << s.error_message();
  EXPECT_EQ(cycle.coach_kind(), pb::COACH_KIND_LINE);
  EXPECT_EQ(cycle.coaching_relationship(), "organizations/acme/coachingRelationships/leader-m1");
  EXPECT_EQ(cycle.reviewed_experiment(), experiment.name());

  pb::ListLearnerCadencesRequest cadences;
  cadences.set_parent("organizations/acme");
  cadences.set_coach(P("leader"));
  pb::ListLearnerCadencesResponse listed;
  ASSERT_TRUE(
      Call(&pb::DailyKaizenService::Stub::ListLearnerCadences, cadences, &listed, leader_).ok());
  ASSERT_EQ(listed.learner_cadences_size(), 1);
  EXPECT_EQ(listed.learner_cadences(0).days_since_last_cycle(), 1);
  EXPECT_EQ(listed.learner_cadences(0).expected_last_28_days(), 12);

  // The events people development and reporting count, on the topic.
  // Each on its own partition: read until all three have arrived.
  auto all = ReadTopic(stack_->bootstrap(), "kpo.daily.v1", [&](const auto& envs) {
    std::set<std::string> seen;
    for (const auto& env : envs) seen.insert(env.subject());
    return seen.contains(cycle.name()) && seen.contains(board.name()) &&
           seen.contains(experiment.name());
  });
  pb::CoachingCycleRecorded recorded;
  std::vector<std::string> types;
  for (const auto& env : all) {
    if (env.subject() == board.name() || env.subject() == experiment.name()) {
      types.push_back(env.type());
    }
    if (env.subject() == cycle.name()) {
      ASSERT_TRUE(env.data().UnpackTo(&recorded));
    }
  }
  // (Each resource is its own key, so its own partition: no order between the two.)
  EXPECT_THAT(types, ::testing::UnorderedElementsAre("kpo.daily.v1.StoryboardCreated",
                                                     "kpo.daily.v1.ExperimentRecorded"));
  EXPECT_EQ(recorded.coaching_cycle().learner(), P("m1"));
  EXPECT_EQ(recorded.coaching_cycle().coach(), P("leader"));
  EXPECT_EQ(recorded.coaching_cycle().coach_kind(), pb::COACH_KIND_LINE);
  EXPECT_EQ(recorded.coaching_cycle().strategic_objective(), "safety-first");
  EXPECT_EQ(recorded.coaching_cycle().site(), "organizations/acme/sites/lyon");

  // People development credits the coach with mentoring m1, from the cycle's event.
  auto development = dir::PeopleDevelopmentService::NewStub(
      grpc::CreateChannel(stack_->GrpcAddress("people"), grpc::InsecureChannelCredentials()));
  dir::Evidence mentoring;
  ASSERT_TRUE(WaitFor([&] {
    dir::ListEvidenceRequest r;
    r.set_parent(P("leader"));
    r.set_kind(dir::EVIDENCE_KIND_MENTORING);
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    dir::ListEvidenceResponse resp;
    if (!development->ListEvidence(&ctx, r, &resp).ok()) return false;
    for (const auto& ev : resp.evidence()) {
      if (ev.source() == cycle.name()) mentoring = ev;
    }
    return !mentoring.name().empty();
  })) << stack_->ServiceLog("people");
  EXPECT_EQ(mentoring.mentee(), P("m1"));
  EXPECT_EQ(mentoring.state(), dir::EVIDENCE_STATE_COUNTED);
  EXPECT_EQ(mentoring.date().day(), cycle.date().day());
}

TEST_F(DailyStackTest, KataTenancyAndBadInputOverGrpc) {
  pb::Storyboard board;
  ASSERT_TRUE(
      Call(&pb::DailyKaizenService::Stub::CreateStoryboard, Board("guarded"), &board, m2_).ok());
  const std::string intruder = Stack::Token("globex", {"org_admin"}, "spy");
  pb::Storyboard out;
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::GetStoryboard,
                 On<pb::GetStoryboardRequest>(board.name()), &out, intruder)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::ListStoryboardsRequest list;
  list.set_parent("organizations/acme");
  pb::ListStoryboardsResponse boards;
  EXPECT_EQ(
      Call(&pb::DailyKaizenService::Stub::ListStoryboards, list, &boards, intruder).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  pb::CoachingCycle cycle;
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::CreateCoachingCycle, Cycle(board.name()), &cycle,
                 intruder)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::ListLearnerCadencesRequest cadences;
  cadences.set_parent("organizations/acme");
  pb::ListLearnerCadencesResponse listed;
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::ListLearnerCadences, cadences, &listed, intruder)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A colleague reads the storyboard but does not write it.
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::GetStoryboard,
                   On<pb::GetStoryboardRequest>(board.name()), &out, m1_)
                  .ok());
  pb::CloseStoryboardRequest close = On<pb::CloseStoryboardRequest>(board.name());
  grpc::Status s = Call(&pb::DailyKaizenService::Stub::CloseStoryboard, close, &out, m1_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(kpo::core::ErrorReason(kpo::rpc::FromGrpcStatus(s)), "NOT_LEARNER_OR_COACH");

  // Bad input on every mutating kata RPC: every field named, nothing written.
  const int64_t before = EventsWritten();
  pb::CreateStoryboardRequest create = Board("Bad Id");
  create.mutable_storyboard()->set_coach(P("m2"));
  create.mutable_storyboard()->set_strategic_objective("growth");
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::CreateStoryboard, create, &out, m2_)),
              ElementsAre("storyboard_id", "storyboard.coach", "storyboard.strategic_objective"));
  pb::UpdateStoryboardRequest update;
  update.mutable_storyboard()->set_name(board.name());
  update.mutable_storyboard()->add_obstacles()->set_description("no status");
  update.mutable_update_mask()->add_paths("obstacles");
  update.mutable_update_mask()->add_paths("state");
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::UpdateStoryboard, update, &out, m2_)),
              ElementsAre("update_mask.paths[1]"));
  update.mutable_update_mask()->mutable_paths()->RemoveLast();
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::UpdateStoryboard, update, &out, m2_)),
              ElementsAre("storyboard.obstacles[0].status"));
  close.set_note(std::string(2001, 'n'));
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::CloseStoryboard, close, &out, m2_)),
              ElementsAre("note"));
  pb::CreateExperimentRequest experiment;
  experiment.set_parent(board.name());
  pb::Experiment e;
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::CreateExperiment, experiment, &e, m2_)),
              ElementsAre("experiment.step", "experiment.expected", "experiment.date"));
  pb::UpdateExperimentRequest change;
  change.mutable_experiment()->set_name(board.name() + "/experiments/x");
  change.mutable_update_mask()->add_paths("recorded_by");
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::UpdateExperiment, change, &e, m2_)),
              ElementsAre("update_mask.paths[0]"));
  pb::CreateCoachingCycleRequest bad = Cycle(board.name());
  bad.mutable_coaching_cycle()->set_minutes(0);
  bad.mutable_coaching_cycle()->mutable_answers()->clear_obstacles();
  EXPECT_THAT(
      Fields(Call(&pb::DailyKaizenService::Stub::CreateCoachingCycle, bad, &cycle, leader_)),
      ElementsAre("coaching_cycle.minutes", "coaching_cycle.answers.obstacles"));
  EXPECT_EQ(EventsWritten(), before) << "a refused request wrote an event";
}

TEST_F(DailyStackTest, GembaWalksFollowUpsTenancyAndBadInputOverGrpc) {
  absl::TimeZone paris;
  absl::LoadTimeZone("Europe/Paris", &paris);
  const absl::CivilDay yesterday = absl::ToCivilDay(absl::Now(), paris) - 1;
  pb::CreateGembaWalkRequest create;
  create.set_parent("organizations/acme");
  create.set_gemba_walk_id("press-walk");
  pb::GembaWalk* w = create.mutable_gemba_walk();
  w->set_site("organizations/acme/sites/lyon");
  *w->mutable_date() = kpo::core::FromCivil(yesterday);
  w->mutable_questions()->set_purpose("Stamp brackets for assembly");
  w->mutable_questions()->set_alignment("Oil on the floor threatens zero accidents");
  w->mutable_questions()->set_right_thing("Yes, at the takt of assembly");
  w->add_observations("Oil under press 4");
  w->set_strategic_objective("safety-first");
  pb::GembaWalk walk;
  grpc::Status s = Call(&pb::DailyKaizenService::Stub::CreateGembaWalk, create, &walk, leader_);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(walk.leader(), P("leader"));
  pb::CreateGembaFollowUpRequest follow;
  follow.set_parent(walk.name());
  follow.mutable_follow_up()->set_description("Fix the seal of press 4");
  follow.mutable_follow_up()->set_owner(P("m1"));
  *follow.mutable_follow_up()->mutable_due_date() = kpo::core::FromCivil(yesterday - 1);
  pb::GembaFollowUp f;
  s = Call(&pb::DailyKaizenService::Stub::CreateGembaFollowUp, follow, &f, leader_);
  ASSERT_TRUE(s.ok()) << s.error_message();
  pb::ListGembaFollowUpsRequest overdue;
  overdue.set_parent("organizations/acme/gembaWalks/-");
  overdue.set_overdue_only(true);
  overdue.set_owner(P("m1"));
  pb::ListGembaFollowUpsResponse listed;
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::ListGembaFollowUps, overdue, &listed, m2_).ok());
  ASSERT_EQ(listed.follow_ups_size(), 1);
  EXPECT_EQ(listed.follow_ups(0).name(), f.name());

  const std::string intruder = Stack::Token("globex", {"org_admin"}, "spy");
  pb::GembaWalk out;
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::GetGembaWalk,
                 On<pb::GetGembaWalkRequest>(walk.name()), &out, intruder)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::ListGembaFollowUps, overdue, &listed, intruder)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::UpdateGembaFollowUpRequest done;
  done.mutable_follow_up()->set_name(f.name());
  done.mutable_follow_up()->set_status(pb::FOLLOW_UP_STATUS_DONE);
  done.mutable_update_mask()->add_paths("status");
  s = Call(&pb::DailyKaizenService::Stub::UpdateGembaFollowUp, done, &f, m2_);
  EXPECT_EQ(kpo::core::ErrorReason(kpo::rpc::FromGrpcStatus(s)), "NOT_THE_LEADER");

  const int64_t before = EventsWritten();
  create.set_gemba_walk_id("Bad Id");
  w->mutable_questions()->clear_purpose();
  *w->mutable_date() = kpo::core::FromCivil(yesterday + 3);
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::CreateGembaWalk, create, &out, leader_)),
              ElementsAre("gemba_walk_id", "gemba_walk.date", "gemba_walk.questions.purpose"));
  pb::UpdateGembaWalkRequest update;
  update.mutable_gemba_walk()->set_name(walk.name());
  update.mutable_gemba_walk()->add_observations(std::string(2001, 'o'));
  update.mutable_update_mask()->add_paths("observations");
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::UpdateGembaWalk, update, &out, leader_)),
              ElementsAre("gemba_walk.observations[0]"));
  follow.mutable_follow_up()->clear_description();
  follow.mutable_follow_up()->set_owner(P("nobody"));
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::CreateGembaFollowUp, follow, &f, leader_)),
              ElementsAre("follow_up.description", "follow_up.owner"));
  done.mutable_follow_up()->set_status(static_cast<pb::FollowUpStatus>(7));
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::UpdateGembaFollowUp, done, &f, m1_)),
              ElementsAre("follow_up.status"));
  EXPECT_EQ(EventsWritten(), before) << "a refused request wrote an event";
  done.mutable_follow_up()->set_status(pb::FOLLOW_UP_STATUS_DONE);
  s = Call(&pb::DailyKaizenService::Stub::UpdateGembaFollowUp, done, &f, m1_);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(f.status(), pb::FOLLOW_UP_STATUS_DONE) << "the owner closes their follow-up";
}

TEST_F(DailyStackTest, APracticeIsSharedAndAdoptedAtAnotherSiteWithItsEvents) {
  pb::Idea idea;
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::CreateIdea, Request("tray"), &idea, m1_).ok());
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::AcceptIdea,
                   On<pb::AcceptIdeaRequest>(idea.name()), &idea, leader_)
                  .ok());
  ASSERT_TRUE(Call(&pb::DailyKaizenService::Stub::ImplementIdea,
                   On<pb::ImplementIdeaRequest>(idea.name()), &idea, m1_)
                  .ok());
  pb::SharePracticeRequest share;
  share.set_parent("organizations/acme");
  share.set_practice_id("drip-tray");
  share.mutable_practice()->set_idea(idea.name());
  pb::PracticeTarget* target = share.mutable_practice()->add_targets();
  target->set_site("organizations/acme/sites/pune");
  target->set_owner(P("pune-tl"));
  *target->mutable_due_date() = kpo::core::FromCivil(absl::CivilDay(2030, 1, 31));
  pb::Practice practice;
  grpc::Status s = Call(&pb::DailyKaizenService::Stub::SharePractice, share, &practice, leader_);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(practice.open_tasks(), 1);
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::SharePractice, share, &practice, m2_).error_code(),
            grpc::StatusCode::PERMISSION_DENIED)
      << "team members do not share practices";

  pb::ResolveDeploymentTaskRequest adopt;
  adopt.set_name(practice.name() + "/deploymentTasks/pune");
  adopt.set_outcome(pb::DEPLOYMENT_STATE_ADOPTED);
  pb::DeploymentTask task;
  s = Call(&pb::DailyKaizenService::Stub::ResolveDeploymentTask, adopt, &task, m2_);
  EXPECT_EQ(kpo::core::ErrorReason(kpo::rpc::FromGrpcStatus(s)), "NOT_THE_OWNER");
  s = Call(&pb::DailyKaizenService::Stub::ResolveDeploymentTask, adopt, &task,
           Stack::Token("acme", {"team_leader"}, "pune-tl"));
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(task.state(), pb::DEPLOYMENT_STATE_ADOPTED);

  auto all = ReadTopic(stack_->bootstrap(), "kpo.daily.v1", [&](const auto& envs) {
    for (const auto& e : envs) {
      if (e.subject() == task.name() && e.type() == "kpo.daily.v1.DeploymentTaskResolved") {
        return true;
      }
    }
    return false;
  });
  pb::DeploymentTaskResolved resolved;
  for (const auto& e : all) {
    if (e.subject() == task.name() && e.type() == "kpo.daily.v1.DeploymentTaskResolved") {
      ASSERT_TRUE(e.data().UnpackTo(&resolved));
    }
  }
  // Both teams are credited, without calling back.
  EXPECT_THAT(resolved.deployment_task().adopting_team(), ElementsAre(P("pune-tl")));
  EXPECT_THAT(resolved.deployment_task().origin_team(), ElementsAre(P("m1")));
  EXPECT_EQ(resolved.deployment_task().origin_site(), "organizations/acme/sites/lyon");
  EXPECT_EQ(resolved.deployment_task().site(), "organizations/acme/sites/pune");
  EXPECT_EQ(resolved.deployment_task().idea(), idea.name());

  // Tenancy and bad input on the other mutating yokoten RPCs.
  const std::string intruder = Stack::Token("globex", {"org_admin"}, "spy");
  EXPECT_EQ(Call(&pb::DailyKaizenService::Stub::GetPractice,
                 On<pb::GetPracticeRequest>(practice.name()), &practice, intruder)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const int64_t before = EventsWritten();
  pb::CreateDeploymentTaskRequest more;
  more.set_parent(practice.name());
  more.mutable_deployment_task()->set_site("organizations/acme/sites/lyon");
  EXPECT_THAT(
      Fields(Call(&pb::DailyKaizenService::Stub::CreateDeploymentTask, more, &task, leader_)),
      ElementsAre("deployment_task.site", "deployment_task.owner", "deployment_task.due_date"));
  pb::UpdateDeploymentTaskRequest update;
  update.mutable_deployment_task()->set_name(adopt.name());
  update.mutable_update_mask()->add_paths("state");
  EXPECT_THAT(
      Fields(Call(&pb::DailyKaizenService::Stub::UpdateDeploymentTask, update, &task, leader_)),
      ElementsAre("update_mask.paths[0]"));
  adopt.set_outcome(pb::DEPLOYMENT_STATE_NOT_APPLICABLE);
  EXPECT_THAT(
      Fields(Call(&pb::DailyKaizenService::Stub::ResolveDeploymentTask, adopt, &task, leader_)),
      ElementsAre("reason"));
  share.set_practice_id("Bad Id");
  EXPECT_THAT(Fields(Call(&pb::DailyKaizenService::Stub::SharePractice, share, &practice, leader_)),
              ElementsAre("practice_id"));
  EXPECT_EQ(EventsWritten(), before) << "a refused request wrote an event";
}

// Every method of the service, called by an org_admin of another organization with each
// of the service's resource names of organization "acme": never answered, never a
// write; PERMISSION_DENIED once the name has the method's shape (INVALID_ARGUMENT for
// the shapes it does not take).
TEST_F(DailyStackTest, EveryRpcRefusesAnotherOrganizationsNames) {
  const std::vector<std::string> names = {"organizations/acme",
                                          "organizations/acme/dailySettings",
                                          "organizations/acme/ideas/x",
                                          "organizations/acme/circles/x",
                                          "organizations/acme/storyboards/x",
                                          "organizations/acme/storyboards/-",
                                          "organizations/acme/storyboards/x/experiments/x",
                                          "organizations/acme/storyboards/x/coachingCycles/x",
                                          "organizations/acme/gembaWalks/x",
                                          "organizations/acme/gembaWalks/-",
                                          "organizations/acme/gembaWalks/x/followUps/x",
                                          "organizations/acme/practices/x",
                                          "organizations/acme/practices/-",
                                          "organizations/acme/practices/x/deploymentTasks/x"};
  const int64_t before = EventsWritten();
  const auto outcomes =
      CallEveryMethod(stack_->GrpcAddress("daily"), "kpo.daily.v1.DailyKaizenService", names,
                      Stack::Token("globex", {"org_admin"}, "spy"));
  ExpectEveryMethodRefusesEveryName(outcomes, names);
  EXPECT_EQ(EventsWritten(), before) << "another organization's call wrote an event";
  // With this organization's token, a malformed request_id is refused by every mutating
  // method, naming the field, with nothing written.
  const auto malformed = CallEveryMethod(
      stack_->GrpcAddress("daily"), "kpo.daily.v1.DailyKaizenService", names,
      Stack::Token("acme", {"org_admin", "kpo_specialist", "finance"}, "admin"), MalformRequestId);
  ExpectEveryMutationRefusesABadRequestId(malformed, "kpo.daily.v1.DailyKaizenService");
  EXPECT_EQ(EventsWritten(), before) << "a refused request wrote an event";
}

}  // namespace
}  // namespace kpo::testing
