#include "ideas.h"

#include "circles.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/replica/directory_replica.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"
#include "replicate.h"
#include "settings.h"

namespace kpo::daily {
namespace {

namespace pb = kpo::daily::v1;
namespace dir = kpo::people::v1;
using kpo::auth::Principal;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : kpo::core::FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

constexpr char kOrg[] = "organizations/acme";

class IdeasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::testing::OpenTestDatabase(dir_, "daily");
    for (auto [component, migrations] :
         {std::pair{"events", &kpo::events::Migrations()},
          std::pair{"replica", &kpo::replica::Migrations()}, std::pair{"daily", &Migrations()},
          std::pair{"idempotency", &kpo::idempotency::Migrations()}}) {
      ASSERT_TRUE(db_->Migrate(component, *migrations).ok());
    }
    commands_ = std::make_unique<kpo::command::Runner>(*db_, outbox_, clock_);
    ideas_ = std::make_unique<Ideas>(*commands_, tokens_, kpo::core::PageOptions{2, 1000});
    settings_ = std::make_unique<Settings>(*commands_);
    circles_ = std::make_unique<Circles>(*commands_, tokens_, kpo::core::PageOptions{2, 1000});
    // The directory as the people service would have published it.
    dir::Organization org;
    org.set_name(kOrg);
    org.set_state(dir::ACTIVE);
    org.add_strategic_objectives()->set_id("lead-time");
    Replicate<dir::OrganizationCreated>(org);
    for (const char* site : {"lyon", "pune"}) {
      dir::Site s;
      s.set_name(std::string(kOrg) + "/sites/" + site);
      s.set_state(dir::ACTIVE);
      Replicate<dir::SiteCreated>(s);
    }
    dir::Area area;
    area.set_name(std::string(kOrg) + "/sites/lyon/areas/press");
    area.set_state(dir::ACTIVE);
    Replicate<dir::AreaCreated>(area);
    Person("manager", "");
    Person("leader", "manager");
    Person("m1", "leader");
    Person("m2", "leader");
    Person("loner", "");
    Person("gone", "leader", dir::INACTIVE);
  }

  template <class Event, class R>
  void Replicate(const R& resource) {
    kpo::testing::Replicate<Event>(*db_, clock_, kOrg, resource);
  }

  void Person(const std::string& id, const std::string& manager,
              dir::ResourceState state = dir::ACTIVE) {
    dir::Person p;
    p.set_name(P(id));
    p.add_roles(dir::TEAM_MEMBER);
    if (!manager.empty()) p.set_manager(P(manager));
    p.set_state(state);
    Replicate<dir::PersonCreated>(p);
  }

  static std::string P(const std::string& id) { return std::string(kOrg) + "/people/" + id; }
  static std::string I(const std::string& id) { return std::string(kOrg) + "/ideas/" + id; }

  pb::CreateIdeaRequest Request(const std::string& id) {
    pb::CreateIdeaRequest r;
    r.set_parent(kOrg);
    r.set_idea_id(id);
    auto* i = r.mutable_idea();
    i->set_title("Shadow board at press 4");
    i->set_problem("Tools are searched for at every changeover");
    i->set_countermeasure("A shadow board beside the press");
    i->set_category(pb::CATEGORY_DELIVERY);
    i->set_site(std::string(kOrg) + "/sites/lyon");
    i->set_area(std::string(kOrg) + "/sites/lyon/areas/press");
    return r;
  }

  pb::Idea Submit(const std::string& id, const Principal& by) {
    auto created = ideas_->CreateIdea(by, Request(id));
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : pb::Idea();
  }

  template <class Req>
  Req On(const std::string& id) {
    Req r;
    r.set_name(I(id));
    return r;
  }

  std::vector<std::string> OutboxTypes() {
    std::vector<std::string> types;
    EXPECT_TRUE(db_->Read([&](kpo::storage::Transaction& tx) {
                     auto rows = tx.Query("SELECT event_type FROM outbox ORDER BY seq");
                     if (!rows.ok()) return rows.status();
                     for (const auto& r : *rows) types.push_back(r.Text(0));
                     return absl::OkStatus();
                   })
                    .ok());
    return types;
  }

