// The scorecard's people development, money, KPO footprint, alignment and yokoten
// sections over a real SQLite file, from events put through the projections as the
// consumer would; the expected figures are worked out by hand in each test.

#include <string>

#include "fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "kpo/core/date.h"

namespace kpo::reporting::testing {
namespace {

using ::testing::ElementsAre;

class SectionsTest : public ReportingFixture {
 protected:
  // Ana at Lyon, Raj at Pune, one idea of Ana's in March; the cached paths' reads are
  // then counted by the test itself.
  void OneIdeaAtLyon() {
    Person("ana", Lyon(), Utc(2026, 1, 1));
    Person("raj", Pune(), Utc(2026, 1, 1));
    ASSERT_TRUE(Apply<daily::IdeaSubmitted>(Idea("i1", Lyon(), Utc(2026, 3, 2), {"ana"}), 1).ok());
    check_cache_ = false;
  }
  static pb::GetScorecardRequest MarchOfTheOrganization() {
    pb::GetScorecardRequest r;
    r.set_name(std::string(kOrg) + "/scorecard");
    r.mutable_period()->set_granularity(pb::GRANULARITY_MONTH);
    *r.mutable_period()->mutable_start_date() = Day(2026, 3, 1);
    return r;
  }
  dir::Person PersonWithRoles(const std::string& id, const std::string& site,
                              std::initializer_list<dir::Role> roles,
                              const std::string& area = "") {
    dir::Person p;
    p.set_name(P(id));
    p.set_home_site(site);
    p.set_area(area);
    for (dir::Role r : roles) p.add_roles(r);
    p.set_state(dir::ACTIVE);
    *p.mutable_create_time() = At(Utc(2026, 1, 1));
    *p.mutable_update_time() = At(Utc(2026, 1, 1));
    EXPECT_TRUE(Apply<dir::PersonCreated>(p, 1).ok());
    return p;
  }

  static kpo::common::v1::Date Day(int y, int m, int d) {
    return kpo::core::FromCivil(absl::CivilDay(y, m, d));
  }
  static kpo::common::v1::Money Money(const std::string& code, int64_t minor) {
    kpo::common::v1::Money m;
    m.set_currency_code(code);
    m.set_minor_units(minor);
    return m;
  }

  static dir::Certificate Certificate(const std::string& id, const std::string& person,
                                      dir::CertificationLevel level, kpo::common::v1::Date award,
                                      std::optional<kpo::common::v1::Date> expire, absl::Time at) {
    dir::Certificate c;
    c.set_name(P(person) + "/certificates/" + id);
    c.set_person(P(person));
    c.set_level(level);
    c.set_state(dir::CERTIFICATE_STATE_VALID);
    *c.mutable_award_date() = award;
    if (expire) *c.mutable_expire_date() = *expire;
    *c.mutable_create_time() = At(at);
    *c.mutable_update_time() = At(at);
    return c;
  }
  void Awarded(const dir::Certificate& c, const std::string& site, absl::Time at,
               const std::string& area = "") {
    dir::CertificationAwarded e;
    *e.mutable_certificate() = c;
    e.set_person_site(site);
    e.set_person_area(area);
    ASSERT_TRUE(ApplyEvent(e, at).ok());
    ASSERT_TRUE(ApplyEvent(e, at).ok());  // redelivered
  }

  void Profile(const std::string& id, dir::Role role,
               std::initializer_list<std::pair<const char*, int>> targets,
               dir::KpoLevel level = dir::KPO_LEVEL_UNSPECIFIED) {
    dir::TargetProfile p;
    p.set_name(std::string(kOrg) + "/targetProfiles/" + id);
    p.set_role(role);
    p.set_kpo_level(level);
    p.set_state(dir::ACTIVE);
    for (auto [competency, target] : targets) {
      auto* t = p.add_targets();
      t->set_competency(C(competency));
      t->set_level(target);
    }
    ASSERT_TRUE(Apply<dir::TargetProfileCreated>(p, 1).ok());
  }
  static std::string C(const std::string& id) { return std::string(kOrg) + "/competencies/" + id; }

  void Assess(const std::string& person, const char* competency, int level,
              kpo::common::v1::Date day, absl::Time recorded) {
    dir::AssessmentRecorded e;
    dir::Assessment& a = *e.mutable_assessment();
    a.set_name(P(person) + "/assessments/a" + std::to_string(++assessments_));
    a.set_person(P(person));
    a.set_competency(C(competency));
    a.set_level(level);
    *a.mutable_assess_date() = day;
    *a.mutable_create_time() = At(recorded);
    e.set_revision(1);
    e.set_latest(true);
    ASSERT_TRUE(ApplyEvent(e, recorded).ok());
  }

  void Member(const std::string& id, const std::string& person, const std::string& site, int share,
              kpo::common::v1::Money cost, kpo::common::v1::Date start,
              std::optional<kpo::common::v1::Date> end = std::nullopt, bool pool = false,
              dir::KpoLevel level = dir::KPO_LEVEL_VALUE_STREAM) {
    dir::KpoMemberCreated e;
    dir::KpoMember& m = *e.mutable_kpo_member();
    m.set_name(std::string(kOrg) + "/kpoMembers/" + id);
    m.set_person(P(person));
    m.set_level(level);
    m.set_time_share_percent(share);
    m.set_kaizen_pool(pool);
    *m.mutable_start_date() = start;
    if (end) *m.mutable_end_date() = *end;
    *m.mutable_cost_per_month() = cost;
    m.set_state(dir::ACTIVE);
    e.set_revision(1);
    e.set_person_site(site);
    ASSERT_TRUE(ApplyEvent(e, Utc(2026, 1, 1)).ok());
  }

