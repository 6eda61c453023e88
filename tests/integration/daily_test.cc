// The daily kaizen service over real processes: the people service publishes the
// directory, the daily service replicates it, ideas go through gRPC and their events
// reach the Kafka topic (the local broker).
#include <grpcpp/grpcpp.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/daily/v1/daily_service.grpc.pb.h"
#include "kpo/daily/v1/events.pb.h"
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
    auto people = stack_->People();
    auto call = [&](auto method, const auto& request, auto* response) {
      grpc::ClientContext ctx;
      Authorize(ctx, admin_);
      grpc::Status s = (people.get()->*method)(&ctx, request, response);
      ASSERT_TRUE(s.ok()) << s.error_message();
    };
    dir::CreateOrganizationRequest org;
    org.set_organization_id("acme");
    org.mutable_organization()->set_display_name("Acme");
    org.mutable_organization()->set_maturity_stage(dir::MATURITY_STAGE_SPREADING);
    org.mutable_organization()->add_strategic_objectives()->set_id("safety-first");
    org.mutable_organization()->mutable_strategic_objectives(0)->set_title("Zero accidents");
    dir::Organization o;
    call(&dir::PeopleService::Stub::CreateOrganization, org, &o);
    dir::CreateSiteRequest site;
    site.set_parent("organizations/acme");
    site.set_site_id("lyon");
    site.mutable_site()->set_display_name("Lyon");
    site.mutable_site()->set_time_zone("Europe/Paris");
    dir::Site s;
    call(&dir::PeopleService::Stub::CreateSite, site, &s);
    for (auto [id, role, manager] :
         {std::tuple{"leader", dir::TEAM_LEADER, ""}, std::tuple{"m1", dir::TEAM_MEMBER, "leader"},
          std::tuple{"m2", dir::TEAM_MEMBER, "leader"}}) {
      dir::CreatePersonRequest r;
      r.set_parent("organizations/acme");
      r.set_person_id(id);
      r.mutable_person()->set_display_name(id);
      r.mutable_person()->set_home_site("organizations/acme/sites/lyon");
      r.mutable_person()->add_roles(role);
      if (*manager != '\0') r.mutable_person()->set_manager(P(manager));
      dir::Person p;
      call(&dir::PeopleService::Stub::CreatePerson, r, &p);
    }
    auto ops = stack_->Ops("daily");
    ASSERT_TRUE(WaitFor([&] {
      grpc::ClientContext ctx;
      Authorize(ctx, admin_);
      kpo::ops::v1::ServiceStatus st;
      if (!ops->GetServiceStatus(&ctx, {}, &st).ok()) return false;
      return st.replica_counts().count("person") && st.replica_counts().at("person") == 3 &&
             st.replica_counts().count("site") && st.replica_counts().count("organization");
    })) << stack_->ServiceLog("daily");
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
  auto written = [&] {
    auto ops = stack_->Ops("daily");
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    kpo::ops::v1::ServiceStatus st;
    EXPECT_TRUE(ops->GetServiceStatus(&ctx, {}, &st).ok());
    return st.outbox_pending() + st.outbox_sent_retained();
  };
  const int64_t before = written();
  auto fields = [](const grpc::Status& s) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    std::vector<std::string> out;
    for (const auto& v : kpo::core::FieldViolationsOf(kpo::rpc::FromGrpcStatus(s))) {
      out.push_back(v.field);
    }
    return out;
  };
  pb::Idea out;
  pb::CreateIdeaRequest create = Request("Bad Id");
  create.mutable_idea()->clear_problem();
  create.mutable_idea()->set_category(static_cast<pb::Category>(9));
  create.mutable_idea()->set_strategic_objective("growth");
  EXPECT_THAT(fields(Call(&pb::DailyKaizenService::Stub::CreateIdea, create, &out, m1_)),
              ElementsAre("idea_id", "idea.problem", "idea.category", "idea.strategic_objective"));
  pb::UpdateIdeaRequest update;
  update.mutable_idea()->set_name(idea.name());
  update.mutable_idea()->set_title("");
  update.mutable_update_mask()->add_paths("title");
  EXPECT_THAT(fields(Call(&pb::DailyKaizenService::Stub::UpdateIdea, update, &out, m1_)),
              ElementsAre("idea.title"));
  pb::ReassignIdeaReviewerRequest reassign = On<pb::ReassignIdeaReviewerRequest>(idea.name());
  reassign.set_reviewer(P("nobody"));
  EXPECT_THAT(
      fields(Call(&pb::DailyKaizenService::Stub::ReassignIdeaReviewer, reassign, &out, admin_)),
      ElementsAre("reviewer"));
  EXPECT_THAT(fields(Call(&pb::DailyKaizenService::Stub::RejectIdea,
                          On<pb::RejectIdeaRequest>(idea.name()), &out, leader_)),
              ElementsAre("reason"));
  EXPECT_THAT(
      fields(Call(&pb::DailyKaizenService::Stub::AcceptIdea,
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
    EXPECT_THAT(fields(call(ideas_.get(), &ctx, "ideas/x", &out)), ElementsAre("name"));
  }
  pb::ValidateIdeaImpactRequest validate = On<pb::ValidateIdeaImpactRequest>(idea.name());
  validate.set_note(std::string(2001, 'n'));
  EXPECT_THAT(fields(Call(&pb::DailyKaizenService::Stub::ValidateIdeaImpact, validate, &out,
                          Stack::Token("acme", {"finance"}, "controller"))),
              ElementsAre("note"));
  EXPECT_EQ(written(), before) << "a refused request wrote an event";
  ASSERT_TRUE(
      Call(&pb::DailyKaizenService::Stub::GetIdea, On<pb::GetIdeaRequest>(idea.name()), &out, m1_)
          .ok());
  EXPECT_EQ(out.etag(), "1") << "a refused request changed the idea";
}

}  // namespace
}  // namespace kpo::testing
