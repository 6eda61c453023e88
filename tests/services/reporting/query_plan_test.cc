// Every SQL statement reporting's projections and scorecard queries issue, checked
// against SQLite's query plan (tests/services/query_plan.h): none may scan a whole table
// or sort every match, because its cost would grow with the organization's history.
#include "query_plan.h"

#include "fixture.h"

namespace kpo::reporting::testing {
namespace {

class ReportingQueryPlanTest : public ReportingFixture {
 protected:
  void SetUp() override {
    ReportingFixture::SetUp();
    recording_ = std::make_unique<kpo::testing::RecordingDatabase>(*db_);
    target_ = recording_.get();
    scorecards_ =
        std::make_unique<Scorecards>(*recording_, clock_, "kpo-reporting", [] { return 0; });
  }
  std::unique_ptr<kpo::testing::RecordingDatabase> recording_;

  // One event of every other kind the projections keep, so that every statement of
  // every section runs (people development with a KPO-level profile, money, KPO office,
  // alignment, yokoten).
  void LoadEverySection() {
    dir::Organization o;
    o.set_name(kOrg);
    o.add_strategic_objectives()->set_id("lead-time");
    ASSERT_TRUE(Apply<dir::OrganizationCreated>(o, 1).ok());
    dir::TargetProfile profile;
    profile.set_name(std::string(kOrg) + "/targetProfiles/t");
    profile.set_role(dir::KPO_SPECIALIST);
    profile.set_kpo_level(dir::KPO_LEVEL_CORPORATE);
    profile.set_state(dir::ACTIVE);
    auto* target = profile.add_targets();
    target->set_competency(std::string(kOrg) + "/competencies/c1");
    target->set_level(2);
    ASSERT_TRUE(Apply<dir::TargetProfileCreated>(profile, 1).ok());
    dir::Competency competency;
    competency.set_name(std::string(kOrg) + "/competencies/c2");
    competency.set_state(dir::INACTIVE);
    ASSERT_TRUE(Apply<dir::CompetencyDeactivated>(competency, 1).ok());
    dir::AssessmentRecorded assessment;
    assessment.mutable_assessment()->set_name(P("ana") + "/assessments/a1");
    assessment.mutable_assessment()->set_person(P("ana"));
    assessment.mutable_assessment()->set_level(1);
    ASSERT_TRUE(ApplyEvent(assessment, Utc(2026, 3, 2)).ok());
    dir::KpoMemberCreated member;
    member.mutable_kpo_member()->set_name(std::string(kOrg) + "/kpoMembers/m1");
    member.mutable_kpo_member()->set_person(P("ana"));
    member.mutable_kpo_member()->set_time_share_percent(50);
    member.set_person_site(Lyon());
    member.set_revision(1);
    ASSERT_TRUE(ApplyEvent(member, Utc(2026, 3, 2)).ok());
    dir::Certificate certificate;
    certificate.set_name(P("ana") + "/certificates/c1");
    certificate.set_person(P("ana"));
    certificate.set_level(dir::CERTIFICATION_LEVEL_BRONZE);
    dir::CertificationRenewed renewed;
    *renewed.mutable_certificate() = certificate;
    renewed.mutable_certificate()->set_name(P("ana") + "/certificates/c2");
    *renewed.mutable_renewed() = certificate;
    renewed.set_person_site(Lyon());
    ASSERT_TRUE(ApplyEvent(renewed, Utc(2026, 3, 2)).ok());
    dir::CertificateExpiring expiring;
    *expiring.mutable_certificate() = certificate;
    ASSERT_TRUE(ApplyEvent(expiring, Utc(2026, 3, 2)).ok());
    dir::TrainingCompleted training;
    training.mutable_enrolment()->set_name(std::string(kOrg) + "/trainingSessions/s/enrolments/e");
    training.set_person_site(Lyon());
    ASSERT_TRUE(ApplyEvent(training, Utc(2026, 3, 2)).ok());
    daily::Storyboard storyboard;
    storyboard.set_name(std::string(kOrg) + "/storyboards/s");
    storyboard.set_site(Lyon());
    ASSERT_TRUE(Apply<daily::StoryboardCreated>(storyboard, 1).ok());
    daily::Practice practice;
    practice.set_name(std::string(kOrg) + "/practices/p");
    practice.set_origin_site(Lyon());
    ASSERT_TRUE(Apply<daily::PracticeShared>(practice, 1).ok());
    daily::DeploymentTask task;
    task.set_name(practice.name() + "/deploymentTasks/t");
    task.set_site(Pune());
    task.set_origin_site(Lyon());
    task.set_state(daily::DEPLOYMENT_STATE_ADOPTED);
    ASSERT_TRUE(Apply<daily::DeploymentTaskResolved>(task, 1).ok());
    daily::Idea idea = Idea("i2", Lyon(), Utc(2026, 3, 2), {"ana"});
    idea.mutable_impact()->set_validated(true);
    *idea.mutable_impact()->mutable_actual() = kpo::common::v1::Money();
    idea.mutable_impact()->mutable_actual()->set_currency_code("EUR");
    ASSERT_TRUE(Apply<daily::IdeaImpactValidated>(idea, 1).ok());
  }
};

TEST_F(ReportingQueryPlanTest, ProjectionsAndScorecardsUseIndexes) {
  Person("ana", Lyon(), Utc(2026, 1, 1), Lyon() + "/areas/press");
  auto idea = Idea("i1", Lyon(), Utc(2026, 3, 2), {"ana"}, Lyon() + "/areas/press");
  ASSERT_TRUE(Apply<daily::IdeaSubmitted>(idea, 1).ok());
  ASSERT_TRUE(Apply<daily::IdeaImplemented>(Implemented(idea, Utc(2026, 3, 5)), 2).ok());
  kaizen::KaizenEvent event;
  event.set_name(std::string(kOrg) + "/kaizenEvents/k1");
  event.set_site(Lyon());
  event.set_area(Lyon() + "/areas/press");
  event.set_state(kaizen::FOLLOW_UP);
  ASSERT_TRUE(Apply<kaizen::KaizenEventFollowUpStarted>(event, 1).ok());
  ASSERT_TRUE(Apply<kaizen::KaizenEventUpdated>(event, 2).ok());
  kaizen::ActionItem item;
  item.set_name(event.name() + "/actionItems/a1");
  item.set_site(Lyon());
  item.set_status(kaizen::DONE);
  ASSERT_TRUE(Apply<kaizen::ActionItemCreated>(item, 1).ok());
  daily::CoachingCycle cycle;
  cycle.set_name(std::string(kOrg) + "/storyboards/s/coachingCycles/c1");
  cycle.set_site(Lyon());
  cycle.set_learner(P("ana"));
  ASSERT_TRUE(Apply<daily::CoachingCycleRecorded>(cycle, 1).ok());
  LoadEverySection();
  ASSERT_TRUE(Card(kOrg, pb::GRANULARITY_MONTH, 2026, 3, 1).ok());
  ASSERT_TRUE(Card(Lyon(), pb::GRANULARITY_YEAR, 2026, 3, 1).ok());
  // A whole answer cached: what a query reads to find it (the change counter).
  AnswerCache answers(nullptr, absl::Hours(1), 8, nullptr);
  Scorecards answered(
      *recording_, clock_, "kpo-reporting", [] { return 0; }, nullptr, &answers);
  pb::GetScorecardRequest r;
  r.set_name(std::string(kOrg) + "/scorecard");
  r.mutable_period()->set_granularity(pb::GRANULARITY_MONTH);
  ASSERT_TRUE(answered.GetScorecard(viewer_, r).ok());
  ASSERT_TRUE(answered.GetScorecard(viewer_, r).ok());
  kpo::testing::ExpectEveryStatementUsesAnIndex(*db_, *recording_);

  // An area's figures walk its site's index over the window and keep the area's rows
  // (areas are a small part of a site): no scan, no sort, and only the area (`area`,
  // a practice's `origin_area`) outside the index.
  recording_->seen.clear();
  ASSERT_TRUE(Card(Lyon() + "/areas/press", pb::GRANULARITY_MONTH, 2026, 3, 1).ok());
  ASSERT_FALSE(recording_->seen.empty());
  for (const auto& [sql, params] : recording_->seen) {
    for (const std::string& step : kpo::testing::CostlySteps(*db_, sql, params)) {
      EXPECT_TRUE(step.find("(without area)") != std::string::npos ||
                  step.find("(without origin_area)") != std::string::npos)
          << sql << "\n  " << step;
    }
  }
}

}  // namespace
}  // namespace kpo::reporting::testing
