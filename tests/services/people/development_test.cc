// People development over a real SQLite file: the competency model (the shipped
// catalogue and the organization's changes), target profiles, assessments and who may
// record them, a person's profile against their roles' targets, and the skills matrix.
#include <set>

#include "assessments.h"
#include "competencies.h"
#include "directory.h"
#include "domain/competencies.h"
#include "fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/testing/harness.h"
#include "kpo_office.h"

namespace kpo::people {
namespace {

namespace pb = kpo::people::v1;
using kpo::auth::Principal;
using kpo::core::ErrorReason;
using kpo::core::FieldViolationsOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using testing::kOrg;
using testing::P;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

std::string C(const std::string& id) { return std::string(kOrg) + "/competencies/" + id; }

// ---- Pure rules

TEST(CompetencyRulesTest, TheCatalogueHasTheEightCoreCompetenciesAndLeanTools) {
  int core = 0;
  std::set<std::string> ids;
  for (const auto& b : domain::BuiltInCatalogue()) {
    core += b.kind == pb::COMPETENCY_KIND_CORE;
    EXPECT_TRUE(ids.insert(b.id).second) << b.id << " twice";
  }
  EXPECT_EQ(core, 8);
  EXPECT_TRUE(ids.contains("value-stream-mapping"));
  EXPECT_TRUE(ids.contains("improvement-kata"));
  for (const auto& c : domain::BuiltInCompetencies(kOrg)) {
    kpo::core::FieldViolations v;
    domain::ValidateCompetency(c, "", v);
    EXPECT_TRUE(v.empty()) << c.name() << ": " << v.ToStatus();
  }
}

TEST(CompetencyRulesTest, APersonsTargetIsTheHighestAnyOfTheirRolesAsks) {
  auto profile = [](const std::string& name, pb::Role role,
                    std::vector<std::pair<std::string, int>> targets) {
    pb::TargetProfile t;
    t.set_name(name);
    t.set_role(role);
    for (const auto& [c, l] : targets) {
      auto* target = t.add_targets();
      target->set_competency(c);
      target->set_level(l);
    }
    return t;
  };
  std::vector<pb::TargetProfile> profiles = {
      profile("tl", pb::TEAM_LEADER, {{"a3", 2}, {"kata", 3}}),
      profile("kpo", pb::KPO_SPECIALIST, {{"a3", 4}, {"vsm", 3}}),
      profile("mm", pb::MIDDLE_MANAGER, {{"a3", 1}})};
  EXPECT_FALSE(domain::AnyKpoLevelProfile(profiles));
  google::protobuf::RepeatedField<int> roles;
  roles.Add(pb::TEAM_LEADER);
  roles.Add(pb::KPO_SPECIALIST);
  std::vector<std::string> applied;
  const auto targets = domain::Targets(profiles, roles, pb::KPO_LEVEL_UNSPECIFIED, &applied);
  EXPECT_THAT(applied, ElementsAre("tl", "kpo"));
  EXPECT_EQ(targets.at("a3"), 4);
  EXPECT_EQ(targets.at("kata"), 3);
  EXPECT_EQ(targets.at("vsm"), 3);
  EXPECT_EQ(targets.size(), 3u);
  roles.Clear();
  roles.Add(pb::TEAM_MEMBER);
  EXPECT_THAT(domain::Targets(profiles, roles, pb::KPO_LEVEL_UNSPECIFIED, nullptr), IsEmpty());
  // A KPO specialist at value-stream level: the value-stream profile adds to the role's.
  profiles.push_back(profile("kpo-vs", pb::KPO_SPECIALIST, {{"vsm", 4}, {"smed", 3}}));
  profiles.back().set_kpo_level(pb::KPO_LEVEL_VALUE_STREAM);
  profiles.push_back(profile("kpo-corp", pb::KPO_SPECIALIST, {{"strategy", 4}}));
  profiles.back().set_kpo_level(pb::KPO_LEVEL_CORPORATE);
  EXPECT_TRUE(domain::AnyKpoLevelProfile(profiles));
  roles.Clear();
  roles.Add(pb::KPO_SPECIALIST);
  applied.clear();
  const auto vs = domain::Targets(profiles, roles, pb::KPO_LEVEL_VALUE_STREAM, &applied);
  EXPECT_THAT(applied, ElementsAre("kpo", "kpo-vs"));
  EXPECT_EQ(vs.at("vsm"), 4);
  EXPECT_EQ(vs.at("smed"), 3);
  EXPECT_FALSE(vs.contains("strategy"));
  EXPECT_THAT(domain::Targets(profiles, roles, pb::KPO_LEVEL_UNSPECIFIED, nullptr),
              ::testing::SizeIs(2));  // a3 and vsm of the role's own profile
  EXPECT_EQ(domain::Gap(1, 3), 2);
  EXPECT_EQ(domain::Gap(4, 3), 0);
}

// ---- The application over SQLite

class DevelopmentTest : public testing::PeopleFixture {
 protected:
  void SetUp() override {
    PeopleFixture::SetUp();
    model_ = std::make_unique<CompetencyModel>(*commands_, tokens_);
    assessments_ = std::make_unique<Assessments>(*commands_, tokens_);
  }