  // A kaizen event at `site` proposed at `created`, completed on `completed` (facilitated
  // by `kind`) when set, with `objective` in its charter.
  kaizen::KaizenEvent Event(const std::string& id, const std::string& site, absl::Time created,
                            const std::string& objective = "") {
    kaizen::KaizenEvent e;
    e.set_name(std::string(kOrg) + "/kaizenEvents/" + id);
    e.set_site(site);
    e.set_state(kaizen::PROPOSED);
    e.mutable_charter()->set_strategic_objective(objective);
    *e.mutable_create_time() = At(created);
    EXPECT_TRUE(ApplyAt<kaizen::KaizenEventProposed>(e, 1, created).ok());
    return e;
  }

  int assessments_ = 0;
};

TEST_F(SectionsTest, CertificatesByLevelAwardedRenewedHeldExpiringAndLapsed) {
  PersonWithRoles("ana", Lyon(), {dir::TEAM_MEMBER}, Lyon() + "/areas/press");
  PersonWithRoles("bo", Lyon(), {dir::TEAM_LEADER});
  PersonWithRoles("kim", Lyon(), {dir::KPO_SPECIALIST});
  // ana: the Knowledge exam on 3 March (never expires).
  Awarded(Certificate("k1", "ana", dir::CERTIFICATION_LEVEL_KNOWLEDGE, Day(2026, 3, 3),
                      std::nullopt, Utc(2026, 3, 3)),
          Lyon(), Utc(2026, 3, 3), Lyon() + "/areas/press");
  // bo: Bronze until 10 March 2026, warned on 10 January, renewed on 5 March.
  dir::Certificate old = Certificate("b1", "bo", dir::CERTIFICATION_LEVEL_BRONZE, Day(2024, 3, 10),
                                     Day(2026, 3, 10), Utc(2024, 3, 10));
  Awarded(old, Lyon(), Utc(2024, 3, 10));
  {
    dir::CertificateExpiring e;
    *e.mutable_certificate() = old;
    e.set_days_left(59);
    e.set_person_site(Lyon());
    ASSERT_TRUE(ApplyEvent(e, Utc(2026, 1, 10)).ok());
  }
  {
    dir::CertificationRenewed e;
    *e.mutable_certificate() = Certificate("b2", "bo", dir::CERTIFICATION_LEVEL_BRONZE,
                                           Day(2026, 3, 5), Day(2028, 3, 10), Utc(2026, 3, 5));
    e.mutable_certificate()->set_renews(old.name());
    *e.mutable_renewed() = old;
    e.mutable_renewed()->set_state(dir::CERTIFICATE_STATE_RENEWED);
    *e.mutable_renewed()->mutable_update_time() = At(Utc(2026, 3, 5));
    e.set_person_site(Lyon());
    ASSERT_TRUE(ApplyEvent(e, Utc(2026, 3, 5)).ok());
  }
  // kim: Silver until 15 April 2026, warned on 1 March, never renewed.
  dir::Certificate silver = Certificate("s1", "kim", dir::CERTIFICATION_LEVEL_SILVER,
                                        Day(2024, 2, 1), Day(2026, 4, 15), Utc(2024, 2, 1));
  Awarded(silver, Lyon(), Utc(2024, 2, 1));
  {
    dir::CertificateExpiring e;
    *e.mutable_certificate() = silver;
    e.set_person_site(Lyon());
    ASSERT_TRUE(ApplyEvent(e, Utc(2026, 3, 1)).ok());
  }

  auto level = [](const pb::Scorecard& card, int i) {
    return card.people_development().certifications(i);
  };
  auto february = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 2, 1);
  ASSERT_TRUE(february.ok()) << february.status();
  ASSERT_EQ(february->people_development().certifications_size(), 4);
  EXPECT_EQ(level(*february, 0).level(), dir::CERTIFICATION_LEVEL_KNOWLEDGE);
  EXPECT_EQ(level(*february, 0).holders(), 0);
  EXPECT_EQ(level(*february, 1).holders(), 1);  // bo, warned in January
  EXPECT_EQ(level(*february, 1).expiring(), 1);
  EXPECT_EQ(level(*february, 2).holders(), 1);  // kim, not warned yet
  EXPECT_EQ(level(*february, 2).expiring(), 0);

  auto march = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(march.ok()) << march.status();
  EXPECT_EQ(level(*march, 0).awarded(), 1);
  EXPECT_EQ(level(*march, 0).holders(), 1);
  EXPECT_EQ(level(*march, 1).awarded(), 0);
  EXPECT_EQ(level(*march, 1).renewed(), 1);
  EXPECT_EQ(level(*march, 1).holders(), 1);   // the renewal
  EXPECT_EQ(level(*march, 1).expiring(), 0);  // its new certificate is not warned
  EXPECT_EQ(level(*march, 1).lapsed(), 0);    // renewed before it expired
  EXPECT_EQ(level(*march, 2).holders(), 1);
  EXPECT_EQ(level(*march, 2).expiring(), 1);

  auto april = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 4, 1);
  ASSERT_TRUE(april.ok());
  EXPECT_EQ(level(*april, 2).holders(), 0);
  EXPECT_EQ(level(*april, 2).lapsed(), 1);