  kpo::testing::TempDir dir_;
  std::unique_ptr<kpo::storage::Database> db_;
  kpo::core::FakeClock clock_{absl::FromUnixSeconds(1'772'000'000)};
  kpo::events::Outbox outbox_{{"//kpo.platform/daily", "kpo.daily.v1"}, clock_};
  kpo::core::PageTokenCodec tokens_ = kpo::core::PageTokenCodec::Random();
  std::unique_ptr<kpo::command::Runner> commands_;
  std::unique_ptr<Ideas> ideas_;
  std::unique_ptr<Settings> settings_;
  std::unique_ptr<Circles> circles_;
  Principal m1_{"m1", "acme", {kpo::auth::kTeamMember}};
  Principal m2_{"m2", "acme", {kpo::auth::kTeamMember}};
  Principal leader_{"leader", "acme", {kpo::auth::kTeamLeader}};
  Principal manager_{"manager", "acme", {kpo::auth::kMiddleManager}};
};

TEST_F(IdeasTest, TheSubmitterIsTheCallerAndTheReviewerTheirManagerByDefault) {
  pb::Idea idea = Submit("board", m1_);
  EXPECT_EQ(idea.name(), I("board"));
  EXPECT_EQ(idea.state(), pb::IDEA_STATE_SUBMITTED);
  EXPECT_THAT(idea.submitters(), ElementsAre(P("m1")));
  EXPECT_EQ(idea.reviewer(), P("leader"));
  EXPECT_EQ(idea.etag(), "1");
  EXPECT_THAT(OutboxTypes(), ElementsAre("kpo.daily.v1.IdeaSubmitted"));

  // Several submitters: the first one's manager reviews; a named reviewer wins.
  pb::CreateIdeaRequest r = Request("team");
  r.mutable_idea()->add_submitters(P("leader"));
  r.mutable_idea()->add_submitters(P("m2"));
  auto team = ideas_->CreateIdea(m2_, r);
  ASSERT_TRUE(team.ok()) << team.status();
  EXPECT_EQ(team->reviewer(), P("manager"));
  r = Request("named");
  r.mutable_idea()->set_reviewer(P("manager"));
  EXPECT_EQ(ideas_->CreateIdea(m1_, r)->reviewer(), P("manager"));
}

TEST_F(IdeasTest, WithoutAManagerTheReviewerMustBeNamed) {
  Principal loner{"loner", "acme", {kpo::auth::kTeamMember}};
  auto refused = ideas_->CreateIdea(loner, Request("x"));
  EXPECT_THAT(Fields(refused.status()), ElementsAre("idea.reviewer"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("no manager"));
  EXPECT_THAT(OutboxTypes(), IsEmpty());
}

TEST_F(IdeasTest, BadInputNamesEveryFieldAndWritesNothing) {
  pb::CreateIdeaRequest r = Request("Bad Id");
  r.mutable_idea()->clear_title();
  r.mutable_idea()->set_site(std::string(kOrg) + "/sites/nowhere");
  r.mutable_idea()->set_area("");
  r.mutable_idea()->add_submitters(P("gone"));
  r.mutable_idea()->set_strategic_objective("growth");
  auto refused = ideas_->CreateIdea(m1_, r);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(refused.status()),
              ElementsAre("idea_id", "idea.title", "idea.site", "idea.submitters[0]",
                          "idea.strategic_objective"))
      << "no default reviewer is looked for when the first submitter is refused";
  EXPECT_THAT(kpo::core::FieldViolationsOf(refused.status()).back().description,
              HasSubstr("lead-time"));
  EXPECT_THAT(OutboxTypes(), IsEmpty());
  // Another organization's parent is refused before anything is read.
  r = Request("x");
  r.set_parent("organizations/globex");
  EXPECT_EQ(ideas_->CreateIdea(m1_, r).status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(IdeasTest, FromSubmissionToStandardWithTheTimeToImplement) {
  Submit("board", m1_);
  auto accepted = ideas_->AcceptIdea(leader_, On<pb::AcceptIdeaRequest>("board"));
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->reviewed_by(), P("leader"));
  ASSERT_TRUE(ideas_->StartIdea(m1_, On<pb::StartIdeaRequest>("board")).ok());
  clock_.Advance(absl::Hours(50));
  auto implemented = ideas_->ImplementIdea(m1_, On<pb::ImplementIdeaRequest>("board"));
  ASSERT_TRUE(implemented.ok()) << implemented.status();
  EXPECT_EQ(implemented->implemented_by(), P("m1"));
  EXPECT_EQ(implemented->time_to_implement().seconds(), 50 * 3600);
  auto standard = ideas_->StandardizeIdea(leader_, On<pb::StandardizeIdeaRequest>("board"));
  ASSERT_TRUE(standard.ok()) << standard.status();
  EXPECT_EQ(standard->state(), pb::IDEA_STATE_STANDARDIZED);
  EXPECT_EQ(standard->etag(), "5");
  EXPECT_THAT(OutboxTypes(), ElementsAre("kpo.daily.v1.IdeaSubmitted", "kpo.daily.v1.IdeaAccepted",
                                         "kpo.daily.v1.IdeaStarted", "kpo.daily.v1.IdeaImplemented",
                                         "kpo.daily.v1.IdeaStandardized"));
  // Final: every further step is refused, naming both states.
  auto again = ideas_->StartIdea(m1_, On<pb::StartIdeaRequest>("board"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(kpo::core::ErrorMetadata(again.status()).at("current_state"), "STANDARDIZED");
  EXPECT_EQ(kpo::core::ErrorMetadata(again.status()).at("requested_state"), "IN_PROGRESS");
}

TEST_F(IdeasTest, OnlyTheReviewerReviewsARejectionNeedsAReasonAndOnlySubmittersWithdraw) {
  Submit("board", m1_);
  auto not_reviewer = ideas_->AcceptIdea(m2_, On<pb::AcceptIdeaRequest>("board"));
  EXPECT_EQ(not_reviewer.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(kpo::core::ErrorReason(not_reviewer.status()), "NOT_THE_REVIEWER");
  auto no_reason = ideas_->RejectIdea(leader_, On<pb::RejectIdeaRequest>("board"));
  EXPECT_THAT(Fields(no_reason.status()), ElementsAre("reason"));
  auto not_submitter = ideas_->WithdrawIdea(m2_, On<pb::WithdrawIdeaRequest>("board"));
  EXPECT_EQ(kpo::core::ErrorReason(not_submitter.status()), "NOT_A_SUBMITTER");

  pb::RejectIdeaRequest reject = On<pb::RejectIdeaRequest>("board");
  reject.set_reason("The press is replaced next month; bring it to the new line's kaizen");
  auto rejected = ideas_->RejectIdea(leader_, reject);
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(rejected->rejection_reason(), reject.reason());
  // Reviewed: a submitter can no longer withdraw it.
  auto late = ideas_->WithdrawIdea(m1_, On<pb::WithdrawIdeaRequest>("board"));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);

  Submit("other", m1_);
  auto withdrawn = ideas_->WithdrawIdea(m1_, On<pb::WithdrawIdeaRequest>("other"));
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->state(), pb::IDEA_STATE_WITHDRAWN);
}

TEST_F(IdeasTest, ReassigningTheReviewerHandsOverTheReview) {
  Submit("board", m1_);
  pb::ReassignIdeaReviewerRequest r = On<pb::ReassignIdeaReviewerRequest>("board");
  r.set_reviewer(P("gone"));
  EXPECT_THAT(Fields(ideas_->ReassignIdeaReviewer(manager_, r).status()), ElementsAre("reviewer"));
  r.set_reviewer(P("manager"));
  auto moved = ideas_->ReassignIdeaReviewer(manager_, r);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->reviewer(), P("manager"));
  EXPECT_EQ(ideas_->AcceptIdea(leader_, On<pb::AcceptIdeaRequest>("board")).status().code(),
            absl::StatusCode::kPermissionDenied)
      << "the former reviewer no longer reviews";
  EXPECT_TRUE(ideas_->AcceptIdea(manager_, On<pb::AcceptIdeaRequest>("board")).ok());
  EXPECT_EQ(kpo::core::ErrorReason(ideas_->ReassignIdeaReviewer(manager_, r).status()),
            "IDEA_ALREADY_REVIEWED");
}

TEST_F(IdeasTest, UpdatesCheckTheMaskTheEtagAndTheState) {
  pb::Idea idea = Submit("board", m1_);
  pb::UpdateIdeaRequest u;
  *u.mutable_idea() = idea;
  u.mutable_idea()->set_countermeasure("A shadow board and a tool trolley");
  u.mutable_update_mask()->add_paths("countermeasure");
  auto updated = ideas_->UpdateIdea(m1_, u);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->etag(), "2");
  // The same etag again is stale.
  EXPECT_EQ(ideas_->UpdateIdea(m1_, u).status().code(), absl::StatusCode::kAborted);
  u.mutable_idea()->set_etag("");
  u.mutable_update_mask()->add_paths("state");
  EXPECT_THAT(Fields(ideas_->UpdateIdea(m1_, u).status()), ElementsAre("update_mask.paths[1]"));
  EXPECT_THAT(OutboxTypes(), ElementsAre("kpo.daily.v1.IdeaSubmitted", "kpo.daily.v1.IdeaUpdated"));
}

TEST_F(IdeasTest, ARetriedRequestIdIsOneIdeaAndValidateOnlyWritesNothing) {
  pb::CreateIdeaRequest r = Request("");
  r.set_request_id("4f0e2a8c-retry");
  auto first = ideas_->CreateIdea(m1_, r);
  auto second = ideas_->CreateIdea(m1_, r);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->name(), second->name());
  pb::CreateIdeaRequest check = Request("checked");
  check.set_validate_only(true);
  EXPECT_TRUE(ideas_->CreateIdea(m1_, check).ok());
  EXPECT_EQ(ideas_->GetIdea(m1_, On<pb::GetIdeaRequest>("checked")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(OutboxTypes(), ElementsAre("kpo.daily.v1.IdeaSubmitted"));
}

TEST_F(IdeasTest, ListsFilterByReviewerSubmitterAndStateInSubmissionOrderAcrossPages) {
  for (const char* id : {"a", "b", "c"}) {
    Submit(id, m1_);
    clock_.Advance(absl::Minutes(1));
  }
  pb::CreateIdeaRequest r = Request("d");
  r.mutable_idea()->add_submitters(P("m2"));
  ASSERT_TRUE(ideas_->CreateIdea(m2_, r).ok());
  ASSERT_TRUE(ideas_->AcceptIdea(leader_, On<pb::AcceptIdeaRequest>("b")).ok());

  auto names = [&](pb::ListIdeasRequest q) {
    std::vector<std::string> out;
    q.set_parent(kOrg);
    do {
      auto page = ideas_->ListIdeas(m1_, q);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& i : page->ideas()) out.push_back(i.name().substr(i.name().rfind('/') + 1));
      q.set_page_token(page->next_page_token());
    } while (!q.page_token().empty());
    return out;
  };
  EXPECT_THAT(names({}), ElementsAre("a", "b", "c", "d"));  // pages of 2
  pb::ListIdeasRequest q;
  q.set_reviewer(P("leader"));
  q.set_state(pb::IDEA_STATE_SUBMITTED);
  EXPECT_THAT(names(q), ElementsAre("a", "c", "d"));
  q = {};
  q.set_submitter(P("m2"));
  EXPECT_THAT(names(q), ElementsAre("d"));
  q.set_submitter(P("m1"));
  EXPECT_THAT(names(q), ElementsAre("a", "b", "c"));
  q = {};
  q.set_parent("organizations/globex");
  EXPECT_EQ(ideas_->ListIdeas(m1_, q).status().code(), absl::StatusCode::kPermissionDenied);
}

kpo::common::v1::Money Cash(const std::string& code, int64_t minor) {
  kpo::common::v1::Money m;
  m.set_currency_code(code);
  m.set_minor_units(minor);
  return m;
}

TEST_F(IdeasTest, ImpactIsForecastThenMeasuredThenValidatedByFinanceAndFrozen) {
  pb::CreateIdeaRequest r = Request("scrap");
  pb::Impact* planned = r.mutable_idea()->mutable_impact();
  *planned->mutable_target() = Cash("EUR", 500'000);
  *planned->mutable_forecast() = Cash("EUR", 420'000);
  planned->set_recurrence(pb::IMPACT_RECURRENCE_ANNUAL);
  planned->set_kind(pb::IMPACT_KIND_HARD);
  planned->set_validated(true);  // not the submitter's to say
  auto idea = ideas_->CreateIdea(m1_, r);
  ASSERT_TRUE(idea.ok()) << idea.status();
  EXPECT_FALSE(idea->impact().validated());
  EXPECT_EQ(idea->impact().forecast().minor_units(), 420'000);

  Principal finance{"controller", "acme", {kpo::auth::kFinance}};
  auto early = ideas_->ValidateIdeaImpact(finance, On<pb::ValidateIdeaImpactRequest>("scrap"));
  EXPECT_EQ(kpo::core::ErrorReason(early.status()), "IDEA_NOT_IMPLEMENTED");
  // The actual is measured once the idea is implemented.
  pb::UpdateIdeaRequest u;
  u.mutable_idea()->set_name(I("scrap"));
  *u.mutable_idea()->mutable_impact() = idea->impact();
  *u.mutable_idea()->mutable_impact()->mutable_actual() = Cash("EUR", 450'000);
  u.mutable_update_mask()->add_paths("impact");
  EXPECT_THAT(Fields(ideas_->UpdateIdea(m1_, u).status()), ElementsAre("idea.impact.actual"));
  ASSERT_TRUE(ideas_->AcceptIdea(leader_, On<pb::AcceptIdeaRequest>("scrap")).ok());
  ASSERT_TRUE(ideas_->ImplementIdea(m1_, On<pb::ImplementIdeaRequest>("scrap")).ok());
  auto none = ideas_->ValidateIdeaImpact(finance, On<pb::ValidateIdeaImpactRequest>("scrap"));
  EXPECT_EQ(kpo::core::ErrorReason(none.status()), "NO_ACTUAL_IMPACT");
  // Implemented: the content is closed, the impact still open.
  pb::UpdateIdeaRequest title;
  title.mutable_idea()->set_name(I("scrap"));
  title.mutable_idea()->set_title("Renamed");
  title.mutable_update_mask()->add_paths("title");
  EXPECT_THAT(Fields(ideas_->UpdateIdea(m1_, title).status()), ElementsAre("update_mask.paths[0]"));
  auto measured = ideas_->UpdateIdea(m1_, u);
  ASSERT_TRUE(measured.ok()) << measured.status();
  EXPECT_EQ(measured->impact().actual().minor_units(), 450'000);

  pb::ValidateIdeaImpactRequest validate = On<pb::ValidateIdeaImpactRequest>("scrap");
  validate.set_note("Checked against the scrap report of March");
  auto validated = ideas_->ValidateIdeaImpact(finance, validate);
  ASSERT_TRUE(validated.ok()) << validated.status();
  EXPECT_TRUE(validated->impact().validated());
  EXPECT_EQ(validated->impact().validated_by(), P("controller"));
  EXPECT_EQ(kpo::core::ErrorReason(ideas_->ValidateIdeaImpact(finance, validate).status()),
            "IMPACT_ALREADY_VALIDATED");
  auto frozen = ideas_->UpdateIdea(m1_, u);
  EXPECT_EQ(frozen.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(kpo::core::ErrorReason(frozen.status()), "IMPACT_ALREADY_VALIDATED");
  EXPECT_EQ(OutboxTypes().back(), "kpo.daily.v1.IdeaImpactValidated");
}

TEST_F(IdeasTest, TheReviewBacklogHoldsIdeasWaitingLongerThanTheOrganizationsLimit) {
  Submit("old", m1_);
  clock_.Advance(absl::Hours(24 * 3));
  Submit("recent", m2_);
  pb::CreateIdeaRequest elsewhere = Request("pune");
  elsewhere.mutable_idea()->set_site(std::string(kOrg) + "/sites/pune");
  elsewhere.mutable_idea()->clear_area();
  ASSERT_TRUE(ideas_->CreateIdea(m1_, elsewhere).ok());
  clock_.Advance(absl::Hours(24 * 5));  // old: 8 days waiting, recent and pune: 5

  auto backlog = [&](const std::string& reviewer, const std::string& site) {
    pb::ListReviewBacklogRequest q;
    q.set_parent(kOrg);
    q.set_reviewer(reviewer);
    q.set_site(site);
    std::vector<std::string> out;
    do {
      auto page = ideas_->ListReviewBacklog(leader_, q);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& i : page->ideas()) out.push_back(i.name().substr(i.name().rfind('/') + 1));
      q.set_page_token(page->next_page_token());
    } while (!q.page_token().empty());
    return out;
  };
  EXPECT_THAT(backlog("", ""), ElementsAre("old")) << "default limit: 7 days";
  EXPECT_THAT(backlog(P("leader"), ""), ElementsAre("old"));
  EXPECT_THAT(backlog(P("manager"), ""), IsEmpty());
  EXPECT_THAT(backlog("", std::string(kOrg) + "/sites/pune"), IsEmpty());

  // The organization tightens its limit to 4 days.
  Principal admin{"admin", "acme", {kpo::auth::kOrgAdmin}};
  pb::GetDailySettingsRequest get;
  get.set_name(std::string(kOrg) + "/dailySettings");
  auto defaults = settings_->GetDailySettings(m1_, get);
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->review_limit_days(), 7);
  EXPECT_EQ(defaults->etag(), "0");
  pb::UpdateDailySettingsRequest u;
  *u.mutable_daily_settings() = *defaults;
  u.mutable_daily_settings()->set_review_limit_days(0);
  EXPECT_THAT(Fields(settings_->UpdateDailySettings(admin, u).status()),
              ElementsAre("daily_settings.review_limit_days"));
  u.mutable_daily_settings()->set_review_limit_days(4);
  auto tightened = settings_->UpdateDailySettings(admin, u);
  ASSERT_TRUE(tightened.ok()) << tightened.status();
  EXPECT_EQ(tightened->etag(), "1");
  EXPECT_EQ(OutboxTypes().back(), "kpo.daily.v1.DailySettingsUpdated");
  EXPECT_EQ(settings_->UpdateDailySettings(admin, u).status().code(), absl::StatusCode::kAborted)
      << "stale etag";
  EXPECT_THAT(backlog("", ""), ElementsAre("old", "pune", "recent"))
      << "same submission time: by name";
  EXPECT_THAT(backlog("", std::string(kOrg) + "/sites/lyon"), ElementsAre("old", "recent"));

  // Reviewed ideas leave the backlog.
  ASSERT_TRUE(ideas_->AcceptIdea(leader_, On<pb::AcceptIdeaRequest>("old")).ok());
  EXPECT_THAT(backlog(P("leader"), ""), ElementsAre("pune", "recent"));

  pb::ListReviewBacklogRequest both;
  both.set_parent(kOrg);
  both.set_reviewer(P("leader"));
  both.set_site(std::string(kOrg) + "/sites/lyon");
  EXPECT_THAT(Fields(ideas_->ListReviewBacklog(leader_, both).status()), ElementsAre("site"));
  get.set_name("organizations/globex/dailySettings");
  EXPECT_EQ(settings_->GetDailySettings(m1_, get).status().code(),
            absl::StatusCode::kPermissionDenied);
  get.set_name("organizations/acme/settings");
  EXPECT_THAT(Fields(settings_->GetDailySettings(m1_, get).status()), ElementsAre("name"));
}

TEST_F(IdeasTest, CirclesAreStandingTeamsOfAnAreaThatOwnIdeas) {
  const std::string press = std::string(kOrg) + "/sites/lyon/areas/press";
  pb::CreateCircleRequest r;
  r.set_parent(kOrg);
  r.set_circle_id("press-team");
  pb::Circle* c = r.mutable_circle();
  c->set_display_name("Press team");
  c->set_site(std::string(kOrg) + "/sites/pune");
  c->set_area(press);
  c->add_members(P("m1"));
  c->add_members(P("gone"));
  c->set_leader(P("leader"));
  EXPECT_THAT(Fields(circles_->CreateCircle(leader_, r).status()),
              ElementsAre("circle.area", "circle.leader", "circle.members[1]"))
      << "every problem at once, the directory's too";
  c->set_site(std::string(kOrg) + "/sites/lyon");
  c->set_leader(P("m1"));
  EXPECT_THAT(Fields(circles_->CreateCircle(leader_, r).status()), ElementsAre("circle.members[1]"))
      << "an inactive person is refused by the replica check";
  c->mutable_members()->RemoveLast();
  c->add_members(P("m2"));
  auto created = circles_->CreateCircle(leader_, r);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->active());
  EXPECT_EQ(created->etag(), "1");

  // An idea owned by the circle; its own list by circle.
  pb::CreateIdeaRequest idea = Request("owned");
  idea.mutable_idea()->set_circle(created->name());
  ASSERT_TRUE(ideas_->CreateIdea(m1_, idea).ok());
  pb::ListIdeasRequest by_circle;
  by_circle.set_parent(kOrg);
  by_circle.set_circle(created->name());
  auto owned = ideas_->ListIdeas(m1_, by_circle);
  ASSERT_TRUE(owned.ok()) << owned.status();
  ASSERT_EQ(owned->ideas_size(), 1);
  EXPECT_EQ(owned->ideas(0).circle(), created->name());
  pb::CreateIdeaRequest elsewhere = Request("elsewhere");
  elsewhere.mutable_idea()->set_site(std::string(kOrg) + "/sites/pune");
  elsewhere.mutable_idea()->clear_area();
  elsewhere.mutable_idea()->set_circle(created->name());
  EXPECT_THAT(Fields(ideas_->CreateIdea(m1_, elsewhere).status()), ElementsAre("idea.circle"));

  // Membership changes are what the member list shows.
  pb::UpdateCircleRequest u;
  u.mutable_circle()->set_name(created->name());
  u.mutable_circle()->add_members(P("m2"));
  u.mutable_circle()->add_members(P("leader"));
  u.mutable_update_mask()->add_paths("members");
  EXPECT_THAT(Fields(circles_->UpdateCircle(leader_, u).status()), ElementsAre("circle.leader"))
      << "the leader m1 would no longer be a member";
  u.mutable_circle()->set_leader(P("leader"));
  u.mutable_update_mask()->add_paths("leader");
  auto updated = circles_->UpdateCircle(leader_, u);
  ASSERT_TRUE(updated.ok()) << updated.status();
  auto of = [&](const std::string& person) {
    pb::ListCirclesRequest q;
    q.set_parent(kOrg);
    q.set_member(P(person));
    return circles_->ListCircles(m1_, q)->circles_size();
  };
  EXPECT_EQ(of("m1"), 0);
  EXPECT_EQ(of("leader"), 1);

  // Deactivated: still listed and readable, owns no new ideas, changes nothing more.
  pb::DeactivateCircleRequest d;
  d.set_name(created->name());
  auto inactive = circles_->DeactivateCircle(leader_, d);
  ASSERT_TRUE(inactive.ok()) << inactive.status();
  EXPECT_FALSE(inactive->active());
  EXPECT_THAT(Fields(ideas_->CreateIdea(m1_, Request("late")).status()), IsEmpty())
      << "an idea without a circle is fine";
  idea.set_idea_id("after");
  EXPECT_THAT(Fields(ideas_->CreateIdea(m1_, idea).status()), ElementsAre("idea.circle"));
  EXPECT_EQ(kpo::core::ErrorReason(circles_->UpdateCircle(leader_, u).status()), "CIRCLE_INACTIVE");
  EXPECT_THAT(OutboxTypes(),
              ::testing::IsSupersetOf({"kpo.daily.v1.CircleCreated", "kpo.daily.v1.CircleUpdated",
                                       "kpo.daily.v1.CircleDeactivated"}));
}

TEST_F(IdeasTest, CircleListsFilterBySiteAndAreaAcrossPagesAndStayInTheOrganization) {
  for (const char* id : {"a", "b", "c"}) {
    pb::CreateCircleRequest r;
    r.set_parent(kOrg);
    r.set_circle_id(id);
    r.mutable_circle()->set_display_name(id);
    r.mutable_circle()->set_site(std::string(kOrg) + "/sites/lyon");
    r.mutable_circle()->set_area(std::string(kOrg) + "/sites/lyon/areas/press");
    r.mutable_circle()->add_members(P("m1"));
    ASSERT_TRUE(circles_->CreateCircle(leader_, r).ok());
  }
  pb::ListCirclesRequest q;
  q.set_parent(kOrg);
  q.set_site(std::string(kOrg) + "/sites/lyon");
  std::vector<std::string> names;
  do {
    auto page = circles_->ListCircles(m1_, q);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& c : page->circles()) names.push_back(c.display_name());
    q.set_page_token(page->next_page_token());
  } while (!q.page_token().empty());
  EXPECT_THAT(names, ElementsAre("a", "b", "c"));
  q.set_area(std::string(kOrg) + "/sites/lyon/areas/press");
  EXPECT_THAT(Fields(circles_->ListCircles(m1_, q).status()), ElementsAre("site"));
  q = {};
  q.set_parent("organizations/globex");
  EXPECT_EQ(circles_->ListCircles(m1_, q).status().code(), absl::StatusCode::kPermissionDenied);
  pb::GetCircleRequest get;
  get.set_name("organizations/globex/circles/a");
  EXPECT_EQ(circles_->GetCircle(m1_, get).status().code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace kpo::daily
