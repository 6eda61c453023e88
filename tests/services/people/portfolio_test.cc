// Certification portfolios: what each event of the other services credits (pure), and
// over a real SQLite file the crediting itself — once per person, kind and source
// however often an event is delivered — and hand-entered evidence with its review.
#include "portfolio.h"

#include <set>

#include "domain/portfolio.h"
#include "fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/people/v1/events.pb.h"
#include "portfolio_store.h"

namespace kpo::people {
namespace {

namespace pb = kpo::people::v1;
namespace kz = kpo::kaizen::v1;
namespace dk = kpo::daily::v1;
using kpo::auth::Principal;
using kpo::core::ErrorReason;
using kpo::core::FieldViolationsOf;
using ::testing::ElementsAre;
using testing::kOrg;
using testing::P;
using ::testing::UnorderedElementsAre;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

// (person, kind) of each credit.
std::vector<std::pair<std::string, pb::EvidenceKind>> Who(
    const std::vector<domain::Credit>& credits) {
  std::vector<std::pair<std::string, pb::EvidenceKind>> out;
  for (const auto& c : credits) out.emplace_back(c.person, c.kind);
  return out;
}

kz::KaizenEventCompleted Completed(kz::EventType type) {
  kz::KaizenEventCompleted e;
  e.mutable_kaizen_event()->set_name(std::string(kOrg) + "/kaizenEvents/press-smed");
  e.mutable_kaizen_event()->set_title("Press changeover under 10 minutes");
  e.mutable_kaizen_event()->set_event_type(type);
  e.mutable_kaizen_event()->set_site(std::string(kOrg) + "/sites/lyon");
  *e.mutable_kaizen_event()->mutable_completion_date() =
      kpo::core::FromCivil(absl::CivilDay(2026, 10, 9));
  e.add_participants(P("ann"));
  e.add_participants(P("ben"));
  e.add_participants(P("ann"));  // named twice: credited once
  e.add_participants(P("tl"));   // the facilitator on the team: credited as facilitator
  e.set_facilitator(P("tl"));
  return e;
}

TEST(PortfolioRulesTest, ACompletedEventCreditsItsTeamAndItsFacilitator) {
  EXPECT_THAT(Who(domain::CreditsOf(Completed(kz::RAPID_IMPROVEMENT))),
              ElementsAre(std::pair{P("ann"), pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION},
                          std::pair{P("ben"), pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION},
                          std::pair{P("tl"), pb::EVIDENCE_KIND_KAIZEN_FACILITATION}));
  const auto vsa = domain::CreditsOf(Completed(kz::VALUE_STREAM_ANALYSIS));
  EXPECT_THAT(Who(vsa),
              UnorderedElementsAre(std::pair{P("ann"), pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION},
                                   std::pair{P("ann"), pb::EVIDENCE_KIND_VALUE_STREAM_ANALYSIS},
                                   std::pair{P("ben"), pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION},
                                   std::pair{P("ben"), pb::EVIDENCE_KIND_VALUE_STREAM_ANALYSIS},
                                   std::pair{P("tl"), pb::EVIDENCE_KIND_KAIZEN_FACILITATION},
                                   std::pair{P("tl"), pb::EVIDENCE_KIND_VALUE_STREAM_ANALYSIS}));
  EXPECT_EQ(vsa[0].date.day(), 9);
  EXPECT_EQ(vsa[0].source, std::string(kOrg) + "/kaizenEvents/press-smed");
}

TEST(PortfolioRulesTest, CoachingIdeasAndPracticesCreditTheRightPeople) {
  dk::CoachingCycleRecorded cycle;
  cycle.mutable_coaching_cycle()->set_name(std::string(kOrg) + "/storyboards/b/coachingCycles/c");
  cycle.mutable_coaching_cycle()->set_learner(P("ann"));
  cycle.mutable_coaching_cycle()->set_coach(P("tl"));
  cycle.mutable_coaching_cycle()->set_second_coach(P("mgr"));
  const auto coached = domain::CreditsOf(cycle);
  EXPECT_THAT(Who(coached), ElementsAre(std::pair{P("tl"), pb::EVIDENCE_KIND_MENTORING},
                                        std::pair{P("mgr"), pb::EVIDENCE_KIND_MENTORING}));
  EXPECT_EQ(coached[0].mentee, P("ann"));
  EXPECT_EQ(coached[1].mentee, P("tl")) << "the second coach coaches the coach";

  dk::IdeaImplemented idea;
  idea.mutable_idea()->set_name(std::string(kOrg) + "/ideas/drip-tray");
  idea.mutable_idea()->add_submitters(P("ann"));
  idea.mutable_idea()->add_submitters(P("ben"));
  EXPECT_THAT(Who(domain::CreditsOf(idea)),
              ElementsAre(std::pair{P("ann"), pb::EVIDENCE_KIND_IDEA_IMPLEMENTED},
                          std::pair{P("ben"), pb::EVIDENCE_KIND_IDEA_IMPLEMENTED}));

  dk::DeploymentTaskResolved task;
  auto* t = task.mutable_deployment_task();
  t->set_name(std::string(kOrg) + "/practices/shadow/deploymentTasks/pune");
  t->set_owner(P("raj"));
  t->add_origin_team(P("ann"));
  t->set_state(dk::DEPLOYMENT_STATE_NOT_APPLICABLE);
  EXPECT_TRUE(domain::CreditsOf(task).empty()) << "not applicable credits nobody";
  t->set_state(dk::DEPLOYMENT_STATE_ADAPTED);
  EXPECT_THAT(Who(domain::CreditsOf(task)),
              ElementsAre(std::pair{P("raj"), pb::EVIDENCE_KIND_PRACTICE_ADOPTED},
                          std::pair{P("ann"), pb::EVIDENCE_KIND_PRACTICE_SPREAD}));
}

TEST(PortfolioRulesTest, CreditedIdsAreStablePerKindAndSource) {
  const std::string a = domain::CreditedEvidenceId(pb::EVIDENCE_KIND_MENTORING, "x/1");
  EXPECT_EQ(a, domain::CreditedEvidenceId(pb::EVIDENCE_KIND_MENTORING, "x/1"));
  EXPECT_NE(a, domain::CreditedEvidenceId(pb::EVIDENCE_KIND_MENTORING, "x/2"));
  EXPECT_NE(a, domain::CreditedEvidenceId(pb::EVIDENCE_KIND_KAIZEN_FACILITATION, "x/1"));
  EXPECT_EQ(a.rfind("mentoring-", 0), 0u) << a;
  EXPECT_LE(a.size(), 63u);
  // Pinned: the id must never change between releases (it is how a repeated event
  // finds what it credited).
  EXPECT_EQ(domain::CreditedEvidenceId(pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION, ""),
            "kaizen-participation-cbf29ce484222325");
}

class PortfolioTest : public testing::PeopleFixture {
 protected:
  void SetUp() override {
    PeopleFixture::SetUp();
    portfolio_ = std::make_unique<kpo::people::Portfolio>(*commands_, tokens_);
  }

