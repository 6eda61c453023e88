// The scorecard over real SQLite projections, fed the events the other services
// publish: every daily-kaizen figure of a month at a site, an area and the
// organization, periods read in each site's time zone, late, redelivered and reordered
// events, trends, tenancy and bad input.
#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_split.h"
#include "fixture.h"
#include "gmock/gmock.h"
#include "kpo/core/date.h"

namespace kpo::reporting::testing {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kDay = 86400;

class ScorecardsTest : public ReportingFixture {
 protected:
  // The month of March 2026 (see each figure's expectation for why).
  void LoadMarch(bool implement_i7 = true) {
    Person("ana", Lyon(), Utc(2026, 1, 1), Lyon() + "/areas/press");
    Person("bo", Lyon(), Utc(2026, 1, 1));
    Person("cy", Lyon(), Utc(2026, 3, 20));
    dir::Person dee = Person("dee", Lyon(), Utc(2026, 1, 1));
    dee.set_state(dir::INACTIVE);
    *dee.mutable_update_time() = At(Utc(2026, 3, 10));
    ASSERT_TRUE(Apply<dir::PersonDeactivated>(dee, 2).ok());
    Person("raj", Pune(), Utc(2026, 1, 1));
    Person("sam", Pune(), Utc(2026, 1, 1));

    // Submitted, accepted and implemented in March, in 3 days, at the press area.
    const auto i1 = Idea("i1", Lyon(), Utc(2026, 3, 2, 8), {"ana"}, Lyon() + "/areas/press");
    Submit(i1);
    ASSERT_TRUE(Apply<daily::IdeaAccepted>(Accepted(i1, Utc(2026, 3, 3)), 2).ok());
    ASSERT_TRUE(Apply<daily::IdeaImplemented>(
                    Implemented(Accepted(i1, Utc(2026, 3, 3)), Utc(2026, 3, 5, 8)), 3)
                    .ok());
    // Submitted by two people and rejected in March.
    const auto i2 = Idea("i2", Lyon(), Utc(2026, 3, 10), {"bo", "ana"});
    Submit(i2);
    ASSERT_TRUE(Apply<daily::IdeaRejected>(Rejected(i2, Utc(2026, 3, 12)), 2).ok());
    // 22:30 UTC on 31 March is 00:30 on 1 April in Paris: April's at Lyon.
    Submit(Idea("i3", Lyon(), Utc(2026, 3, 31, 22, 30), {"bo"}));
    // 20:00 UTC on 31 March is 01:30 on 1 April in Pune: April's at Pune.
    Submit(Idea("i4", Pune(), Utc(2026, 3, 31, 20), {"raj"}));
    // Waiting for review since 15 March.
    Submit(Idea("i5", Pune(), Utc(2026, 3, 15), {"raj"}));
    // Submitted and withdrawn in March: counts as submitted, not in the rate.
    const auto i6 = Idea("i6", Lyon(), Utc(2026, 3, 25), {"cy"});
    Submit(i6);
    ASSERT_TRUE(Apply<daily::IdeaWithdrawn>(Withdrawn(i6, Utc(2026, 3, 26)), 2).ok());
    // Submitted in January, implemented on 20 March: 69 days.
    const auto i7 = Idea("i7", Lyon(), Utc(2026, 1, 10), {"ana"});
    Submit(i7);
    if (implement_i7) ImplementI7();
    // Submitted in December, accepted in February, still in progress.
    const auto i8 = Idea("i8", Lyon(), Utc(2025, 12, 1), {"bo"});
    Submit(i8);
    ASSERT_TRUE(Apply<daily::IdeaAccepted>(Accepted(i8, Utc(2026, 2, 1)), 2).ok());
  }

  void ImplementI7() {
    const auto i7 = Idea("i7", Lyon(), Utc(2026, 1, 10), {"ana"});
    ASSERT_TRUE(Apply<daily::IdeaImplemented>(Implemented(i7, Utc(2026, 3, 20)), 2).ok());
  }

  void Submit(const daily::Idea& idea) { ASSERT_TRUE(Apply<daily::IdeaSubmitted>(idea, 1).ok()); }

