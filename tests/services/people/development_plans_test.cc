// Development plans over a real SQLite file: the person and the managers above them
// write it, the KPO and admins read it, study items move through their statuses with
// their dates, and every change is an event carrying the person's site.
#include "development_plans.h"

#include "domain/development_plan.h"
#include "fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/people/v1/events.pb.h"

namespace kpo::people {
namespace {

namespace pb = kpo::people::v1;
using kpo::auth::Principal;
using kpo::core::ErrorReason;
using kpo::core::FieldViolationsOf;
using ::testing::ElementsAre;
using testing::kOrg;
using testing::P;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

class DevelopmentPlansTest : public testing::PeopleFixture {
 protected:
  void SetUp() override {
    PeopleFixture::SetUp();
    plans_ = std::make_unique<DevelopmentPlans>(*commands_, tokens_);
  }

  absl::StatusOr<pb::StudyItem> Item(const std::string& person, const std::string& id,
                                     pb::StudyItemKind kind, const std::string& title,
                                     const Principal& by) {
    pb::CreateStudyItemRequest r;
    r.set_parent(P(person));
    r.set_study_item_id(id);
    r.mutable_study_item()->set_kind(kind);
    r.mutable_study_item()->set_title(title);
    if (kind == pb::STUDY_ITEM_KIND_CERTIFICATION_GOAL) {
      r.mutable_study_item()->set_certification_level(pb::CERTIFICATION_LEVEL_BRONZE);
    }
    return plans_->CreateStudyItem(by, r);
  }

  absl::StatusOr<pb::StudyItem> SetStatus(const std::string& person, const std::string& id,
                                          pb::StudyItemStatus status, const Principal& by) {
    pb::UpdateStudyItemRequest r;
    r.mutable_study_item()->set_name(P(person) + "/studyItems/" + id);
    r.mutable_study_item()->set_status(status);
    r.mutable_update_mask()->add_paths("status");
    return plans_->UpdateStudyItem(by, r);
  }

  absl::StatusOr<pb::DevelopmentPlan> Plan(const std::string& person, const Principal& by) {
    pb::GetDevelopmentPlanRequest r;
    r.set_name(P(person) + "/developmentPlan");
    return plans_->GetDevelopmentPlan(by, r);
  }

  Principal ann_{"ann", "acme", {kpo::auth::kTeamMember}};
  Principal ben_{"ben", "acme", {kpo::auth::kTeamMember}};
  std::unique_ptr<DevelopmentPlans> plans_;
};

TEST_F(DevelopmentPlansTest, ThePersonAndTheirManagersWriteThePlan) {
  auto empty = Plan("ann", ann_);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->etag(), "0");
  EXPECT_EQ(empty->name(), P("ann") + "/developmentPlan");
  pb::UpdateDevelopmentPlanRequest r;
  auto* plan = r.mutable_development_plan();
  plan->set_name(P("ann") + "/developmentPlan");
  plan->set_aspiration("Lead improvement on my line within two years");
  plan->add_focus_competencies(std::string(kOrg) + "/competencies/pdca");
  *plan->mutable_review_date() = kpo::core::FromCivil(absl::CivilDay(2027, 3, 1));
  for (const char* path : {"aspiration", "focus_competencies", "review_date"}) {
    r.mutable_update_mask()->add_paths(path);
  }
  // Her manager's manager writes it with her; a peer and a KPO specialist do not.
  EXPECT_EQ(ErrorReason(plans_->UpdateDevelopmentPlan(peer_, r).status()), "NOT_PLAN_OWNER");
  EXPECT_EQ(ErrorReason(plans_->UpdateDevelopmentPlan(kpo_, r).status()), "NOT_PLAN_OWNER");
  auto updated = plans_->UpdateDevelopmentPlan(mgr_, r);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->etag(), "1");
  EXPECT_EQ(updated->updated_by(), P("mgr"));
  const auto event = LastEvent<pb::DevelopmentPlanUpdated>();
  EXPECT_EQ(event.development_plan().aspiration(), plan->aspiration());
  EXPECT_EQ(event.person_site(), std::string(kOrg) + "/sites/lyon");
  // The KPO reads it; a peer does not.
  EXPECT_TRUE(Plan("ann", kpo_).ok());
  EXPECT_EQ(ErrorReason(Plan("ann", peer_).status()), "NOT_PLAN_READER");
  EXPECT_EQ(ErrorReason(Plan("ann", ben_).status()), "NOT_PLAN_READER");
  // Stale etag; bad fields named together; nothing written.
  plan->set_etag("0");
  EXPECT_EQ(plans_->UpdateDevelopmentPlan(ann_, r).status().code(), absl::StatusCode::kAborted);
  plan->clear_etag();
  plan->add_focus_competencies(std::string(kOrg) + "/competencies/juggling");
  plan->add_focus_competencies(std::string(kOrg) + "/competencies/pdca");
  plan->mutable_review_date()->set_month(13);
  const int64_t before = OutboxCount();
  EXPECT_THAT(Fields(plans_->UpdateDevelopmentPlan(ann_, r).status()),
              ElementsAre("development_plan.focus_competencies[2]", "development_plan.review_date",
                          "development_plan.focus_competencies[1]"));
  EXPECT_EQ(OutboxCount(), before);
}

