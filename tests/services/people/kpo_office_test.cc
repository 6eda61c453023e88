// The KPO office over a real SQLite file: memberships at each level, one active per
// person, costs shown only to those who budget them, leaving the office.
#include "kpo_office.h"

#include "domain/kpo_office.h"
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

pb::KpoMember Member(const std::string& person, pb::KpoLevel level) {
  pb::KpoMember m;
  m.set_person(P(person));
  m.set_level(level);
  if (level == pb::KPO_LEVEL_BUSINESS_UNIT) m.set_business_unit("Powertrain");
  if (level == pb::KPO_LEVEL_VALUE_STREAM) {
    m.set_value_stream(std::string(kOrg) + "/sites/lyon/areas/assembly");
  }
  m.set_time_share_percent(50);
  *m.mutable_start_date() = kpo::core::FromCivil(absl::CivilDay(2026, 1, 5));
  m.mutable_cost_per_month()->set_currency_code("EUR");
  m.mutable_cost_per_month()->set_minor_units(820000);
  return m;
}

TEST(KpoOfficeRulesTest, EachLevelNamesItsOwnScopeAndThePoolHasAnEnd) {
  for (auto level :
       {pb::KPO_LEVEL_CORPORATE, pb::KPO_LEVEL_BUSINESS_UNIT, pb::KPO_LEVEL_VALUE_STREAM}) {
    kpo::core::FieldViolations v;
    domain::ValidateKpoMember(Member("ann", level), "", v);
    EXPECT_TRUE(v.empty()) << pb::KpoLevel_Name(level) << ": " << v.ToStatus();
  }
  pb::KpoMember m = Member("ann", pb::KPO_LEVEL_CORPORATE);
  m.set_value_stream(std::string(kOrg) + "/sites/lyon/areas/assembly");
  m.set_kaizen_pool(true);
  m.set_time_share_percent(0);
  kpo::core::FieldViolations v;
  domain::ValidateKpoMember(m, "", v);
  EXPECT_THAT(Fields(v.ToStatus()), ElementsAre("value_stream", "time_share_percent", "end_date"));
  m = Member("ann", pb::KPO_LEVEL_BUSINESS_UNIT);
  m.clear_business_unit();
  *m.mutable_end_date() = kpo::core::FromCivil(absl::CivilDay(2025, 12, 31));
  m.mutable_cost_per_month()->set_currency_code("euro");
  kpo::core::FieldViolations w;
  domain::ValidateKpoMember(m, "", w);
  EXPECT_THAT(Fields(w.ToStatus()),
              ElementsAre("business_unit", "end_date", "cost_per_month.currency_code"));
}

TEST(KpoOfficeRulesTest, AMonthCostsTheShareOfTheRateInMinorUnits) {
  pb::KpoMember m = Member("ann", pb::KPO_LEVEL_CORPORATE);
  EXPECT_EQ(domain::MonthlyCost(m), 410000);
  m.set_time_share_percent(33);
  m.mutable_cost_per_month()->set_minor_units(101);
  EXPECT_EQ(domain::MonthlyCost(m), 33);  // 33.33 rounds down
  m.mutable_cost_per_month()->set_minor_units(150);
  EXPECT_EQ(domain::MonthlyCost(m), 50);  // 49.5 rounds half up
  m.set_time_share_percent(100);
  m.mutable_cost_per_month()->set_minor_units(INT64_MAX);
  EXPECT_EQ(domain::MonthlyCost(m), INT64_MAX) << "no overflow";
}

class KpoOfficeTest : public testing::PeopleFixture {
 protected:
  void SetUp() override {
    PeopleFixture::SetUp();
    office_ = std::make_unique<KpoOffice>(*commands_, tokens_);
  }
  absl::StatusOr<pb::KpoMember> Create(const std::string& id, const pb::KpoMember& m) {
    pb::CreateKpoMemberRequest r;
    r.set_parent(kOrg);
    r.set_kpo_member_id(id);
    *r.mutable_kpo_member() = m;
    return office_->CreateKpoMember(kpo_, r);
  }
  std::unique_ptr<KpoOffice> office_;
  Principal finance_{"controller", "acme", {kpo::auth::kFinance}};
};