  pb::DailyKaizenFigures March(const std::string& scope) {
    auto card = Card(scope, pb::GRANULARITY_MONTH, 2026, 3, 17);
    EXPECT_TRUE(card.ok()) << card.status();
    if (!card.ok()) return {};
    EXPECT_EQ(card->period().start_date().day(), 1);
    EXPECT_EQ(card->period().end_date().day(), 31);
    return card->daily_kaizen();
  }
};

TEST_F(ScorecardsTest, ASitesMonthCountsItsIdeasAndPeopleInItsOwnTimeZone) {
  LoadMarch();
  const auto lyon = March(Lyon());
  EXPECT_EQ(lyon.ideas_submitted(), 3);  // i1, i2, i6 (i3 is April's in Paris)
  EXPECT_EQ(lyon.headcount(), 3);        // ana, bo, cy (dee left on 10 March)
  EXPECT_DOUBLE_EQ(lyon.ideas_per_person().value(), 1.0);
  EXPECT_EQ(lyon.participation_rate().numerator(), 3);     // ana, bo and cy submitted
  EXPECT_EQ(lyon.implementation_rate().numerator(), 1);    // i1
  EXPECT_EQ(lyon.implementation_rate().denominator(), 2);  // i1, i2 (i6 withdrawn)
  EXPECT_EQ(lyon.ideas_implemented(), 2);                  // i1 and i7
  EXPECT_EQ(lyon.median_time_to_implement().seconds(), (3 + 69) * kDay / 2);
  EXPECT_EQ(lyon.ideas_rejected(), 1);
  EXPECT_EQ(lyon.open_ideas().total(), 1);  // i8, open 121 days at the end of March
  EXPECT_EQ(lyon.open_ideas().from_90_to_179_days(), 1);
  EXPECT_EQ(lyon.review_backlog(), 0);  // i8 was reviewed

  const auto pune = March(Pune());
  EXPECT_EQ(pune.ideas_submitted(), 1);  // i5 (i4 is April's in Pune)
  EXPECT_EQ(pune.headcount(), 2);
  EXPECT_EQ(pune.participation_rate().numerator(), 1);
  EXPECT_DOUBLE_EQ(pune.implementation_rate().value(), 0.0);
  EXPECT_FALSE(pune.has_median_time_to_implement());
  EXPECT_EQ(pune.open_ideas().under_30_days(), 1);
  EXPECT_EQ(pune.review_backlog(), 1);

  // April: the ideas submitted just after each site's midnight.
  auto april = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 4, 1);
  ASSERT_TRUE(april.ok());
  EXPECT_EQ(april->daily_kaizen().ideas_submitted(), 1);
  april = Card(Pune(), pb::GRANULARITY_MONTH, 2026, 4, 30);
  ASSERT_TRUE(april.ok());
  EXPECT_EQ(april->daily_kaizen().ideas_submitted(), 1);
}

TEST_F(ScorecardsTest, TheOrganizationAddsItsSitesUpAndAnAreaCountsItsOwn) {
  LoadMarch();
  const auto org = March(kOrg);
  EXPECT_EQ(org.ideas_submitted(), 4);
  EXPECT_EQ(org.headcount(), 5);
  EXPECT_EQ(org.participation_rate().numerator(), 4);
  EXPECT_EQ(org.implementation_rate().numerator(), 1);
  EXPECT_EQ(org.implementation_rate().denominator(), 3);
  EXPECT_EQ(org.ideas_implemented(), 2);
  EXPECT_EQ(org.median_time_to_implement().seconds(), 36 * kDay);
  EXPECT_EQ(org.open_ideas().total(), 2);
  EXPECT_EQ(org.review_backlog(), 1);

  const auto press = March(Lyon() + "/areas/press");
  EXPECT_EQ(press.ideas_submitted(), 1);  // i1
  EXPECT_EQ(press.headcount(), 1);        // ana
  EXPECT_DOUBLE_EQ(press.participation_rate().value(), 1.0);
  EXPECT_DOUBLE_EQ(press.implementation_rate().value(), 1.0);
  EXPECT_EQ(press.median_time_to_implement().seconds(), 3 * kDay);
}