  // The area counts its own people's certificates; the organization adds its sites.
  auto press = Card(Lyon() + "/areas/press", pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(press.ok());
  EXPECT_EQ(level(*press, 0).awarded(), 1);
  EXPECT_EQ(level(*press, 1).holders(), 0);
  auto org = Card(kOrg, pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(level(*org, 1).renewed(), 1);
}

TEST_F(SectionsTest, TrainingAndSkillsAgainstTargetProfilesAtTheEndOfThePeriod) {
  PersonWithRoles("ana", Lyon(), {dir::TEAM_MEMBER}, Lyon() + "/areas/press");
  PersonWithRoles("bo", Lyon(), {dir::TEAM_LEADER});
  PersonWithRoles("kim", Lyon(), {dir::KPO_SPECIALIST});
  Member("m-kim", "kim", Lyon(), 100, Money("EUR", 500000), Day(2026, 1, 1));
  Profile("tm", dir::TEAM_MEMBER, {{"c1", 2}, {"c2", 1}});
  Profile("tl", dir::TEAM_LEADER, {{"c1", 3}, {"c3", 2}});
  Profile("kpo", dir::KPO_SPECIALIST, {{"c1", 3}});
  // Kim's membership is at value-stream level: the corporate profile does not apply.
  Profile("kpo-corp", dir::KPO_SPECIALIST, {{"c4", 4}}, dir::KPO_LEVEL_CORPORATE);
  {  // c2 retired: nobody is held to it.
    dir::Competency c;
    c.set_name(C("c2"));
    c.set_state(dir::INACTIVE);
    ASSERT_TRUE(Apply<dir::CompetencyDeactivated>(c, 2).ok());
  }
  Assess("ana", "c1", 1, Day(2026, 3, 5), Utc(2026, 3, 5));
  Assess("ana", "c1", 2, Day(2026, 3, 20), Utc(2026, 3, 20));
  Assess("ana", "c1", 0, Day(2026, 4, 2), Utc(2026, 4, 2));  // after March: not counted
  Assess("bo", "c1", 3, Day(2026, 2, 10), Utc(2026, 2, 10));
  // Two on the same day: the one recorded last counts.
  Assess("bo", "c3", 2, Day(2026, 3, 31), Utc(2026, 3, 31, 8));
  Assess("bo", "c3", 1, Day(2026, 3, 31), Utc(2026, 3, 31, 9));

  int n = 0;
  auto completed = [&](const char* person, int minutes, absl::Time at) {
    dir::TrainingCompleted e;
    e.mutable_enrolment()->set_name(std::string(kOrg) + "/trainingSessions/s" +
                                    std::to_string(++n) + "/enrolments/" + person);
    e.mutable_enrolment()->set_person(P(person));
    *e.mutable_enrolment()->mutable_update_time() = At(at);
    e.set_module(std::string(kOrg) + "/trainingModules/m");
    e.set_duration_minutes(minutes);
    e.set_person_site(Lyon());
    ASSERT_TRUE(ApplyEvent(e, at).ok());
    ASSERT_TRUE(ApplyEvent(e, at).ok());  // redelivered
  };
  completed("ana", 60, Utc(2026, 3, 2));
  completed("ana", 90, Utc(2026, 3, 12));
  completed("bo", 120, Utc(2026, 2, 12));

  auto march = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(march.ok()) << march.status();
  const auto& f = march->people_development();
  EXPECT_EQ(f.training_completions(), 2);
  EXPECT_EQ(f.people_trained(), 1);
  EXPECT_EQ(f.training_minutes(), 150);
  // ana c1 2/2 met; bo c1 3/3 met, c3 1/2; kim c1 0/3.
  EXPECT_EQ(f.skills_coverage().numerator(), 2);
  EXPECT_EQ(f.skills_coverage().denominator(), 4);
  EXPECT_EQ(f.people_at_target().numerator(), 1);
  EXPECT_EQ(f.people_at_target().denominator(), 3);
  EXPECT_EQ(f.skill_gap_levels(), 1 + 3);

  // At the end of February ana had not been assessed yet.
  auto february = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 2, 1);
  ASSERT_TRUE(february.ok());
  EXPECT_EQ(february->people_development().skills_coverage().numerator(), 1);
  EXPECT_EQ(february->people_development().skill_gap_levels(), 2 + 2 + 3);
  EXPECT_EQ(february->people_development().training_minutes(), 120);

  auto press = Card(Lyon() + "/areas/press", pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(press.ok());
  EXPECT_EQ(press->people_development().skills_coverage().numerator(), 1);
  EXPECT_EQ(press->people_development().skills_coverage().denominator(), 1);
  EXPECT_EQ(press->people_development().training_completions(), 0);  // counted at the site

  // Without any profile there is no coverage, not 0%.
  auto pune = Card(Pune(), pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(pune.ok());
  EXPECT_FALSE(pune->people_development().skills_coverage().has_value());
}

TEST_F(SectionsTest, MoneyPerCurrencyNeverMixedAndTheKpoFootprint) {
  PersonWithRoles("ana", Lyon(), {dir::TEAM_MEMBER});
  PersonWithRoles("kim", Lyon(), {dir::KPO_SPECIALIST});
  PersonWithRoles("lee", Lyon(), {dir::KPO_SPECIALIST});
  PersonWithRoles("raj", Pune(), {dir::TEAM_LEADER});
  // kim: half her time, EUR 6,000.00 a month, since January.
  Member("m-kim", "kim", Lyon(), 50, Money("EUR", 600000), Day(2026, 1, 1));
  // raj: lent to the kaizen pool 16 March - 31 May, INR 300,000.00 a month.
  Member("m-raj", "raj", Pune(), 100, Money("INR", 30000000), Day(2026, 3, 16), Day(2026, 5, 31),
         true);
  // lee: full time at EUR 4,000.00 from January, left the office on 10 March (Paris).
  Member("m-lee", "lee", Lyon(), 100, Money("EUR", 400000), Day(2026, 1, 1));
  {
    dir::KpoMemberDeactivated e;
    dir::KpoMember& m = *e.mutable_kpo_member();
    m.set_name(std::string(kOrg) + "/kpoMembers/m-lee");
    m.set_person(P("lee"));
    m.set_level(dir::KPO_LEVEL_VALUE_STREAM);
    m.set_time_share_percent(100);
    *m.mutable_start_date() = Day(2026, 1, 1);
    *m.mutable_cost_per_month() = Money("EUR", 400000);
    m.set_state(dir::INACTIVE);
    *m.mutable_update_time() = At(Utc(2026, 3, 10, 13));
    e.set_revision(2);
    e.set_person_site(Lyon());
    ASSERT_TRUE(ApplyEvent(e, Utc(2026, 3, 10, 13)).ok());
  }

  // A kaizen event completed on 12 March (facilitated by the KPO), its savings validated
  // then: EUR 1,000.00 one-time hard, EUR 500.00 a year soft, USD 200.00 one-time hard.
  kaizen::KaizenEvent e = Event("k1", Lyon(), Utc(2026, 3, 1));
  e.set_state(kaizen::COMPLETED);
  e.set_facilitator_kind(kaizen::KPO);
  *e.mutable_completion_date() = Day(2026, 3, 12);
  for (auto [money, recurrence, kind] :
       {std::tuple{Money("EUR", 100000), kaizen::ONE_TIME, kaizen::HARD},
        std::tuple{Money("EUR", 50000), kaizen::ANNUAL, kaizen::SOFT},
        std::tuple{Money("USD", 20000), kaizen::ONE_TIME, kaizen::HARD}}) {
    auto* s = e.mutable_money()->add_realized_savings();
    *s->mutable_amount() = money;
    s->set_recurrence(recurrence);
    s->set_kind(kind);
  }
  ASSERT_TRUE(ApplyAt<kaizen::KaizenEventCompleted>(e, 2, Utc(2026, 3, 12)).ok());
  kaizen::KaizenEvent validated = e;
  validated.mutable_money()->mutable_validation()->set_validated(true);
  *validated.mutable_money()->mutable_validation()->mutable_validate_time() =
      At(Utc(2026, 3, 12, 15));
  ASSERT_TRUE(ApplyAt<kaizen::SavingsValidated>(validated, 3, Utc(2026, 3, 12, 15)).ok());
  // The unvalidated revision redelivered late changes nothing.
  ASSERT_TRUE(ApplyAt<kaizen::KaizenEventCompleted>(e, 2, Utc(2026, 3, 12)).ok());

  // An idea at Pune worth INR 50,000.00 a year, validated on 20 March; one at Lyon whose
  // impact finance has not validated.
  daily::Idea pune_idea =
      Implemented(Idea("i1", Pune(), Utc(2026, 2, 1), {"raj"}), Utc(2026, 3, 1));
  pune_idea.mutable_impact()->set_recurrence(daily::IMPACT_RECURRENCE_ANNUAL);
  pune_idea.mutable_impact()->set_kind(daily::IMPACT_KIND_HARD);
  *pune_idea.mutable_impact()->mutable_actual() = Money("INR", 5000000);
  pune_idea.mutable_impact()->set_validated(true);
  *pune_idea.mutable_impact()->mutable_validate_time() = At(Utc(2026, 3, 20));
  ASSERT_TRUE(Apply<daily::IdeaImpactValidated>(pune_idea, 5).ok());
  daily::Idea lyon_idea =
      Implemented(Idea("i2", Lyon(), Utc(2026, 2, 1), {"ana"}), Utc(2026, 3, 1));
  *lyon_idea.mutable_impact()->mutable_actual() = Money("EUR", 30000);
  lyon_idea.mutable_impact()->set_recurrence(daily::IMPACT_RECURRENCE_ONE_TIME);
  ASSERT_TRUE(Apply<daily::IdeaImplemented>(lyon_idea, 4).ok());

  {  // A coaching cycle led by the line on 4 March.
    daily::CoachingCycle c;
    c.set_name(std::string(kOrg) + "/storyboards/s/coachingCycles/c1");
    c.set_site(Lyon());
    c.set_learner(P("ana"));
    c.set_coach(P("kim"));
    c.set_coach_kind(daily::COACH_KIND_LINE);
    *c.mutable_date() = Day(2026, 3, 4);
    ASSERT_TRUE(Apply<daily::CoachingCycleRecorded>(c, 1).ok());
  }

  auto march = Card(kOrg, pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(march.ok()) << march.status();
  const auto& money = march->money();
  ASSERT_EQ(money.currencies_size(), 3);
  const auto& eur = money.currencies(0);
  const auto& inr = money.currencies(1);
  const auto& usd = money.currencies(2);
  EXPECT_EQ(eur.currency_code(), "EUR");
  EXPECT_EQ(eur.one_time_savings().minor_units(), 100000);
  EXPECT_EQ(eur.one_time_savings().currency_code(), "EUR");
  EXPECT_EQ(eur.recurring_savings().minor_units(), 50000);
  EXPECT_EQ(eur.hard_savings().minor_units(), 100000);
  EXPECT_EQ(eur.kaizen_event_savings().minor_units(), 150000);
  EXPECT_EQ(eur.idea_savings().minor_units(), 0);
  // kim: 600,000 x 50% x 31 days x 12 / 36,500 = 305,753.4 -> 305,753; lee: 1-9 March,
  // 400,000 x 100% x 9 x 12 / 36,500 = 118,356.2 -> 118,356.
  EXPECT_EQ(eur.kpo_cost().minor_units(), 305753 + 118356);
  EXPECT_EQ(eur.return_on_kpo_cost().numerator(), 150000);
  EXPECT_EQ(eur.return_on_kpo_cost().denominator(), 305753 + 118356);
  EXPECT_EQ(inr.currency_code(), "INR");
  EXPECT_EQ(inr.recurring_savings().minor_units(), 5000000);
  EXPECT_EQ(inr.idea_savings().minor_units(), 5000000);
  // raj: 16-31 March, 30,000,000 x 100% x 16 x 12 / 36,500 = 15,780,821.9 -> 15,780,822.
  EXPECT_EQ(inr.kpo_cost().minor_units(), 15780822);
  EXPECT_EQ(usd.currency_code(), "USD");
  EXPECT_EQ(usd.one_time_savings().minor_units(), 20000);
  EXPECT_EQ(usd.kpo_cost().minor_units(), 0);
  EXPECT_FALSE(usd.return_on_kpo_cost().has_value());

  const auto& fp = march->kpo_footprint();
  EXPECT_EQ(fp.kpo_people(), 2);  // kim and raj; lee left
  EXPECT_DOUBLE_EQ(fp.kpo_full_time_equivalents(), 1.5);
  EXPECT_EQ(fp.kaizen_pool_people(), 1);
  EXPECT_EQ(fp.headcount(), 4);
  EXPECT_EQ(fp.kpo_share_of_headcount().numerator(), 150);
  EXPECT_EQ(fp.kpo_share_of_headcount().denominator(), 400);
  // The event facilitated by the KPO, the cycle coached by the line.
  EXPECT_EQ(fp.line_led_share().numerator(), 1);
  EXPECT_EQ(fp.line_led_share().denominator(), 2);

  // Pune alone: its own currency only.
  auto pune = Card(Pune(), pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(pune.ok());
  ASSERT_EQ(pune->money().currencies_size(), 1);
  EXPECT_EQ(pune->money().currencies(0).currency_code(), "INR");
  EXPECT_EQ(pune->kpo_footprint().kpo_people(), 1);

  // February: lee and kim the whole month; nothing validated.
  auto february = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 2, 1);
  ASSERT_TRUE(february.ok());
  ASSERT_EQ(february->money().currencies_size(), 1);
  EXPECT_EQ(february->money().currencies(0).one_time_savings().minor_units(), 0);
  EXPECT_EQ(february->money().currencies(0).kpo_cost().minor_units(),
            (600000LL * 50 * 28 * 12 + 18250) / 36500 + (400000LL * 100 * 28 * 12 + 18250) / 36500);
  EXPECT_EQ(february->kpo_footprint().kpo_people(), 2);
  EXPECT_FALSE(february->kpo_footprint().line_led_share().has_value());
}

TEST_F(SectionsTest, AlignmentListsEveryObjectiveThenUnknownOnesThenNone) {
  {
    dir::Organization o;
    o.set_name(kOrg);
    o.set_state(dir::ACTIVE);
    for (auto [id, title] :
         {std::pair{"lead-time", "Cut lead time"}, std::pair{"safety", "Zero accidents"}}) {
      auto* objective = o.add_strategic_objectives();
      objective->set_id(id);
      objective->set_title(title);
    }
    ASSERT_TRUE(Apply<dir::OrganizationCreated>(o, 1).ok());
  }
  int n = 0;
  for (const char* objective : {"lead-time", "lead-time", "", "old-goal"}) {
    ++n;
    daily::Idea idea = Idea("i" + std::to_string(n), Lyon(), Utc(2026, 3, 2 + n), {"ana"});
    idea.set_strategic_objective(objective);
    ASSERT_TRUE(Apply<daily::IdeaSubmitted>(idea, 1).ok());
  }
  auto storyboard = [&](const char* id, const char* objective, absl::Time created,
                        std::optional<absl::Time> closed) {
    daily::Storyboard b;
    b.set_name(std::string(kOrg) + "/storyboards/" + id);
    b.set_site(Lyon());
    b.set_strategic_objective(objective);
    b.set_state(daily::STORYBOARD_STATE_ACTIVE);
    *b.mutable_create_time() = At(created);
    ASSERT_TRUE(Apply<daily::StoryboardCreated>(b, 1).ok());
    if (!closed) return;
    b.set_state(daily::STORYBOARD_STATE_ACHIEVED);
    *b.mutable_close_time() = At(*closed);
    ASSERT_TRUE(Apply<daily::StoryboardClosed>(b, 2).ok());
  };
  storyboard("s1", "safety", Utc(2026, 2, 1), std::nullopt);
  storyboard("s2", "lead-time", Utc(2026, 1, 5), Utc(2026, 2, 20));  // closed before March
  storyboard("s3", "lead-time", Utc(2026, 3, 10), std::nullopt);
  Event("k1", Lyon(), Utc(2026, 3, 2), "safety");
  Event("k2", Lyon(), Utc(2026, 3, 3));  // not chartered yet

  auto march = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(march.ok()) << march.status();
  const auto& a = march->alignment();
  std::vector<std::string> ids;
  for (const auto& o : a.objectives()) ids.push_back(o.objective());
  EXPECT_THAT(ids, ElementsAre("lead-time", "safety", "old-goal", ""));
  EXPECT_EQ(a.objectives(0).title(), "Cut lead time");
  EXPECT_EQ(a.objectives(0).ideas(), 2);
  EXPECT_EQ(a.objectives(0).storyboards(), 1);
  EXPECT_EQ(a.objectives(0).idea_share().denominator(), 4);
  EXPECT_EQ(a.objectives(1).storyboards(), 1);
  EXPECT_EQ(a.objectives(1).kaizen_events(), 1);
  EXPECT_EQ(a.objectives(2).title(), "");
  EXPECT_EQ(a.objectives(2).ideas(), 1);
  EXPECT_EQ(a.objectives(3).ideas(), 1);
  EXPECT_EQ(a.objectives(3).kaizen_events(), 1);
  EXPECT_EQ(a.aligned_ideas().numerator(), 3);
  EXPECT_EQ(a.aligned_storyboards().numerator(), 2);
  EXPECT_EQ(a.aligned_storyboards().denominator(), 2);
  EXPECT_EQ(a.aligned_kaizen_events().numerator(), 1);
  EXPECT_EQ(a.aligned_kaizen_events().denominator(), 2);

  // A month without work still lists the objectives, with no shares.
  auto june = Card(Lyon(), pb::GRANULARITY_MONTH, 2025, 6, 1);
  ASSERT_TRUE(june.ok());
  ASSERT_EQ(june->alignment().objectives_size(), 2);
  EXPECT_FALSE(june->alignment().objectives(0).idea_share().has_value());
  EXPECT_FALSE(june->alignment().aligned_ideas().has_value());
}

TEST_F(SectionsTest, YokotenPracticesSharedAndTheDecisionsOfThePlacesTheyWentTo) {
  const std::string press = Lyon() + "/areas/press";
  auto practice = [&](const char* id, const std::string& site, const std::string& area,
                      absl::Time shared) {
    daily::Practice p;
    p.set_name(std::string(kOrg) + "/practices/" + id);
    p.set_origin_site(site);
    p.set_origin_area(area);
    *p.mutable_create_time() = At(shared);
    ASSERT_TRUE(Apply<daily::PracticeShared>(p, 1).ok());
  };
  practice("p1", Lyon(), press, Utc(2026, 3, 3));
  practice("p2", Pune(), "", Utc(2026, 2, 3));
  auto task = [&](const char* practice_id, const char* id, const std::string& site,
                  const std::string& origin, kpo::common::v1::Date due,
                  daily::DeploymentState state = daily::DEPLOYMENT_STATE_OPEN,
                  absl::Time resolved = {}) {
    daily::DeploymentTask t;
    t.set_name(std::string(kOrg) + "/practices/" + practice_id + "/deploymentTasks/" + id);
    t.set_site(site);
    t.set_origin_site(origin);
    *t.mutable_due_date() = due;
    t.set_state(daily::DEPLOYMENT_STATE_OPEN);
    *t.mutable_create_time() = At(Utc(2026, 3, 1));
    ASSERT_TRUE(Apply<daily::DeploymentTaskCreated>(t, 1).ok());
    if (state == daily::DEPLOYMENT_STATE_OPEN) return;
    t.set_state(state);
    *t.mutable_resolve_time() = At(resolved);
    ASSERT_TRUE(Apply<daily::DeploymentTaskResolved>(t, 2).ok());
    ASSERT_TRUE(Apply<daily::DeploymentTaskCreated>(t, 1).ok());  // older, late: ignored
  };
  task("p1", "t1", Pune(), Lyon(), Day(2026, 3, 20), daily::DEPLOYMENT_STATE_ADOPTED,
       Utc(2026, 3, 15));
  task("p1", "t2", Pune(), Lyon(), Day(2026, 3, 20), daily::DEPLOYMENT_STATE_NOT_APPLICABLE,
       Utc(2026, 3, 25));
  task("p1", "t5", Pune(), Lyon(), Day(2026, 3, 31), daily::DEPLOYMENT_STATE_ADAPTED,
       Utc(2026, 4, 2));
  task("p2", "t3", Lyon(), Pune(), Day(2026, 3, 10));
  task("p2", "t4", Lyon(), Pune(), Day(2026, 4, 30));

  auto lyon = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(lyon.ok()) << lyon.status();
  EXPECT_EQ(lyon->yokoten().practices_shared(), 1);
  EXPECT_EQ(lyon->yokoten().adopted() + lyon->yokoten().adapted(), 0);
  EXPECT_FALSE(lyon->yokoten().adoption_rate().has_value());
  EXPECT_EQ(lyon->yokoten().open_tasks(), 2);
  EXPECT_EQ(lyon->yokoten().overdue_tasks(), 1);
  EXPECT_EQ(lyon->yokoten().adoptions_elsewhere(), 1);  // t1; t5 was adapted in April

  auto pune = Card(Pune(), pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(pune.ok());
  EXPECT_EQ(pune->yokoten().adopted(), 1);
  EXPECT_EQ(pune->yokoten().not_applicable(), 1);
  EXPECT_EQ(pune->yokoten().adoption_rate().numerator(), 1);
  EXPECT_EQ(pune->yokoten().adoption_rate().denominator(), 2);
  EXPECT_EQ(pune->yokoten().open_tasks(), 1);     // t5, decided only in April
  EXPECT_EQ(pune->yokoten().overdue_tasks(), 1);  // due on 31 March
  EXPECT_EQ(pune->yokoten().practices_shared(), 0);

  auto area = Card(press, pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(area.ok());
  EXPECT_EQ(area->yokoten().practices_shared(), 1);
  EXPECT_EQ(area->yokoten().adoptions_elsewhere(), 1);
  EXPECT_EQ(area->yokoten().open_tasks(), 0);

  auto april = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 4, 1);
  ASSERT_TRUE(april.ok());
  EXPECT_EQ(april->yokoten().adoptions_elsewhere(), 1);  // t5
}

TEST_F(SectionsTest, SitesCountsComeFromRedisUntilAnEventChangesThatSite) {
  ASSERT_NO_FATAL_FAILURE(OneIdeaAtLyon());
  const pb::GetScorecardRequest r = MarchOfTheOrganization();
  auto ask = [&] { return cached_->GetScorecard(viewer_, r); };

  auto first = ask();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->daily_kaizen().ideas_submitted(), 1);
  EXPECT_EQ(SiteCounts("database"), 2);  // Lyon and Pune, counted once
  EXPECT_EQ(SiteCounts("cache"), 0);
  auto again = ask();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(SiteCounts("database"), 2);
  EXPECT_EQ(SiteCounts("cache"), 2);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*first, *again));

  // An idea at Pune: only Pune is counted again, and the answer has it at once.
  ASSERT_TRUE(Apply<daily::IdeaSubmitted>(Idea("i2", Pune(), Utc(2026, 3, 3), {"raj"}), 1).ok());
  auto after = ask();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->daily_kaizen().ideas_submitted(), 2);
  EXPECT_EQ(SiteCounts("database"), 3);
  EXPECT_EQ(SiteCounts("cache"), 3);

  // An idea at Lyon submitted by Pune's raj changes Pune's participation too: both sites
  // are counted again.
  ASSERT_TRUE(Apply<daily::IdeaSubmitted>(Idea("i3", Lyon(), Utc(2026, 3, 4), {"raj"}), 1).ok());
  auto shared = ask();
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(SiteCounts("database"), 5);
  auto pune = scorecards_->GetScorecard(viewer_, [&] {
    pb::GetScorecardRequest p = r;
    p.set_name(Pune() + "/scorecard");
    return p;
  }());
  ASSERT_TRUE(pune.ok());
  EXPECT_EQ(pune->daily_kaizen().participation_rate().numerator(), 1);

  // A target profile changes what every site reads: everything is counted again.
  Profile("tm", dir::TEAM_MEMBER, {{"c1", 2}});
  ASSERT_TRUE(ask().ok());
  EXPECT_EQ(SiteCounts("database"), 7);

  // Redis down: every answer from the database, still right.
  redis_.Stop();
  ASSERT_TRUE(Apply<daily::IdeaSubmitted>(Idea("i4", Pune(), Utc(2026, 3, 5), {"raj"}), 1).ok());
  auto down = ask();
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_EQ(down->daily_kaizen().ideas_submitted(), 4);
  EXPECT_EQ(SiteCounts("database"), 9);
  EXPECT_EQ(SiteCounts("cache"), 3);
}

TEST_F(SectionsTest, WholeAnswersComeFromMemoryThenRedisAndChangeWithEveryEvent) {
  ASSERT_NO_FATAL_FAILURE(OneIdeaAtLyon());
  const pb::GetScorecardRequest r = MarchOfTheOrganization();

  auto first = answered_->GetScorecard(viewer_, r);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->daily_kaizen().ideas_submitted(), 1);
  EXPECT_EQ(Answers("computed"), 1);
  EXPECT_EQ(SiteCounts("database"), 2);
  auto again = answered_->GetScorecard(viewer_, r);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Answers("memory"), 1);
  EXPECT_EQ(SiteCounts("database") + SiteCounts("cache"), 2);  // no site read again
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*first, *again));

  // Another replica (its own memory, the same Redis) finds it in Redis.
  AnswerCache other_answers(redis_cache_.get(), absl::Hours(1), 64, &registry_);
  Scorecards other(
      *db_, clock_, "kpo-reporting", [] { return 0; }, counts_.get(), &other_answers);
  auto elsewhere = other.GetScorecard(viewer_, r);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(Answers("redis"), 1);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*first, *elsewhere));

  // An idea at Pune: the answer is computed again at once, in both replicas.
  ASSERT_TRUE(Apply<daily::IdeaSubmitted>(Idea("i2", Pune(), Utc(2026, 3, 3), {"raj"}), 1).ok());
  auto after = answered_->GetScorecard(viewer_, r);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->daily_kaizen().ideas_submitted(), 2);
  EXPECT_EQ(Answers("computed"), 2);
  auto after_elsewhere = other.GetScorecard(viewer_, r);
  ASSERT_TRUE(after_elsewhere.ok());
  EXPECT_EQ(after_elsewhere->daily_kaizen().ideas_submitted(), 2);

  // A site's scorecard is an answer of its own, and moves with its organization's events.
  pb::GetScorecardRequest pune = r;
  pune.set_name(Pune() + "/scorecard");
  auto pune_before = answered_->GetScorecard(viewer_, pune);
  ASSERT_TRUE(pune_before.ok());
  EXPECT_EQ(pune_before->daily_kaizen().ideas_submitted(), 1);
  ASSERT_TRUE(Apply<daily::IdeaSubmitted>(Idea("i3", Pune(), Utc(2026, 3, 4), {"raj"}), 1).ok());
  auto pune_after = answered_->GetScorecard(viewer_, pune);
  ASSERT_TRUE(pune_after.ok());
  EXPECT_EQ(pune_after->daily_kaizen().ideas_submitted(), 2);

  // Redis down: answers from memory and, once something changed, from the database.
  redis_.Stop();
  auto down = answered_->GetScorecard(viewer_, r);
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_EQ(down->daily_kaizen().ideas_submitted(), 3);
  ASSERT_TRUE(Apply<daily::IdeaSubmitted>(Idea("i4", Lyon(), Utc(2026, 3, 5), {"ana"}), 1).ok());
  auto down_after = answered_->GetScorecard(viewer_, r);
  ASSERT_TRUE(down_after.ok()) << down_after.status();
  EXPECT_EQ(down_after->daily_kaizen().ideas_submitted(), 4);
}