  absl::StatusOr<pb::TargetProfile> Profile(const std::string& id, pb::Role role,
                                            std::vector<std::pair<std::string, int>> targets) {
    pb::CreateTargetProfileRequest r;
    r.set_parent(kOrg);
    r.set_target_profile_id(id);
    r.mutable_target_profile()->set_display_name("Profile " + id);
    r.mutable_target_profile()->set_role(role);
    for (const auto& [c, l] : targets) {
      auto* t = r.mutable_target_profile()->add_targets();
      t->set_competency(C(c));
      t->set_level(l);
    }
    return model_->CreateTargetProfile(kpo_, r);
  }

  pb::CreateAssessmentRequest Assess(const std::string& person, const std::string& competency,
                                     int level, absl::CivilDay day = absl::CivilDay(2026, 9, 1)) {
    pb::CreateAssessmentRequest r;
    r.set_parent(P(person));
    r.mutable_assessment()->set_competency(C(competency));
    r.mutable_assessment()->set_level(level);
    *r.mutable_assessment()->mutable_assess_date() = kpo::core::FromCivil(day);
    r.mutable_assessment()->set_evidence("Observed at the gemba");
    return r;
  }

  std::unique_ptr<CompetencyModel> model_;
  std::unique_ptr<Assessments> assessments_;
};

TEST_F(DevelopmentTest, EveryOrganizationStartsWithTheCatalogueListedPageByPage) {
  pb::ListCompetenciesRequest list;
  list.set_parent(kOrg);
  list.set_page_size(5);
  std::vector<std::string> names;
  do {
    auto page = model_->ListCompetencies(tl_, list);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->competencies_size(), 5);
    for (const auto& c : page->competencies()) {
      names.push_back(c.name());
      EXPECT_TRUE(c.built_in());
      EXPECT_EQ(c.etag(), "0");
      EXPECT_EQ(c.level_definitions_size(), 5);
    }
    list.set_page_token(page->next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(names.size(), domain::BuiltInCatalogue().size());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  list.set_page_size(0);
  list.set_kind(pb::COMPETENCY_KIND_CORE);
  EXPECT_EQ(model_->ListCompetencies(tl_, list)->competencies_size(), 8);
  pb::GetCompetencyRequest get;
  get.set_name(C("smed"));
  EXPECT_EQ(model_->GetCompetency(tl_, get)->kind(), pb::COMPETENCY_KIND_TECHNICAL);
  get.set_name(C("juggling"));
  EXPECT_EQ(model_->GetCompetency(tl_, get).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(DevelopmentTest, AnOrganizationRewordsABuiltInOneAndAddsItsOwn) {
  pb::UpdateCompetencyRequest update;
  update.mutable_competency()->set_name(C("five-s"));
  update.mutable_competency()->set_display_name("5S workplace organization");
  update.mutable_competency()->set_etag("0");
  update.mutable_update_mask()->add_paths("display_name");
  auto updated = model_->UpdateCompetency(kpo_, update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->etag(), "1");
  EXPECT_TRUE(updated->built_in());
  EXPECT_EQ(updated->level_definitions_size(), 5);
  auto event = LastEvent<pb::CompetencyUpdated>();
  EXPECT_EQ(event.revision(), 1);
  EXPECT_EQ(event.competency().display_name(), "5S workplace organization");
  // The old etag is stale now.
  EXPECT_EQ(model_->UpdateCompetency(kpo_, update).status().code(), absl::StatusCode::kAborted);

  pb::CreateCompetencyRequest create;
  create.set_parent(kOrg);
  create.set_competency_id("quick-changeover-cart");
  create.mutable_competency()->set_display_name("Changeover cart design");
  create.mutable_competency()->set_kind(pb::COMPETENCY_KIND_TECHNICAL);
  for (int i = 0; i < 5; ++i) {
    create.mutable_competency()->add_level_definitions("level " + std::to_string(i));
  }
  auto created = model_->CreateCompetency(kpo_, create);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(created->built_in());
  EXPECT_EQ(created->state(), pb::ACTIVE);
  EXPECT_EQ(model_->CreateCompetency(kpo_, create).status().code(),
            absl::StatusCode::kAlreadyExists);
  create.set_competency_id("smed");
  EXPECT_EQ(model_->CreateCompetency(kpo_, create).status().code(),
            absl::StatusCode::kAlreadyExists)
      << "a built-in id is taken";
  pb::ListCompetenciesRequest list;
  list.set_parent(kOrg);
  list.set_page_size(100);
  EXPECT_EQ(model_->ListCompetencies(tl_, list)->competencies_size(),
            static_cast<int>(domain::BuiltInCatalogue().size()) + 1);
}

TEST_F(DevelopmentTest, BadCompetenciesNameEveryFieldAndWriteNothing) {
  const int64_t before = OutboxCount();
  pb::CreateCompetencyRequest create;
  create.set_parent(kOrg);
  create.set_competency_id("Bad Id");
  create.mutable_competency()->set_kind(static_cast<pb::CompetencyKind>(7));
  create.mutable_competency()->add_level_definitions("only one");
  EXPECT_THAT(Fields(model_->CreateCompetency(kpo_, create).status()),
              ElementsAre("competency_id", "competency.display_name", "competency.kind",
                          "competency.level_definitions"));
  pb::UpdateCompetencyRequest update;
  update.mutable_competency()->set_name(C("pdca"));
  update.mutable_competency()->add_level_definitions("x");
  update.mutable_update_mask()->add_paths("level_definitions");
  EXPECT_THAT(Fields(model_->UpdateCompetency(kpo_, update).status()),
              ElementsAre("competency.level_definitions"));
  update.mutable_update_mask()->add_paths("kind");
  EXPECT_THAT(Fields(model_->UpdateCompetency(kpo_, update).status()),
              ElementsAre("update_mask.paths[1]"));
  EXPECT_EQ(OutboxCount(), before);
}

TEST_F(DevelopmentTest, TargetProfilesNameActiveCompetenciesOnePerRole) {
  auto tl = Profile("team-leader", pb::TEAM_LEADER, {{"a3-problem-solving", 2}, {"pdca", 3}});
  ASSERT_TRUE(tl.ok()) << tl.status();
  EXPECT_EQ(tl->state(), pb::ACTIVE);
  auto twice = Profile("team-leader-2", pb::TEAM_LEADER, {{"pdca", 1}});
  EXPECT_THAT(Fields(twice.status()), ElementsAre("target_profile.role"));
  EXPECT_THAT(FieldViolationsOf(twice.status()).at(0).description, HasSubstr("team-leader"));
  auto bad = Profile("kpo", pb::KPO_SPECIALIST, {{"juggling", 2}, {"pdca", 5}, {"pdca", 2}});
  EXPECT_THAT(Fields(bad.status()),
              ElementsAre("target_profile.targets[1].level", "target_profile.targets[2].competency",
                          "target_profile.targets[0].competency"));
  // A targeted competency cannot be retired; once no profile names it, it can.
  pb::DeactivateCompetencyRequest retire;
  retire.set_name(C("pdca"));
  auto refused = model_->DeactivateCompetency(kpo_, retire);
  EXPECT_EQ(ErrorReason(refused.status()), "COMPETENCY_IN_USE");
  EXPECT_THAT(refused.status().message(), HasSubstr(tl->name()));
  pb::UpdateTargetProfileRequest update;
  update.mutable_target_profile()->set_name(tl->name());
  auto* t = update.mutable_target_profile()->add_targets();
  t->set_competency(C("a3-problem-solving"));
  t->set_level(3);
  update.mutable_update_mask()->add_paths("targets");
  auto updated = model_->UpdateTargetProfile(kpo_, update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->targets_size(), 1);
  auto retired = model_->DeactivateCompetency(kpo_, retire);
  ASSERT_TRUE(retired.ok()) << retired.status();
  EXPECT_EQ(retired->state(), pb::INACTIVE);
  EXPECT_EQ(LastEvent<pb::CompetencyDeactivated>().revision(), 1);
  // Retired: not listed, not targetable, not assessable.
  pb::ListCompetenciesRequest list;
  list.set_parent(kOrg);
  list.set_page_size(100);
  EXPECT_EQ(model_->ListCompetencies(tl_, list)->competencies_size(),
            static_cast<int>(domain::BuiltInCatalogue().size()) - 1);
  list.set_show_inactive(true);
  EXPECT_EQ(model_->ListCompetencies(tl_, list)->competencies_size(),
            static_cast<int>(domain::BuiltInCatalogue().size()));
  EXPECT_THAT(Fields(Profile("kpo", pb::KPO_SPECIALIST, {{"pdca", 2}}).status()),
              ElementsAre("target_profile.targets[0].competency"));
  EXPECT_THAT(Fields(assessments_->CreateAssessment(tl_, Assess("ann", "pdca", 2)).status()),
              ElementsAre("assessment.competency"));
  // A deactivated profile frees its role.
  pb::DeactivateTargetProfileRequest off;
  off.set_name(tl->name());
  ASSERT_TRUE(model_->DeactivateTargetProfile(kpo_, off).ok());
  EXPECT_TRUE(Profile("team-leader-2", pb::TEAM_LEADER, {{"five-s", 1}}).ok());
}

TEST_F(DevelopmentTest, ManagersAboveThePersonTheKpoAndAdminsAssessNobodyElse) {
  EXPECT_TRUE(assessments_->CreateAssessment(tl_, Assess("ann", "five-s", 1)).ok());
  EXPECT_TRUE(assessments_->CreateAssessment(mgr_, Assess("ann", "five-s", 2)).ok())
      << "the manager's manager";
  EXPECT_TRUE(assessments_->CreateAssessment(kpo_, Assess("raj", "five-s", 2)).ok());
  auto peer = assessments_->CreateAssessment(peer_, Assess("ann", "five-s", 4));
  EXPECT_EQ(peer.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorReason(peer.status()), "NOT_AN_ASSESSOR");
  auto self = assessments_->CreateAssessment(tl_, Assess("tl", "five-s", 4));
  EXPECT_EQ(ErrorReason(self.status()), "SELF_ASSESSMENT");
  auto other_org = assessments_->CreateAssessment(globex_, Assess("ann", "five-s", 4));
  EXPECT_EQ(ErrorReason(other_org.status()), "CROSS_TENANT_ACCESS");
}

TEST_F(DevelopmentTest, AnAssessmentIsCheckedAgainstTheDirectoryAndTheSitesCalendar) {
  const int64_t before = OutboxCount();
  pb::CreateAssessmentRequest bad = Assess("ann", "juggling", 5);
  bad.mutable_assessment()->mutable_assess_date()->set_month(2);
  bad.mutable_assessment()->mutable_assess_date()->set_day(30);
  bad.mutable_assessment()->set_evidence(std::string(2001, 'e'));
  bad.set_assessment_id("Bad Id");
  EXPECT_THAT(Fields(assessments_->CreateAssessment(tl_, bad).status()),
              ElementsAre("assessment_id", "assessment.level", "assessment.assess_date",
                          "assessment.evidence"));
  bad.set_assessment_id("");
  // Every field at once, the competency (checked against the model) too.
  EXPECT_THAT(Fields(assessments_->CreateAssessment(tl_, bad).status()),
              ElementsAre("assessment.level", "assessment.assess_date", "assessment.evidence",
                          "assessment.competency"));
  EXPECT_THAT(Fields(assessments_->CreateAssessment(tl_, Assess("nobody", "pdca", 1)).status()),
              ElementsAre("parent"));
  EXPECT_THAT(Fields(assessments_->CreateAssessment(tl_, Assess("ann", "juggling", 1)).status()),
              ElementsAre("assessment.competency"));
  // The 23rd is today in Pune, tomorrow in Lyon.
  EXPECT_TRUE(
      assessments_->CreateAssessment(kpo_, Assess("raj", "pdca", 1, absl::CivilDay(2026, 11, 23)))
          .ok());
  auto lyon =
      assessments_->CreateAssessment(tl_, Assess("ann", "pdca", 1, absl::CivilDay(2026, 11, 23)));
  EXPECT_THAT(Fields(lyon.status()), ElementsAre("assessment.assess_date"));
  EXPECT_EQ(OutboxCount(), before + 1);
}

TEST_F(DevelopmentTest, TheLatestAssessmentCountsAndHistoryStays) {
  auto first =
      assessments_->CreateAssessment(tl_, Assess("ann", "pdca", 1, absl::CivilDay(2026, 3, 1)));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->assessor(), P("tl"));
  EXPECT_EQ(first->site(), std::string(kOrg) + "/sites/lyon");
  EXPECT_EQ(first->area(), std::string(kOrg) + "/sites/lyon/areas/assembly");
  EXPECT_THAT(first->roles(), ElementsAre(pb::TEAM_MEMBER));
  auto e = LastEvent<pb::AssessmentRecorded>();
  EXPECT_TRUE(e.latest());
  EXPECT_EQ(e.previous_level(), 0);
  ASSERT_TRUE(
      assessments_->CreateAssessment(tl_, Assess("ann", "pdca", 3, absl::CivilDay(2026, 9, 1)))
          .ok());
  EXPECT_EQ(LastEvent<pb::AssessmentRecorded>().previous_level(), 1);
  // Caught up later: an assessment dated before the latest one is history only.
  ASSERT_TRUE(
      assessments_->CreateAssessment(tl_, Assess("ann", "pdca", 2, absl::CivilDay(2026, 6, 1)))
          .ok());
  e = LastEvent<pb::AssessmentRecorded>();
  EXPECT_FALSE(e.latest());
  EXPECT_EQ(e.previous_level(), 3);
  pb::GetCompetencyProfileRequest get;
  get.set_name(P("ann") + "/competencyProfile");
  auto profile = assessments_->GetCompetencyProfile(tl_, get);
  ASSERT_TRUE(profile.ok()) << profile.status();
  ASSERT_EQ(profile->competencies_size(), 1);
  EXPECT_EQ(profile->competencies(0).level(), 3);
  EXPECT_EQ(profile->competencies(0).assess_date().month(), 9);
  pb::ListAssessmentsRequest list;
  list.set_parent(P("ann"));
  list.set_page_size(2);
  auto page = assessments_->ListAssessments(tl_, list);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->assessments_size(), 2);
  EXPECT_EQ(page->assessments(0).level(), 1);
  EXPECT_EQ(page->assessments(1).level(), 2);
  list.set_page_token(page->next_page_token());
  EXPECT_EQ(assessments_->ListAssessments(tl_, list)->assessments(0).level(), 3);
  pb::ListAssessmentsRequest everyone;
  everyone.set_parent(std::string(kOrg) + "/people/-");
  everyone.set_assessor(P("mgr"));
  EXPECT_EQ(assessments_->ListAssessments(tl_, everyone)->assessments_size(), 0);
}

TEST_F(DevelopmentTest, AProfileShowsEveryTargetOfThePersonsRolesWithItsGap) {
  ASSERT_TRUE(Profile("tl", pb::TEAM_LEADER, {{"pdca", 3}, {"coaching-kata", 2}}).ok());
  ASSERT_TRUE(Profile("tm", pb::TEAM_MEMBER, {{"pdca", 2}, {"five-s", 2}}).ok());
  ASSERT_TRUE(assessments_->CreateAssessment(tl_, Assess("ben", "pdca", 2)).ok());
  ASSERT_TRUE(assessments_->CreateAssessment(tl_, Assess("ben", "five-s", 4)).ok());
  ASSERT_TRUE(assessments_->CreateAssessment(tl_, Assess("ben", "smed", 1)).ok());
  pb::GetCompetencyProfileRequest get;
  get.set_name(P("ben") + "/competencyProfile");
  auto profile = assessments_->GetCompetencyProfile(peer_, get);
  ASSERT_TRUE(profile.ok()) << profile.status();
  EXPECT_THAT(profile->target_profiles(), ElementsAre(std::string(kOrg) + "/targetProfiles/tl",
                                                      std::string(kOrg) + "/targetProfiles/tm"));
  std::map<std::string, std::tuple<int, int, int>> got;
  for (const auto& c : profile->competencies()) {
    got[c.competency()] = {c.level(), c.target_level(), c.gap()};
  }
  EXPECT_EQ(got.size(), 4u);
  EXPECT_EQ(got[C("pdca")], std::make_tuple(2, 3, 1));
  EXPECT_EQ(got[C("coaching-kata")], std::make_tuple(0, 2, 2));
  EXPECT_EQ(got[C("five-s")], std::make_tuple(4, 2, 0));
  EXPECT_EQ(got[C("smed")], std::make_tuple(1, 0, 0));
  EXPECT_EQ(profile->total_gap(), 3);
  EXPECT_EQ(profile->competencies_below_target(), 2);
  get.set_name(P("ben") + "/profile");
  EXPECT_THAT(Fields(assessments_->GetCompetencyProfile(peer_, get).status()), ElementsAre("name"));
  get.set_name("organizations/globex/people/ben/competencyProfile");
  EXPECT_EQ(assessments_->GetCompetencyProfile(peer_, get).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(DevelopmentTest, AKpoSpecialistIsTargetedByTheProfileOfTheirKpoLevel) {
  Person("kate", "lyon", {pb::KPO_SPECIALIST}, "mgr");
  ASSERT_TRUE(Profile("kpo", pb::KPO_SPECIALIST, {{"coaching-kata", 3}}).ok());
  auto level_profile = [&](const std::string& id, pb::KpoLevel level, const std::string& c) {
    pb::CreateTargetProfileRequest r;
    r.set_parent(kOrg);
    r.set_target_profile_id(id);
    r.mutable_target_profile()->set_display_name(id);
    r.mutable_target_profile()->set_role(pb::KPO_SPECIALIST);
    r.mutable_target_profile()->set_kpo_level(level);
    auto* t = r.mutable_target_profile()->add_targets();
    t->set_competency(C(c));
    t->set_level(4);
    return model_->CreateTargetProfile(kpo_, r);
  };
  ASSERT_TRUE(level_profile("kpo-vs", pb::KPO_LEVEL_VALUE_STREAM, "value-stream-mapping").ok());
  ASSERT_TRUE(level_profile("kpo-corp", pb::KPO_LEVEL_CORPORATE, "strategic-orientation").ok());
  // One profile per role and level; a level only on a KPO specialist's profile.
  EXPECT_THAT(Fields(level_profile("kpo-vs-2", pb::KPO_LEVEL_VALUE_STREAM, "smed").status()),
              ElementsAre("target_profile.role"));
  pb::CreateTargetProfileRequest wrong;
  wrong.set_parent(kOrg);
  wrong.mutable_target_profile()->set_display_name("x");
  wrong.mutable_target_profile()->set_role(pb::TEAM_LEADER);
  wrong.mutable_target_profile()->set_kpo_level(pb::KPO_LEVEL_CORPORATE);
  wrong.mutable_target_profile()->add_targets()->set_competency(C("pdca"));
  wrong.mutable_target_profile()->mutable_targets(0)->set_level(2);
  EXPECT_THAT(Fields(model_->CreateTargetProfile(kpo_, wrong).status()),
              ElementsAre("target_profile.kpo_level"));

  pb::GetCompetencyProfileRequest get;
  get.set_name(P("kate") + "/competencyProfile");
  auto before = assessments_->GetCompetencyProfile(admin_, get);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_THAT(before->target_profiles(), ElementsAre(std::string(kOrg) + "/targetProfiles/kpo"));
  // Kate joins the KPO at value-stream level: its profile targets her too.
  KpoOffice office(*commands_, tokens_);
  pb::CreateKpoMemberRequest join;
  join.set_parent(kOrg);
  join.mutable_kpo_member()->set_person(P("kate"));
  join.mutable_kpo_member()->set_level(pb::KPO_LEVEL_VALUE_STREAM);
  join.mutable_kpo_member()->set_value_stream(std::string(kOrg) + "/sites/lyon/areas/assembly");
  join.mutable_kpo_member()->set_time_share_percent(100);
  *join.mutable_kpo_member()->mutable_start_date() =
      kpo::core::FromCivil(absl::CivilDay(2026, 1, 5));
  join.mutable_kpo_member()->mutable_cost_per_month()->set_currency_code("EUR");
  join.mutable_kpo_member()->mutable_cost_per_month()->set_minor_units(700000);
  ASSERT_TRUE(office.CreateKpoMember(admin_, join).ok());
  auto after = assessments_->GetCompetencyProfile(admin_, get);
  ASSERT_TRUE(after.ok());
  EXPECT_THAT(after->target_profiles(), ElementsAre(std::string(kOrg) + "/targetProfiles/kpo",
                                                    std::string(kOrg) + "/targetProfiles/kpo-vs"));
  bool vsm_targeted = false;
  for (const auto& c : after->competencies()) {
    if (c.competency() == C("value-stream-mapping")) vsm_targeted = c.target_level() == 4;
    EXPECT_NE(c.competency(), C("strategic-orientation")) << "the corporate profile is not hers";
  }
  EXPECT_TRUE(vsm_targeted);
}

TEST_F(DevelopmentTest, TheSkillsMatrixOfASitePagesThroughItsPeopleWithGaps) {
  ASSERT_TRUE(Profile("tm", pb::TEAM_MEMBER, {{"pdca", 2}}).ok());
  ASSERT_TRUE(Profile("tl", pb::TEAM_LEADER, {{"coaching-kata", 2}}).ok());
  ASSERT_TRUE(assessments_->CreateAssessment(tl_, Assess("ann", "pdca", 2)).ok());
  ASSERT_TRUE(assessments_->CreateAssessment(mgr_, Assess("tl", "coaching-kata", 3)).ok());
  pb::QuerySkillsMatrixRequest q;
  q.set_parent(kOrg);
  q.set_site(std::string(kOrg) + "/sites/lyon");
  q.set_page_size(2);
  std::vector<std::string> people;
  std::vector<pb::SkillsMatrixColumn> columns;
  std::map<std::string, pb::SkillsMatrixRow> rows;
  do {
    auto page = assessments_->QuerySkillsMatrix(peer_, q);
    ASSERT_TRUE(page.ok()) << page.status();
    columns.assign(page->columns().begin(), page->columns().end());
    for (const auto& row : page->rows()) {
      people.push_back(row.person());
      rows[row.person()] = row;
      EXPECT_EQ(row.cells_size(), page->columns_size());
    }
    q.set_page_token(page->next_page_token());
  } while (!q.page_token().empty());
  EXPECT_THAT(people, ElementsAre(P("ann"), P("ben"), P("mgr"), P("peer"), P("tl")));
  // The targeted competencies come first.
  ASSERT_GE(columns.size(), 2u);
  EXPECT_EQ(columns[0].competency(), C("coaching-kata"));
  EXPECT_EQ(columns[1].competency(), C("pdca"));
  EXPECT_EQ(rows[P("ann")].cells(1).level(), 2);
  EXPECT_TRUE(rows[P("ann")].cells(1).assessed());
  EXPECT_EQ(rows[P("ann")].cells(1).gap(), 0);
  EXPECT_EQ(rows[P("ben")].cells(0).gap(), 2);  // team leader too
  EXPECT_EQ(rows[P("ben")].cells(1).gap(), 2);
  EXPECT_FALSE(rows[P("ben")].cells(1).assessed());
  // Only those with a gap, in the columns asked for, one area.
  q.set_site("");
  q.set_area(std::string(kOrg) + "/sites/lyon/areas/assembly");
  q.add_competencies(C("pdca"));
  q.set_gaps_only(true);
  q.set_page_size(1);
  people.clear();
  do {
    auto page = assessments_->QuerySkillsMatrix(peer_, q);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_EQ(page->columns_size(), 1);
    for (const auto& row : page->rows()) people.push_back(row.person());
    q.set_page_token(page->next_page_token());
  } while (!q.page_token().empty());
  EXPECT_THAT(people, ElementsAre(P("ben")));
}

TEST_F(DevelopmentTest, ABadMatrixQueryNamesItsFields) {
  pb::QuerySkillsMatrixRequest q;
  q.set_parent(kOrg);
  EXPECT_THAT(Fields(assessments_->QuerySkillsMatrix(tl_, q).status()), ElementsAre("site"));
  q.set_site(std::string(kOrg) + "/sites/nowhere");
  q.add_competencies(C("juggling"));
  EXPECT_THAT(Fields(assessments_->QuerySkillsMatrix(tl_, q).status()), ElementsAre("site"));
  q.set_site(std::string(kOrg) + "/sites/lyon");
  EXPECT_THAT(Fields(assessments_->QuerySkillsMatrix(tl_, q).status()),
              ElementsAre("competencies[0]"));
  q.set_site("organizations/globex/sites/lyon");
  EXPECT_EQ(assessments_->QuerySkillsMatrix(tl_, q).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(DevelopmentTest, AnotherOrganizationReadsAndChangesNothing) {
  ASSERT_TRUE(Profile("tm", pb::TEAM_MEMBER, {{"pdca", 2}}).ok());
  auto a = assessments_->CreateAssessment(tl_, Assess("ann", "pdca", 2));
  ASSERT_TRUE(a.ok());
  const auto denied = [](const absl::Status& s) {
    return s.code() == absl::StatusCode::kPermissionDenied &&
           ErrorReason(s) == "CROSS_TENANT_ACCESS";
  };
  pb::ListCompetenciesRequest lc;
  lc.set_parent(kOrg);
  EXPECT_TRUE(denied(model_->ListCompetencies(globex_, lc).status()));
  pb::GetCompetencyRequest gc;
  gc.set_name(C("pdca"));
  EXPECT_TRUE(denied(model_->GetCompetency(globex_, gc).status()));
  pb::UpdateCompetencyRequest uc;
  uc.mutable_competency()->set_name(C("pdca"));
  uc.mutable_competency()->set_display_name("x");
  EXPECT_TRUE(denied(model_->UpdateCompetency(globex_, uc).status()));
  pb::DeactivateCompetencyRequest dc;
  dc.set_name(C("five-s"));
  EXPECT_TRUE(denied(model_->DeactivateCompetency(globex_, dc).status()));
  pb::GetTargetProfileRequest gt;
  gt.set_name(std::string(kOrg) + "/targetProfiles/tm");
  EXPECT_TRUE(denied(model_->GetTargetProfile(globex_, gt).status()));
  pb::ListTargetProfilesRequest lt;
  lt.set_parent(kOrg);
  EXPECT_TRUE(denied(model_->ListTargetProfiles(globex_, lt).status()));
  pb::DeactivateTargetProfileRequest dt;
  dt.set_name(gt.name());
  EXPECT_TRUE(denied(model_->DeactivateTargetProfile(globex_, dt).status()));
  pb::GetAssessmentRequest ga;
  ga.set_name(a->name());
  EXPECT_TRUE(denied(assessments_->GetAssessment(globex_, ga).status()));
  pb::ListAssessmentsRequest la;
  la.set_parent(std::string(kOrg) + "/people/-");
  EXPECT_TRUE(denied(assessments_->ListAssessments(globex_, la).status()));
  // Nothing changed.
  EXPECT_EQ(model_->GetCompetency(tl_, gc)->etag(), "0");
  EXPECT_EQ(model_->GetTargetProfile(tl_, gt)->state(), pb::ACTIVE);
}

}  // namespace
}  // namespace kpo::people