TEST_F(ScorecardsTest, AnEmptyPeriodHasCountsOfZeroAndNoRates) {
  LoadMarch();
  auto card = Card(Lyon(), pb::GRANULARITY_WEEK, 2024, 6, 12);
  ASSERT_TRUE(card.ok()) << card.status();
  const auto& f = card->daily_kaizen();
  EXPECT_EQ(f.ideas_submitted(), 0);
  EXPECT_EQ(f.headcount(), 0);
  EXPECT_FALSE(f.ideas_per_person().has_value());
  EXPECT_FALSE(f.participation_rate().has_value());
  EXPECT_FALSE(f.implementation_rate().has_value());
  EXPECT_FALSE(f.has_median_time_to_implement());
  EXPECT_EQ(card->period().start_date().day(), 10);  // Monday 10 June 2024
  EXPECT_EQ(card->period().end_date().day(), 16);
}

TEST_F(ScorecardsTest, APeriodNotOverYetReadsItsStatesNow) {
  Person("ana", Lyon(), Utc(2026, 1, 1));
  Submit(Idea("fresh", Lyon(), Utc(2026, 11, 1), {"ana"}));
  // Now is 23 November: the idea has been open 22 days (at the end of the year it would
  // be 60).
  auto year = Card(Lyon(), pb::GRANULARITY_YEAR, 2026, 6, 1);
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->daily_kaizen().open_ideas().under_30_days(), 1);
  EXPECT_EQ(year->daily_kaizen().review_backlog(), 1);
  // A person who joins on 1 December is not counted yet.
  Person("bo", Lyon(), Utc(2026, 12, 1));
  year = Card(Lyon(), pb::GRANULARITY_YEAR, 2026, 6, 1);
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->daily_kaizen().headcount(), 1);
}

TEST_F(ScorecardsTest, ALateEventChangesThePeriodItBelongsTo) {
  LoadMarch(/*implement_i7=*/false);
  const auto before = March(Lyon());
  EXPECT_EQ(before.ideas_implemented(), 1);
  const auto january = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 1, 1);
  ASSERT_TRUE(january.ok());
  EXPECT_EQ(january->daily_kaizen().implementation_rate().numerator(), 0);
  ImplementI7();  // arrives in November, happened on 20 March
  const auto after = March(Lyon());
  EXPECT_EQ(after.ideas_implemented(), 2);
  EXPECT_EQ(after.median_time_to_implement().seconds(), (3 + 69) * kDay / 2);
  // January's cohort: i7, now implemented.
  const auto january_now = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 1, 1);
  ASSERT_TRUE(january_now.ok());
  EXPECT_EQ(january_now->daily_kaizen().implementation_rate().numerator(), 1);
}

TEST_F(ScorecardsTest, RedeliveredAndReorderedEventsChangeNothing) {
  LoadMarch();
  const auto once = Card(kOrg, pb::GRANULARITY_QUARTER, 2026, 2, 1);
  ASSERT_TRUE(once.ok());
  // Every idea event again, oldest revision last: nothing moves back.
  const auto i1 = Idea("i1", Lyon(), Utc(2026, 3, 2, 8), {"ana"}, Lyon() + "/areas/press");
  ASSERT_TRUE(Apply<daily::IdeaImplemented>(
                  Implemented(Accepted(i1, Utc(2026, 3, 3)), Utc(2026, 3, 5, 8)), 3)
                  .ok());
  ASSERT_TRUE(Apply<daily::IdeaAccepted>(Accepted(i1, Utc(2026, 3, 3)), 2).ok());
  Submit(i1);
  Submit(Idea("i2", Lyon(), Utc(2026, 3, 10), {"bo", "ana"}));
  dir::Person dee;
  dee.set_name(P("dee"));
  dee.set_home_site(Lyon());
  dee.set_state(dir::ACTIVE);
  *dee.mutable_create_time() = At(Utc(2026, 1, 1));
  ASSERT_TRUE(Apply<dir::PersonCreated>(dee, 1).ok());  // older than the deactivation
  const auto again = Card(kOrg, pb::GRANULARITY_QUARTER, 2026, 2, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->daily_kaizen().SerializeAsString(), once->daily_kaizen().SerializeAsString());

  // An idea whose implementation arrives before its submission ends up implemented.
  const auto late = Idea("late", Pune(), Utc(2026, 3, 3), {"sam"});
  ASSERT_TRUE(Apply<daily::IdeaImplemented>(Implemented(late, Utc(2026, 3, 4)), 3).ok());
  Submit(late);
  const auto pune = March(Pune());
  EXPECT_EQ(pune.ideas_implemented(), 1);
  EXPECT_EQ(pune.participation_rate().numerator(), 2);  // raj and sam
}