// The freshness kept while positions are unchanged is what reading them gives, and a
// position that moves (in any partition) is read again at once.
TEST_F(SectionsTest, FreshnessIsReadAgainOnceAnyPositionMoves) {
  auto position = [&](const std::string& topic, int partition, int64_t offset) {
    ASSERT_TRUE(db_->Write([&](kpo::storage::Transaction& tx) {
                     return tx
                         .Exec(
                             "INSERT INTO consumer_positions (consumer, topic, kafka_partition, "
                             "last_offset, event_time_us, applied_at_us) VALUES ('kpo-reporting', "
                             "?, ?, ?, ?, ?) ON CONFLICT (consumer, topic, kafka_partition) DO "
                             "UPDATE SET last_offset = excluded.last_offset, event_time_us = "
                             "excluded.event_time_us",
                             {topic, int64_t{partition}, offset, offset * 1000000, offset})
                         .status();
                   })
                    .ok());
  };
  FreshnessCache cache;
  auto compare = [&]() -> pb::Freshness {
    pb::Freshness cached;
    pb::Freshness read;
    EXPECT_TRUE(db_->Read([&](kpo::storage::Transaction& tx) -> absl::Status {
                     if (auto s = cache.Read(
                             tx, "kpo-reporting", [] { return 7; }, cached);
                         !s.ok()) {
                       return s;
                     }
                     return ReadFreshness(
                         tx, "kpo-reporting", [] { return 7; }, read);
                   })
                    .ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(cached, read))
        << cached.DebugString() << "\nread:\n"
        << read.DebugString();
    return read;
  };
  position("kpo.daily.v1", 0, 10);
  position("kpo.daily.v1", 1, 20);
  EXPECT_EQ(compare().positions_size(), 2);
  EXPECT_EQ(compare().complete_through().seconds(), 10);
  position("kpo.daily.v1", 0, 15);  // one partition moves
  EXPECT_EQ(compare().complete_through().seconds(), 15);
  position("kpo.kaizen.v1", 3, 1);  // a partition delivers its first record
  const pb::Freshness now = compare();
  EXPECT_EQ(now.positions_size(), 3);
  EXPECT_EQ(now.complete_through().seconds(), 1);
  EXPECT_EQ(now.pending_records(), 7);
}