  kpo::common::v1::EventEnvelope Envelope(const google::protobuf::Message& event,
                                          const std::string& id) {
    kpo::common::v1::EventEnvelope env;
    env.set_id(id);
    env.set_source("//kpo.platform/test");
    env.set_type(event.GetDescriptor()->full_name());
    env.set_organization(kOrg);
    env.mutable_data()->PackFrom(event);
    env.mutable_time()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
    return env;
  }

  absl::Status Apply(const kpo::common::v1::EventEnvelope& env) {
    return db_->Write(
        [&](kpo::storage::Transaction& tx) { return ApplyPortfolioEvent(tx, outbox_, env); });
  }

  std::vector<pb::Evidence> PortfolioOf(const std::string& person) {
    pb::ListEvidenceRequest r;
    r.set_parent(P(person));
    auto out = portfolio_->ListEvidence(admin_, r);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? std::vector<pb::Evidence>(out->evidence().begin(), out->evidence().end())
                    : std::vector<pb::Evidence>{};
  }

  pb::CreateEvidenceRequest Hand(const std::string& person, pb::EvidenceKind kind) {
    pb::CreateEvidenceRequest r;
    r.set_parent(P(person));
    auto* e = r.mutable_evidence();
    e->set_kind(kind);
    e->set_title("Led the assembly line's flow project");
    e->set_description("Plan: ... Do: ... Check: ... Act: ...");
    *e->mutable_date() = kpo::core::FromCivil(absl::CivilDay(2026, 6, 1));
    e->set_site(std::string(kOrg) + "/sites/lyon");
    return r;
  }