TEST_F(DevelopmentPlansTest, StudyItemsMoveThroughTheirStatusesWithTheirDates) {
  auto book = Item("ann", "toyota-kata", pb::STUDY_ITEM_KIND_BOOK, "Toyota Kata (Rother)", ann_);
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ(book->status(), pb::STUDY_ITEM_STATUS_PLANNED);
  EXPECT_EQ(book->created_by(), P("ann"));
  EXPECT_FALSE(book->has_start_date());
  EXPECT_EQ(LastEvent<pb::StudyItemCreated>().person_area(),
            std::string(kOrg) + "/sites/lyon/areas/assembly");
  ASSERT_TRUE(Item("ann", "bronze", pb::STUDY_ITEM_KIND_CERTIFICATION_GOAL, "Bronze", tl_).ok());
  EXPECT_EQ(
      ErrorReason(Item("ann", "visit", pb::STUDY_ITEM_KIND_SITE_VISIT, "Pune", peer_).status()),
      "NOT_PLAN_OWNER");
  auto reading = SetStatus("ann", "toyota-kata", pb::STUDY_ITEM_STATUS_IN_PROGRESS, ann_);
  ASSERT_TRUE(reading.ok()) << reading.status();
  EXPECT_EQ(kpo::core::ToCivil(reading->start_date()), absl::CivilDay(2026, 11, 22));  // Lyon
  clock_.Advance(absl::Hours(24 * 10));
  auto read = SetStatus("ann", "toyota-kata", pb::STUDY_ITEM_STATUS_DONE, ann_);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(kpo::core::ToCivil(read->start_date()), absl::CivilDay(2026, 11, 22));
  EXPECT_EQ(kpo::core::ToCivil(read->done_date()), absl::CivilDay(2026, 12, 2));
  const auto progress = LastEvent<pb::StudyItemUpdated>();
  EXPECT_EQ(progress.previous_status(), pb::STUDY_ITEM_STATUS_IN_PROGRESS);
  EXPECT_EQ(progress.study_item().status(), pb::STUDY_ITEM_STATUS_DONE);
  auto plan = Plan("ann", tl_);
  EXPECT_EQ(plan->planned_items(), 1);
  EXPECT_EQ(plan->done_items(), 1);
  pb::ListStudyItemsRequest list;
  list.set_parent(P("ann"));
  list.set_status(pb::STUDY_ITEM_STATUS_DONE);
  auto done = plans_->ListStudyItems(mgr_, list);
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->study_items_size(), 1);
  EXPECT_EQ(done->study_items(0).title(), "Toyota Kata (Rother)");
  EXPECT_EQ(ErrorReason(plans_->ListStudyItems(ben_, list).status()), "NOT_PLAN_READER");
}

TEST_F(DevelopmentPlansTest, AStudyItemsFieldsAreCheckedTogether) {
  pb::CreateStudyItemRequest r;
  r.set_parent(P("ann"));
  r.mutable_study_item()->set_kind(pb::STUDY_ITEM_KIND_BOOK);
  r.mutable_study_item()->set_certification_level(pb::CERTIFICATION_LEVEL_GOLD);
  r.mutable_study_item()->set_training_module(std::string(kOrg) + "/trainingModules/x");
  r.mutable_study_item()->mutable_target_date()->set_year(2027);
  EXPECT_THAT(Fields(plans_->CreateStudyItem(ann_, r).status()),
              ElementsAre("study_item.title", "study_item.target_date",
                          "study_item.certification_level", "study_item.training_module"));
  r.mutable_study_item()->set_title("Gold");
  r.mutable_study_item()->set_kind(pb::STUDY_ITEM_KIND_COURSE);
  r.mutable_study_item()->clear_certification_level();
  r.mutable_study_item()->clear_target_date();
  EXPECT_THAT(Fields(plans_->CreateStudyItem(ann_, r).status()),
              ElementsAre("study_item.training_module"));  // no such module
}

TEST_F(DevelopmentPlansTest, AnotherOrganizationSeesAndChangesNothing) {
  ASSERT_TRUE(Item("ann", "book", pb::STUDY_ITEM_KIND_BOOK, "Learning to See", ann_).ok());
  EXPECT_EQ(Plan("ann", globex_).status().code(), absl::StatusCode::kPermissionDenied);
  pb::GetStudyItemRequest get;
  get.set_name(P("ann") + "/studyItems/book");
  EXPECT_EQ(plans_->GetStudyItem(globex_, get).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Item("ann", "x", pb::STUDY_ITEM_KIND_BOOK, "x", globex_).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(DevelopmentPlanRulesTest, StatusesStampTheirDatesOnce) {
  pb::StudyItem item;
  item.set_status(pb::STUDY_ITEM_STATUS_DONE);
  domain::StampStatusDates(item, absl::CivilDay(2026, 5, 1));
  EXPECT_EQ(kpo::core::ToCivil(item.start_date()), absl::CivilDay(2026, 5, 1));
  EXPECT_EQ(kpo::core::ToCivil(item.done_date()), absl::CivilDay(2026, 5, 1));
  domain::StampStatusDates(item, absl::CivilDay(2026, 6, 1));
  EXPECT_EQ(kpo::core::ToCivil(item.done_date()), absl::CivilDay(2026, 5, 1));
  pb::StudyItem planned;
  planned.set_status(pb::STUDY_ITEM_STATUS_PLANNED);
  domain::StampStatusDates(planned, absl::CivilDay(2026, 5, 1));
  EXPECT_FALSE(planned.has_start_date());
}

}  // namespace
}  // namespace kpo::people