TEST(AnswerCacheTest, KeepsTheMostRecentlyUsedAnswersInMemory) {
  AnswerCache cache(nullptr, absl::Hours(1), 2, nullptr);
  cache.Put("a", "1", false);
  cache.Put("b", "2", false);
  EXPECT_EQ(cache.Get("a"), "1");  // a is now the most recent
  cache.Put("c", "3", false);      // b goes
  EXPECT_EQ(cache.Get("a"), "1");
  EXPECT_EQ(cache.Get("b"), std::nullopt);
  EXPECT_EQ(cache.Get("c"), "3");
  AnswerCache none(nullptr, absl::Hours(1), 0, nullptr);
  none.Put("a", "1", false);
  EXPECT_EQ(none.Get("a"), std::nullopt);
}

TEST(AnswerCacheTest, APeriodIsOverOnceItIsOverInTheLastTimeZone) {
  const domain::CivilPeriod march{domain::Granularity::kMonth, absl::CivilDay(2026, 3, 1),
                                  absl::CivilDay(2026, 3, 31)};
  // March ends at UTC-12 on April 1st, 12:00 UTC; until then the key moves every minute.
  const absl::Time end =
      absl::FromCivil(absl::CivilSecond(2026, 4, 1, 12, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(AnswerCache::AsOfTag(march, end), "end");
  EXPECT_EQ(AnswerCache::AsOfTag(march, end + absl::Hours(24 * 365)), "end");
  const std::string before = AnswerCache::AsOfTag(march, end - absl::Seconds(1));
  EXPECT_EQ(before, absl::StrCat(absl::ToUnixSeconds(end - absl::Seconds(1)) / 60));
  EXPECT_NE(AnswerCache::AsOfTag(march, end - absl::Minutes(2)), before);
  // Keys name the organization (its Redis hash slot), the generation and the counter.
  EXPECT_NE(AnswerCache::Key("acme", 0, 7, "q"), AnswerCache::Key("acme", 1, 7, "q"));
  EXPECT_NE(AnswerCache::Key("acme", 0, 7, "q"), AnswerCache::Key("acme", 0, 8, "q"));
  EXPECT_NE(AnswerCache::Key("acme", 0, 7, "q"), AnswerCache::Key("beta", 0, 7, "q"));
}

}  // namespace
}  // namespace kpo::reporting::testing