  std::unique_ptr<kpo::people::Portfolio> portfolio_;
  Principal ann_{"ann", "acme", {kpo::auth::kTeamMember}};
  Principal sensei_{"sensei", "acme", {kpo::auth::kExternalSensei}};
};

TEST_F(PortfolioTest, AnEventCreditsOnceHoweverOftenItIsDelivered) {
  const auto first = Envelope(Completed(kz::VALUE_STREAM_ANALYSIS), "ev-1");
  const int64_t before = OutboxCount();
  ASSERT_TRUE(Apply(first).ok());
  EXPECT_EQ(OutboxCount(), before + 6);
  // The same event again, and the same completion in another envelope (the kaizen
  // service republished it): nothing more.
  ASSERT_TRUE(Apply(first).ok());
  ASSERT_TRUE(Apply(Envelope(Completed(kz::VALUE_STREAM_ANALYSIS), "ev-2")).ok());
  EXPECT_EQ(OutboxCount(), before + 6);
  const auto ann = PortfolioOf("ann");
  ASSERT_EQ(ann.size(), 2u);
  for (const auto& e : ann) {
    EXPECT_EQ(e.state(), pb::EVIDENCE_STATE_COUNTED);
    EXPECT_EQ(e.source_event(), "ev-1") << "traceable to the event that credited it";
    EXPECT_EQ(e.source(), std::string(kOrg) + "/kaizenEvents/press-smed");
    EXPECT_EQ(e.date().month(), 10);
  }
  const auto credited = LastEvent<pb::EvidenceCredited>();
  EXPECT_EQ(credited.evidence().person(), P("tl"));
  EXPECT_EQ(credited.person_site(), std::string(kOrg) + "/sites/lyon");
  EXPECT_THAT(credited.person_roles(), ElementsAre(pb::TEAM_LEADER));
  // Another organization's people in an event are not credited here.
  kz::KaizenEventCompleted foreign = Completed(kz::RAPID_IMPROVEMENT);
  foreign.set_participants(0, "organizations/globex/people/ann");
  foreign.set_participants(2, "organizations/globex/people/ann");
  foreign.mutable_kaizen_event()->set_name(std::string(kOrg) + "/kaizenEvents/other");
  ASSERT_TRUE(Apply(Envelope(foreign, "ev-3")).ok());
  EXPECT_EQ(PortfolioOf("ben").size(), 3u);  // the new event: ben participated
  EXPECT_EQ(PortfolioOf("ann").size(), 2u);
}

TEST_F(PortfolioTest, IdeasAreDatedByTheDayOfImplementationAtTheirSite) {
  dk::IdeaImplemented idea;
  idea.mutable_idea()->set_name(std::string(kOrg) + "/ideas/drip-tray");
  idea.mutable_idea()->set_title("Drip tray");
  idea.mutable_idea()->set_site(std::string(kOrg) + "/sites/pune");
  idea.mutable_idea()->add_submitters(P("raj"));
  // 2026-11-22 20:00 UTC is the 23rd in Pune.
  idea.mutable_idea()->mutable_implement_time()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
  ASSERT_TRUE(Apply(Envelope(idea, "idea-1")).ok());
  const auto raj = PortfolioOf("raj");
  ASSERT_EQ(raj.size(), 1u);
  EXPECT_EQ(raj[0].kind(), pb::EVIDENCE_KIND_IDEA_IMPLEMENTED);
  EXPECT_EQ(raj[0].date().day(), 23);
}

TEST_F(PortfolioTest, HandEnteredEvidenceCountsOnceACertifierApprovesIt) {
  pb::CreateEvidenceRequest r = Hand("ann", pb::EVIDENCE_KIND_TRANSFORMATION_PROJECT);
  r.mutable_evidence()->add_value_streams(std::string(kOrg) + "/sites/lyon/areas/assembly");
  auto created = portfolio_->CreateEvidence(ann_, r);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->state(), pb::EVIDENCE_STATE_PENDING);
  EXPECT_EQ(created->submitted_by(), P("ann"));
  EXPECT_EQ(LastEvent<pb::EvidenceSubmitted>().evidence().name(), created->name());
  // A peer may not enter evidence for ann; her manager's manager may.
  EXPECT_EQ(
      ErrorReason(
          portfolio_->CreateEvidence(peer_, Hand("ann", pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION))
              .status()),
      "NOT_A_SUBMITTER");
  EXPECT_TRUE(
      portfolio_->CreateEvidence(mgr_, Hand("ann", pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION)).ok());