class KaizenScorecardTest : public ReportingFixture {
 protected:
  // Moves event `id` to `state` at `at` (one lifecycle event), revision by revision.
  template <class Event>
  void Move(kaizen::KaizenEvent& e, kaizen::EventState state, absl::Time at) {
    e.set_state(state);
    ASSERT_TRUE(ApplyAt<Event>(e, ++revisions_[e.name()], at).ok());
  }
  kaizen::KaizenEvent Proposed(const std::string& id, absl::Time at, const std::string& area = "") {
    kaizen::KaizenEvent e;
    e.set_name(std::string(kOrg) + "/kaizenEvents/" + id);
    e.set_site(Lyon());
    e.set_area(area);
    *e.mutable_create_time() = At(at);
    Move<kaizen::KaizenEventProposed>(e, kaizen::PROPOSED, at);
    return e;
  }
  // Chartered (facilitated by `kind`), started, completed on `day`, in follow-up the next
  // day.
  void Complete(kaizen::KaizenEvent& e, kaizen::FacilitatorKind kind, absl::CivilDay day) {
    const absl::Time at = Utc(static_cast<int>(day.year()), day.month(), day.day(), 12);
    e.set_facilitator_kind(kind);
    Move<kaizen::KaizenEventChartered>(e, kaizen::CHARTERED, at - absl::Hours(72));
    Move<kaizen::KaizenEventStarted>(e, kaizen::IN_PROGRESS, at - absl::Hours(48));
    *e.mutable_completion_date() = kpo::core::FromCivil(day);
    Move<kaizen::KaizenEventCompleted>(e, kaizen::COMPLETED, at);
    Move<kaizen::KaizenEventFollowUpStarted>(e, kaizen::FOLLOW_UP, at + absl::Hours(24));
  }
  void Item(const std::string& id, const kaizen::KaizenEvent& e, absl::CivilDay due,
            kaizen::ActionItemStatus status = kaizen::OPEN, absl::Time changed = {}) {
    kaizen::ActionItem item;
    item.set_name(e.name() + "/actionItems/" + id);
    item.set_site(Lyon());
    *item.mutable_due_date() = kpo::core::FromCivil(due);
    item.set_status(kaizen::OPEN);
    ASSERT_TRUE(ApplyAt<kaizen::ActionItemCreated>(item, 1, Utc(2026, 3, 1)).ok());
    if (status == kaizen::OPEN) return;
    item.set_status(status);
    ASSERT_TRUE(ApplyAt<kaizen::ActionItemUpdated>(item, 2, changed).ok());
  }
  std::map<std::string, int64_t> revisions_;
};