TEST_F(KpoOfficeTest, OneActiveMembershipPerPersonAndCostsForThoseWhoBudget) {
  auto created = Create("mgr-vs", Member("mgr", pb::KPO_LEVEL_VALUE_STREAM));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->state(), pb::ACTIVE);
  auto event = LastEvent<pb::KpoMemberCreated>();
  EXPECT_EQ(event.person_site(), std::string(kOrg) + "/sites/lyon");
  EXPECT_THAT(event.person_roles(), ElementsAre(pb::MIDDLE_MANAGER));
  EXPECT_EQ(event.kpo_member().cost_per_month().minor_units(), 820000);
  auto twice = Create("mgr-corp", Member("mgr", pb::KPO_LEVEL_CORPORATE));
  EXPECT_EQ(ErrorReason(twice.status()), "ALREADY_A_KPO_MEMBER");
  EXPECT_THAT(twice.status().message(), ::testing::HasSubstr(created->name()));

  pb::GetKpoMemberRequest get;
  get.set_name(created->name());
  EXPECT_FALSE(office_->GetKpoMember(tl_, get)->has_cost_per_month()) << "not a team leader's";
  EXPECT_EQ(office_->GetKpoMember(finance_, get)->cost_per_month().minor_units(), 820000);
  pb::ListKpoMembersRequest list;
  list.set_parent(kOrg);
  auto listed = office_->ListKpoMembers(tl_, list);
  ASSERT_EQ(listed->kpo_members_size(), 1);
  EXPECT_FALSE(listed->kpo_members(0).has_cost_per_month());

  pb::UpdateKpoMemberRequest update;
  update.mutable_kpo_member()->set_name(created->name());
  update.mutable_kpo_member()->set_time_share_percent(20);
  update.mutable_update_mask()->add_paths("time_share_percent");
  auto updated = office_->UpdateKpoMember(kpo_, update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->time_share_percent(), 20);
  EXPECT_EQ(updated->cost_per_month().minor_units(), 820000) << "untouched by the mask";
  EXPECT_THAT(LastEvent<pb::KpoMemberUpdated>().update_mask().paths(),
              ElementsAre("time_share_percent"));

  // Leaving: the end date is today at the person's home site; a new membership may start.
  pb::DeactivateKpoMemberRequest leave;
  leave.set_name(created->name());
  auto left = office_->DeactivateKpoMember(kpo_, leave);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(left->state(), pb::INACTIVE);
  EXPECT_EQ(kpo::core::ToCivil(left->end_date()), absl::CivilDay(2026, 11, 22));
  EXPECT_EQ(ErrorReason(office_->UpdateKpoMember(kpo_, update).status()), "KPO_MEMBER_INACTIVE");
  EXPECT_TRUE(Create("mgr-corp", Member("mgr", pb::KPO_LEVEL_CORPORATE)).ok());
  list.set_show_inactive(true);
  EXPECT_EQ(office_->ListKpoMembers(tl_, list)->kpo_members_size(), 2);
}

TEST_F(KpoOfficeTest, BadMembershipsNameEveryFieldAndWriteNothing) {
  const int64_t before = OutboxCount();
  pb::KpoMember m = Member("nobody", pb::KPO_LEVEL_VALUE_STREAM);
  m.set_value_stream(std::string(kOrg) + "/sites/lyon/areas/paint");
  m.set_time_share_percent(101);
  EXPECT_THAT(Fields(Create("Bad Id", m).status()),
              ElementsAre("kpo_member_id", "kpo_member.time_share_percent"));
  EXPECT_THAT(
      Fields(Create("x", m).status()),
      ElementsAre("kpo_member.time_share_percent", "kpo_member.person", "kpo_member.value_stream"));
  EXPECT_EQ(OutboxCount(), before);
}

TEST_F(KpoOfficeTest, AnotherOrganizationReadsAndChangesNothing) {
  auto created = Create("ann-pool", [] {
    pb::KpoMember m = Member("ann", pb::KPO_LEVEL_CORPORATE);
    m.set_kaizen_pool(true);
    *m.mutable_end_date() = kpo::core::FromCivil(absl::CivilDay(2026, 6, 30));
    return m;
  }());
  ASSERT_TRUE(created.ok()) << created.status();
  const auto denied = [](const absl::Status& s) { return ErrorReason(s) == "CROSS_TENANT_ACCESS"; };
  pb::CreateKpoMemberRequest create;
  create.set_parent(kOrg);
  *create.mutable_kpo_member() = Member("ben", pb::KPO_LEVEL_CORPORATE);
  EXPECT_TRUE(denied(office_->CreateKpoMember(globex_, create).status()));
  pb::GetKpoMemberRequest get;
  get.set_name(created->name());
  EXPECT_TRUE(denied(office_->GetKpoMember(globex_, get).status()));
  pb::ListKpoMembersRequest list;
  list.set_parent(kOrg);
  EXPECT_TRUE(denied(office_->ListKpoMembers(globex_, list).status()));
  pb::UpdateKpoMemberRequest update;
  update.mutable_kpo_member()->set_name(created->name());
  update.mutable_kpo_member()->set_time_share_percent(10);
  EXPECT_TRUE(denied(office_->UpdateKpoMember(globex_, update).status()));
  pb::DeactivateKpoMemberRequest leave;
  leave.set_name(created->name());
  EXPECT_TRUE(denied(office_->DeactivateKpoMember(globex_, leave).status()));
  EXPECT_EQ(office_->GetKpoMember(kpo_, get)->etag(), "1");
}

}  // namespace
}  // namespace kpo::people