  pb::ApproveEvidenceRequest approve;
  approve.set_name(created->name());
  const Principal ann_kpo{"ann", "acme", {kpo::auth::kKpoSpecialist}};
  EXPECT_EQ(ErrorReason(portfolio_->ApproveEvidence(ann_kpo, approve).status()), "SELF_REVIEW");
  approve.set_etag("7");
  EXPECT_EQ(portfolio_->ApproveEvidence(sensei_, approve).status().code(),
            absl::StatusCode::kAborted);
  approve.set_etag(created->etag());
  auto approved = portfolio_->ApproveEvidence(sensei_, approve);
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_EQ(approved->state(), pb::EVIDENCE_STATE_COUNTED);
  EXPECT_EQ(approved->reviewed_by(), P("sensei"));
  EXPECT_EQ(LastEvent<pb::EvidenceCredited>().revision(), 2);
  approve.set_etag("");
  auto again = portfolio_->ApproveEvidence(sensei_, approve);
  EXPECT_EQ(ErrorReason(again.status()), "EVIDENCE_NOT_PENDING");
  EXPECT_EQ(kpo::core::ErrorMetadata(again.status()).at("current_state"), "EVIDENCE_STATE_COUNTED");

  pb::ListEvidenceRequest pending;
  pending.set_parent(std::string(kOrg) + "/people/-");
  pending.set_state(pb::EVIDENCE_STATE_PENDING);
  auto waiting = portfolio_->ListEvidence(sensei_, pending);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->evidence_size(), 1);
  pb::RejectEvidenceRequest reject;
  reject.set_name(waiting->evidence(0).name());
  EXPECT_THAT(Fields(portfolio_->RejectEvidence(sensei_, reject).status()), ElementsAre("reason"));
  reject.set_reason("Which event? Name the kaizen event and your part in it");
  auto rejected = portfolio_->RejectEvidence(sensei_, reject);
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(rejected->state(), pb::EVIDENCE_STATE_REJECTED);
  EXPECT_EQ(LastEvent<pb::EvidenceRejected>().evidence().rejection_reason(), reject.reason());
}

TEST_F(PortfolioTest, BadEvidenceNamesEveryFieldAndWritesNothing) {
  const int64_t before = OutboxCount();
  pb::CreateEvidenceRequest r = Hand("ann", pb::EVIDENCE_KIND_TRANSFORMATION_PROJECT);
  r.mutable_evidence()->set_title("");
  r.mutable_evidence()->set_area(std::string(kOrg) + "/sites/pune/areas/press");
  r.mutable_evidence()->set_mentee(P("ben"));
  EXPECT_THAT(
      Fields(portfolio_->CreateEvidence(ann_, r).status()),
      ElementsAre("evidence.title", "evidence.area", "evidence.value_streams", "evidence.mentee"));
  r = Hand("ann", pb::EVIDENCE_KIND_MENTORING);
  r.mutable_evidence()->set_mentee(P("nobody"));
  r.mutable_evidence()->set_site(std::string(kOrg) + "/sites/nowhere");
  *r.mutable_evidence()->mutable_date() = kpo::core::FromCivil(absl::CivilDay(2026, 12, 1));
  EXPECT_THAT(Fields(portfolio_->CreateEvidence(ann_, r).status()),
              ElementsAre("evidence.site", "evidence.mentee", "evidence.date"));
  EXPECT_EQ(OutboxCount(), before);
}

TEST_F(PortfolioTest, AnotherOrganizationReadsAndChangesNothing) {
  auto created = portfolio_->CreateEvidence(ann_, Hand("ann", pb::EVIDENCE_KIND_MENTORING));
  EXPECT_FALSE(created.ok()) << "mentoring needs a mentee";
  pb::CreateEvidenceRequest r = Hand("ann", pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
  created = portfolio_->CreateEvidence(ann_, r);
  ASSERT_TRUE(created.ok()) << created.status();
  const auto denied = [](const absl::Status& s) { return ErrorReason(s) == "CROSS_TENANT_ACCESS"; };
  EXPECT_TRUE(denied(portfolio_->CreateEvidence(globex_, r).status()));
  pb::GetEvidenceRequest get;
  get.set_name(created->name());
  EXPECT_TRUE(denied(portfolio_->GetEvidence(globex_, get).status()));
  pb::ListEvidenceRequest list;
  list.set_parent(std::string(kOrg) + "/people/-");
  EXPECT_TRUE(denied(portfolio_->ListEvidence(globex_, list).status()));
  pb::ApproveEvidenceRequest approve;
  approve.set_name(created->name());
  EXPECT_TRUE(denied(portfolio_->ApproveEvidence(globex_, approve).status()));
  pb::RejectEvidenceRequest reject;
  reject.set_name(created->name());
  reject.set_reason("no");
  EXPECT_TRUE(denied(portfolio_->RejectEvidence(globex_, reject).status()));
  EXPECT_EQ(portfolio_->GetEvidence(ann_, get)->state(), pb::EVIDENCE_STATE_PENDING);
}

}  // namespace
}  // namespace kpo::people