TEST_F(KaizenScorecardTest, AMonthOfKaizenEventsAtASiteAndAnArea) {
  auto k1 = Proposed("k1", Utc(2026, 2, 10), Lyon() + "/areas/press");
  Complete(k1, kaizen::LINE, absl::CivilDay(2026, 3, 5));
  Move<kaizen::KaizenEventSustained>(k1, kaizen::SUSTAINED, Utc(2026, 3, 20));
  auto k2 = Proposed("k2", Utc(2026, 3, 2));
  Complete(k2, kaizen::KPO, absl::CivilDay(2026, 3, 10));
  Move<kaizen::KaizenEventBackslid>(k2, kaizen::BACKSLID, Utc(2026, 3, 25));
  Move<kaizen::KaizenEventFollowUpStarted>(k2, kaizen::FOLLOW_UP, Utc(2026, 4, 2));
  Proposed("k3", Utc(2026, 3, 15));
  auto k4 = Proposed("k4", Utc(2026, 2, 20));
  Complete(k4, kaizen::LINE, absl::CivilDay(2026, 3, 30));
  Item("a1", k1, absl::CivilDay(2026, 3, 15), kaizen::DONE, Utc(2026, 3, 14));
  Item("a2", k2, absl::CivilDay(2026, 3, 20));
  Item("a3", k2, absl::CivilDay(2026, 3, 25), kaizen::DROPPED, Utc(2026, 3, 24));
  Item("a4", k2, absl::CivilDay(2026, 4, 10));
  Item("a5", k4, absl::CivilDay(2026, 3, 28), kaizen::DONE, Utc(2026, 4, 3));

  auto card = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(card.ok()) << card.status();
  const auto& f = card->kaizen_events();
  EXPECT_EQ(f.events_proposed(), 2);      // k2, k3
  EXPECT_EQ(f.events_completed(), 3);     // k1, k2, k4
  EXPECT_EQ(f.events_in_follow_up(), 1);  // k4 (k1 sustained, k2 backslid then)
  EXPECT_EQ(f.events_sustained(), 1);
  EXPECT_EQ(f.events_backslid(), 1);
  EXPECT_DOUBLE_EQ(f.sustainment_rate().value(), 0.5);
  EXPECT_EQ(f.action_items_due(), 3);      // a1, a2, a5 (a3 dropped, a4 April's)
  EXPECT_EQ(f.action_items_done(), 2);     // a1, a5 (done in April: the cohort counts it)
  EXPECT_EQ(f.action_items_overdue(), 2);  // a2 open, a5 done only after the month
  EXPECT_EQ(f.line_facilitation_share().numerator(), 2);
  EXPECT_EQ(f.line_facilitation_share().denominator(), 3);

  // April: k2 back in follow-up; nothing completed, so no facilitation share.
  auto april = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 4, 1);
  ASSERT_TRUE(april.ok());
  EXPECT_EQ(april->kaizen_events().events_in_follow_up(), 2);  // k2, k4
  EXPECT_FALSE(april->kaizen_events().line_facilitation_share().has_value());
  EXPECT_FALSE(april->kaizen_events().sustainment_rate().has_value());

  // The press area: k1 and its action item only.
  auto press = Card(Lyon() + "/areas/press", pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(press.ok());
  EXPECT_EQ(press->kaizen_events().events_completed(), 1);
  EXPECT_EQ(press->kaizen_events().events_sustained(), 1);
  EXPECT_EQ(press->kaizen_events().events_backslid(), 0);
  EXPECT_EQ(press->kaizen_events().action_items_due(), 1);
  EXPECT_EQ(press->kaizen_events().action_items_overdue(), 0);
}

TEST_F(KaizenScorecardTest, TransitionsArrivingInAnyOrderGiveTheSameFigures) {
  // k1's lifecycle delivered newest first: the follow-up count at the end of March and
  // the outcome in March are the same as in order.
  kaizen::KaizenEvent e;
  e.set_name(std::string(kOrg) + "/kaizenEvents/k1");
  e.set_site(Lyon());
  *e.mutable_create_time() = At(Utc(2026, 3, 1));
  *e.mutable_completion_date() = kpo::core::FromCivil(absl::CivilDay(2026, 3, 5));
  e.set_facilitator_kind(kaizen::LINE);
  e.set_state(kaizen::SUSTAINED);
  ASSERT_TRUE(ApplyAt<kaizen::KaizenEventSustained>(e, 4, Utc(2026, 4, 20)).ok());
  e.set_state(kaizen::FOLLOW_UP);
  ASSERT_TRUE(ApplyAt<kaizen::KaizenEventFollowUpStarted>(e, 3, Utc(2026, 3, 6)).ok());
  e.set_state(kaizen::COMPLETED);
  ASSERT_TRUE(ApplyAt<kaizen::KaizenEventCompleted>(e, 2, Utc(2026, 3, 5)).ok());
  ASSERT_TRUE(ApplyAt<kaizen::KaizenEventCompleted>(e, 2, Utc(2026, 3, 5)).ok());  // again
  e.set_state(kaizen::PROPOSED);
  ASSERT_TRUE(ApplyAt<kaizen::KaizenEventProposed>(e, 1, Utc(2026, 3, 1)).ok());
  auto march = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(march.ok());
  EXPECT_EQ(march->kaizen_events().events_in_follow_up(), 1);
  EXPECT_EQ(march->kaizen_events().events_completed(), 1);
  EXPECT_EQ(march->kaizen_events().events_proposed(), 1);
  auto april = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 4, 1);
  ASSERT_TRUE(april.ok());
  EXPECT_EQ(april->kaizen_events().events_sustained(), 1);
  EXPECT_EQ(april->kaizen_events().events_in_follow_up(), 0);
}

