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
  ASSERT_TRUE(Card(kOrg, pb::GRANULARITY_MONTH, 2026, 3, 1).ok());
  ASSERT_TRUE(Card(Lyon(), pb::GRANULARITY_YEAR, 2026, 3, 1).ok());
  kpo::testing::ExpectEveryStatementUsesAnIndex(*db_, *recording_);

  // An area's figures walk its site's index over the window and keep the area's rows
  // (areas are a small part of a site): no scan, no sort, and only `area` outside the
  // index.
  recording_->seen.clear();
  ASSERT_TRUE(Card(Lyon() + "/areas/press", pb::GRANULARITY_MONTH, 2026, 3, 1).ok());
  ASSERT_FALSE(recording_->seen.empty());
  for (const auto& [sql, params] : recording_->seen) {
    for (const std::string& step : kpo::testing::CostlySteps(*db_, sql, params)) {
      EXPECT_NE(step.find("(without area)"), std::string::npos) << sql << "\n  " << step;
    }
  }
}

}  // namespace
}  // namespace kpo::reporting::testing