TEST_F(ScorecardsTest, AMonthOfCoachingAgainstTheExpectedCadence) {
  Person("ana", Lyon(), Utc(2026, 1, 1), Lyon() + "/areas/press");
  Person("bo", Lyon(), Utc(2026, 1, 1));
  Person("kim", Lyon(), Utc(2026, 1, 1));
  Person("cy", Lyon(), Utc(2026, 1, 1));
  Person("dee", Lyon(), Utc(2026, 1, 1));
  for (auto [id, coach, learner, per_week] :
       {std::tuple{"r1", "bo", "ana", 3}, std::tuple{"r2", "kim", "cy", 2},
        std::tuple{"r3", "bo", "dee", 1}}) {
    dir::CoachingRelationship r;
    r.set_name(std::string(kOrg) + "/coachingRelationships/" + id);
    r.set_coach(P(coach));
    r.set_learner(P(learner));
    r.mutable_cadence()->set_sessions_per_week(per_week);
    r.set_state(dir::ACTIVE);
    ASSERT_TRUE(Apply<dir::CoachingRelationshipCreated>(r, 1).ok());
  }
  int n = 0;
  auto cycle = [&](const char* learner, const char* coach, daily::CoachKind kind, int day,
                   const std::string& area = "", const char* second = "") {
    daily::CoachingCycle c;
    c.set_name(std::string(kOrg) + "/storyboards/s/coachingCycles/c" + std::to_string(++n));
    c.set_site(Lyon());
    c.set_area(area);
    c.set_learner(P(learner));
    c.set_coach(P(coach));
    if (*second != '\0') c.set_second_coach(P(second));
    c.set_coach_kind(kind);
    *c.mutable_date() = kpo::core::FromCivil(absl::CivilDay(2026, 3, day));
    ASSERT_TRUE(Apply<daily::CoachingCycleRecorded>(c, 1).ok());
    ASSERT_TRUE(Apply<daily::CoachingCycleRecorded>(c, 1).ok());  // redelivered
  };
  const std::string press = Lyon() + "/areas/press";
  cycle("ana", "bo", daily::COACH_KIND_LINE, 2, press);
  cycle("ana", "bo", daily::COACH_KIND_LINE, 9, press);
  cycle("ana", "bo", daily::COACH_KIND_LINE, 16, press, "kim");
  cycle("ana", "bo", daily::COACH_KIND_LINE, 30, press);
  cycle("cy", "kim", daily::COACH_KIND_KPO, 10);

  auto card = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(card.ok()) << card.status();
  const auto& f = card->coaching();
  EXPECT_EQ(f.coaching_cycles(), 5);
  EXPECT_EQ(f.active_learners(), 2);
  EXPECT_DOUBLE_EQ(f.cycles_per_learner_per_week(), 5.0 / 2.0 / (31.0 / 7.0));
  EXPECT_DOUBLE_EQ(f.expected_cycles_per_week(), 2.0);  // (3 + 2 + 1) / 3
  EXPECT_EQ(f.learners_without_recent_cycle(), 2);      // cy (10 March) and dee (never)
  EXPECT_EQ(f.line_coaching_share().numerator(), 4);
  EXPECT_EQ(f.line_coaching_share().denominator(), 5);
  EXPECT_EQ(f.cycles_coaching_the_coach(), 1);

  auto area = Card(press, pb::GRANULARITY_MONTH, 2026, 3, 1);
  ASSERT_TRUE(area.ok());
  EXPECT_EQ(area->coaching().coaching_cycles(), 4);
  EXPECT_DOUBLE_EQ(area->coaching().expected_cycles_per_week(), 3.0);
  EXPECT_EQ(area->coaching().learners_without_recent_cycle(), 0);

  // February: no cycles, no rates; at its end nobody had a recent cycle.
  auto february = Card(Lyon(), pb::GRANULARITY_MONTH, 2026, 2, 1);
  ASSERT_TRUE(february.ok());
  EXPECT_FALSE(february->coaching().has_cycles_per_learner_per_week());
  EXPECT_FALSE(february->coaching().line_coaching_share().has_value());
  EXPECT_EQ(february->coaching().learners_without_recent_cycle(), 3);
}

TEST_F(ScorecardsTest, ATrendIsConsecutivePeriodsOldestFirst) {
  LoadMarch();
  pb::QueryScorecardTrendRequest r;
  r.set_name(Lyon() + "/scorecard");
  r.mutable_period()->set_granularity(pb::GRANULARITY_MONTH);
  r.mutable_period()->mutable_start_date()->set_year(2026);
  r.mutable_period()->mutable_start_date()->set_month(4);
  r.mutable_period()->mutable_start_date()->set_day(9);
  r.set_periods(5);
  auto trend = scorecards_->QueryScorecardTrend(viewer_, r);
  ASSERT_TRUE(trend.ok()) << trend.status();
  ASSERT_EQ(trend->scorecards_size(), 5);
  std::vector<int64_t> submitted;
  for (const auto& card : trend->scorecards()) {
    submitted.push_back(card.daily_kaizen().ideas_submitted());
    EXPECT_FALSE(card.has_freshness());
  }
  // December (i8), January (i7), February, March (i1, i2, i6), April (i3).
  EXPECT_THAT(submitted, ElementsAre(1, 1, 0, 3, 1));
  EXPECT_EQ(trend->scorecards(0).period().start_date().month(), 12);
  EXPECT_EQ(trend->scorecards(0).period().start_date().year(), 2025);
  EXPECT_TRUE(trend->has_freshness());
  // The default is twelve periods ending with the current one (November 2026 in Lyon).
  r.set_periods(0);
  r.mutable_period()->clear_start_date();
  trend = scorecards_->QueryScorecardTrend(viewer_, r);
  ASSERT_TRUE(trend.ok());
  ASSERT_EQ(trend->scorecards_size(), 12);
  EXPECT_EQ(trend->scorecards(11).period().start_date().month(), 11);
  EXPECT_EQ(trend->scorecards(0).period().start_date().month(), 12);
}

TEST_F(ScorecardsTest, BadInputNamesEveryFieldAndUnknownScopesAreNotFound) {
  pb::GetScorecardRequest r;
  r.set_name("organizations/acme/sites/lyon");
  r.mutable_period()->mutable_start_date()->set_year(2026);
  r.mutable_period()->mutable_start_date()->set_month(2);
  r.mutable_period()->mutable_start_date()->set_day(30);
  auto card = scorecards_->GetScorecard(viewer_, r);
  EXPECT_EQ(card.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(card.status()),
              ElementsAre("name", "period.granularity", "period.start_date"));

  pb::QueryScorecardTrendRequest t;
  t.set_name(Lyon() + "/scorecard");
  t.mutable_period()->set_granularity(pb::GRANULARITY_YEAR);
  t.set_periods(121);
  EXPECT_THAT(Fields(scorecards_->QueryScorecardTrend(viewer_, t).status()),
              ElementsAre("periods"));

  auto unknown = Card(std::string(kOrg) + "/sites/nowhere", pb::GRANULARITY_MONTH, 2026, 3, 1);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  unknown = Card(Lyon() + "/areas/nowhere", pb::GRANULARITY_MONTH, 2026, 3, 1);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ScorecardsTest, AnotherOrganizationSeesNothing) {
  LoadMarch();
  const kpo::auth::Principal spy{"spy", "globex", {kpo::auth::kOrgAdmin}};
  for (const std::string& scope : {std::string(kOrg), Lyon(), Lyon() + "/areas/press"}) {
    auto card = Card(scope, pb::GRANULARITY_MONTH, 2026, 3, 1, &spy);
    EXPECT_EQ(card.status().code(), absl::StatusCode::kPermissionDenied) << scope;
  }
  // Its own organization, which reporting has never heard of, has no sites and no ideas.
  auto own = Card("organizations/globex", pb::GRANULARITY_MONTH, 2026, 3, 1, &spy);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->daily_kaizen().ideas_submitted(), 0);
  // An event claiming a resource of another organization is refused (dead-lettered).
  auto foreign = Idea("x", Lyon(), Utc(2026, 3, 2), {"ana"});
  EXPECT_EQ((Apply<daily::IdeaSubmitted>(foreign, 1, "organizations/globex").code()),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ScorecardsTest, TheCsvExportIsATidyTableStreamedAPeriodAtATime) {
  LoadMarch();
  pb::ExportScorecardsRequest r;
  r.set_name(Lyon() + "/scorecard");
  r.mutable_period()->set_granularity(pb::GRANULARITY_MONTH);
  r.mutable_period()->mutable_start_date()->set_year(2026);
  r.mutable_period()->mutable_start_date()->set_month(4);
  r.mutable_period()->mutable_start_date()->set_day(1);
  r.set_periods(3);
  std::vector<std::string> chunks;
  ASSERT_TRUE(scorecards_
                  ->ExportScorecards(viewer_, r,
                                     [&](std::string chunk) {
                                       chunks.push_back(std::move(chunk));
                                       return true;
                                     })
                  .ok());
  ASSERT_EQ(chunks.size(), 4u);  // the header, then a chunk per period
  EXPECT_EQ(chunks[0],
            "scope,granularity,period_start,period_end,figure,value,numerator,denominator,"
            "currency,complete_through\r\n");
  const std::string march = Lyon() + "/scorecard,month,2026-03-01,2026-03-31,";
  EXPECT_NE(chunks[2].find(march + "daily_kaizen.ideas_submitted,3,,,,\r\n"), std::string::npos)
      << chunks[2];
  // A ratio: its value and both parts; over nothing: no value, its parts 0.
  EXPECT_NE(chunks[2].find(march + "daily_kaizen.participation_rate,"), std::string::npos);
  EXPECT_NE(chunks[1].find("2026-02-28,daily_kaizen.implementation_rate,,0,0,,"), std::string::npos)
      << chunks[1];
  // Every line of a period's chunk is one figure of that period.
  for (size_t i = 1; i < chunks.size(); ++i) {
    std::vector<std::string> lines = absl::StrSplit(chunks[i], "\r\n", absl::SkipEmpty());
    EXPECT_GT(lines.size(), 50u);
    for (const std::string& line : lines) {
      EXPECT_EQ(std::count(line.begin(), line.end(), ','), 9) << line;
    }
  }

  // A client that goes away stops the export.
  int emitted = 0;
  auto stopped =
      scorecards_->ExportScorecards(viewer_, r, [&](std::string) { return ++emitted < 2; });
  EXPECT_EQ(stopped.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(emitted, 2);

  // Bad input and another organization: refused before anything is emitted.
  r.set_periods(1001);
  bool any = false;
  auto bad = scorecards_->ExportScorecards(viewer_, r, [&](std::string) { return any = true; });
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(bad), ElementsAre("periods"));
  r.set_periods(1);
  const kpo::auth::Principal spy{"spy", "globex", {kpo::auth::kOrgAdmin}};
  auto foreign = scorecards_->ExportScorecards(spy, r, [&](std::string) { return any = true; });
  EXPECT_EQ(foreign.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(any);
}

// A retired generation 0 is emptied table by table (generations.cc): the list must be
// every table the projection's migrations create.
TEST_F(ScorecardsTest, ProjectionTablesAreEveryTableOfTheMigrations) {
  std::vector<std::string> created;
  ASSERT_TRUE(db_->Read([&](kpo::storage::Transaction& tx) -> absl::Status {
                   auto rows = tx.Query(
                       db_->dialect() == kpo::storage::Dialect::kSqlite
                           ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE "
                             "'r\\_%' ESCAPE '\\' ORDER BY name"
                           : "SELECT table_name FROM information_schema.tables WHERE "
                             "table_schema = current_schema() AND table_name LIKE 'r\\_%' "
                             "ESCAPE '\\' ORDER BY table_name");
                   if (!rows.ok()) return rows.status();
                   for (const auto& row : *rows) created.push_back(row.Text(0));
                   return absl::OkStatus();
                 })
                  .ok());
  std::vector<std::string> listed = ProjectionTables();
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, created);
  EXPECT_GE(created.size(), 18u);
}

}  // namespace
}  // namespace kpo::reporting::testing
