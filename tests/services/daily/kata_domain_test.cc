// The pure rules of improvement kata: storyboard and cycle fields, obstacle ids, who
// counts as KPO staff, and the cadence arithmetic in civil days of a site, across time
// zones and daylight-saving changes.
#include "domain/kata.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/date.h"

namespace kpo::daily::domain {
namespace {

namespace pb = kpo::daily::v1;
using ::testing::ElementsAre;

std::vector<std::string> Fields(const kpo::core::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& f : kpo::core::FieldViolationsOf(v.ToStatus())) out.push_back(f.field);
  return out;
}

pb::Storyboard Good() {
  pb::Storyboard s;
  s.set_learner("organizations/acme/people/ana");
  s.set_coach("organizations/acme/people/bo");
  s.set_challenge("Ship every order within 24 hours");
  s.set_strategic_objective("lead-time");
  auto* t = s.mutable_target_condition();
  t->set_description("Cell 3 runs at 45 s per piece with one operator");
  t->set_metric("cycle time, seconds");
  *t->mutable_achieve_by() = kpo::core::FromCivil(absl::CivilDay(2026, 4, 30));
  return s;
}

absl::Time At(const char* zone_name, int y, int m, int d, int hh, int mm) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(zone_name, &zone));
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), zone);
}

absl::TimeZone Zone(const char* name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone));
  return zone;
}

TEST(StoryboardRules, AGoodStoryboardPassesAndEveryBadFieldIsNamed) {
  kpo::core::FieldViolations ok;
  ValidateStoryboard(Good(), ok);
  EXPECT_TRUE(ok.empty());

  pb::Storyboard s = Good();
  s.set_coach(s.learner());
  s.clear_challenge();
  s.clear_strategic_objective();
  s.set_area("organizations/acme/sites/pune/areas/press");
  s.set_site("organizations/acme/sites/lyon");
  s.mutable_target_condition()->clear_metric();
  s.mutable_target_condition()->mutable_achieve_by()->set_day(31);
  s.mutable_target_condition()->mutable_achieve_by()->set_month(2);
  s.add_obstacles()->set_description("Changeover takes 40 minutes");
  kpo::core::FieldViolations v;
  ValidateStoryboard(s, v);
  EXPECT_THAT(
      Fields(v),
      ElementsAre("storyboard.coach", "storyboard.challenge", "storyboard.strategic_objective",
                  "storyboard.area", "storyboard.target_condition.metric",
                  "storyboard.target_condition.achieve_by", "storyboard.obstacles[0].status"));
}

TEST(StoryboardRules, NewObstaclesGetIdsThatAreNeverReused) {
  pb::Storyboard before = Good();
  int64_t next = 1;
  for (const char* d : {"Changeover 40 min", "No standard for the fixture"}) {
    auto* o = before.add_obstacles();
    o->set_description(d);
    o->set_status(pb::OBSTACLE_STATUS_OPEN);
  }
  kpo::core::FieldViolations v;
  NumberObstacles(nullptr, before, next, v);
  EXPECT_EQ(before.obstacles(0).id(), "1");
  EXPECT_EQ(before.obstacles(1).id(), "2");
  EXPECT_EQ(next, 3);

  // Obstacle 1 removed from the lot, 2 kept, a new one added: it gets 3, not 1.
  pb::Storyboard after = before;
  after.mutable_obstacles()->DeleteSubrange(0, 1);
  after.add_obstacles()->set_description("Material arrives late");
  NumberObstacles(&before, after, next, v);
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(after.obstacles(0).id(), "2");
  EXPECT_EQ(after.obstacles(1).id(), "3");

  // Ids are the server's: an unknown one or one listed twice is refused.
  pb::Storyboard forged = before;
  forged.mutable_obstacles(0)->set_id("9");
  forged.mutable_obstacles(1)->set_id("2");
  *forged.add_obstacles() = before.obstacles(1);
  NumberObstacles(&before, forged, next, v);
  EXPECT_THAT(Fields(v), ElementsAre("storyboard.obstacles[0].id", "storyboard.obstacles[2].id"));
}

TEST(StoryboardRules, AnExperimentNamesOnlyAnObstacleOfItsStoryboard) {
  pb::Storyboard s = Good();
  s.add_obstacles()->set_id("1");
  pb::Experiment e;
  e.set_step("Pre-stage the fixture before the changeover");
  e.set_expected("Changeover under 25 minutes");
  *e.mutable_date() = kpo::core::FromCivil(absl::CivilDay(2026, 3, 2));
  e.set_obstacle("1");
  kpo::core::FieldViolations ok;
  ValidateExperiment(e, s, ok);
  EXPECT_TRUE(ok.empty());
  e.set_obstacle("2");
  e.clear_expected();
  e.clear_date();
  kpo::core::FieldViolations v;
  ValidateExperiment(e, s, v);
  EXPECT_THAT(Fields(v),
              ElementsAre("experiment.expected", "experiment.date", "experiment.obstacle"));
}

TEST(CoachingCycleRules, TheDateIsNotAfterTodayAtTheSiteAndTheFiveAnswersAreRequired) {
  pb::CoachingCycle c;
  c.set_minutes(12);
  auto* a = c.mutable_answers();
  a->set_target_condition("45 s with one operator");
  a->set_actual_condition("52 s");
  a->set_obstacles("changeover; working on the fixture");
  a->set_next_step("pre-stage the fixture");
  a->set_when_to_see("tomorrow 9:00 at the cell");
  const absl::CivilDay today(2026, 3, 2);
  *c.mutable_date() = kpo::core::FromCivil(today);
  kpo::core::FieldViolations ok;
  ValidateCoachingCycle(c, today, ok);
  EXPECT_TRUE(ok.empty());

  *c.mutable_date() = kpo::core::FromCivil(today + 1);
  c.set_minutes(0);
  c.mutable_answers()->clear_next_step();
  kpo::core::FieldViolations v;
  ValidateCoachingCycle(c, today, v);
  EXPECT_THAT(Fields(v), ElementsAre("coaching_cycle.date", "coaching_cycle.minutes",
                                     "coaching_cycle.answers.next_step"));
  *c.mutable_date() = kpo::core::FromCivil(today - (kMaxCycleAgeDays + 1));
  kpo::core::FieldViolations old;
  ValidateCoachingCycle(c, today, old);
  EXPECT_THAT(Fields(old), ::testing::Contains("coaching_cycle.date"));
}

TEST(CoachKind, KpoSpecialistsAndSenseisAreKpoEveryoneElseLine) {
  kpo::people::v1::Person p;
  p.add_roles(kpo::people::v1::TEAM_LEADER);
  EXPECT_EQ(CoachKindOf(p), pb::COACH_KIND_LINE);
  p.add_roles(kpo::people::v1::KPO_SPECIALIST);
  EXPECT_EQ(CoachKindOf(p), pb::COACH_KIND_KPO);
  kpo::people::v1::Person sensei;
  sensei.add_roles(kpo::people::v1::EXTERNAL_SENSEI);
  EXPECT_EQ(CoachKindOf(sensei), pb::COACH_KIND_KPO);
  EXPECT_EQ(CoachKindOf(kpo::people::v1::Person()), pb::COACH_KIND_LINE);
}

TEST(Cadence, DaysSinceTheLastCycleAndCyclesInTheLastFourWeeks) {
  const absl::CivilDay today(2026, 3, 2);
  Cadence none = CadenceOn(today, {});
  EXPECT_FALSE(none.last.has_value());
  EXPECT_EQ(none.days_since_last, -1);
  EXPECT_EQ(none.cycles_in_window, 0);
  EXPECT_TRUE(IsOverdue(none, 1));

  // Today, 27 days ago (still in the window), 28 days ago (out of it).
  Cadence c = CadenceOn(today, {today - 28, today - 27, today - 3});
  EXPECT_EQ(*c.last, today - 3);
  EXPECT_EQ(c.days_since_last, 3);
  EXPECT_EQ(c.cycles_in_window, 2);
  EXPECT_TRUE(IsOverdue(c, 3)) << "no cycle today or on the 2 days before";
  EXPECT_FALSE(IsOverdue(c, 4));
  EXPECT_EQ(CadenceOn(today, {today}).days_since_last, 0);
  EXPECT_FALSE(IsOverdue(CadenceOn(today, {today}), 1));
  // Across a month end and a leap day: civil arithmetic, not 24-hour periods.
  EXPECT_EQ(CadenceOn(absl::CivilDay(2028, 3, 1), {absl::CivilDay(2028, 2, 28)}).days_since_last,
            2);
}

TEST(Cadence, TodayIsTheSitesCivilDayInItsTimeZone) {
  // 23:30 UTC on 1 March is already 2 March in Pune (UTC+5:30) and still 1 March in
  // Chicago: a cycle on 1 March is 1 day old in Pune and 0 in Chicago.
  const absl::Time now =
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 23, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(Today(now, Zone("Asia/Kolkata")), absl::CivilDay(2026, 3, 2));
  EXPECT_EQ(Today(now, Zone("America/Chicago")), absl::CivilDay(2026, 3, 1));
  const absl::CivilDay cycle(2026, 3, 1);
  EXPECT_EQ(CadenceOn(Today(now, Zone("Asia/Kolkata")), {cycle}).days_since_last, 1);
  EXPECT_EQ(CadenceOn(Today(now, Zone("America/Chicago")), {cycle}).days_since_last, 0);
}

TEST(Cadence, DaylightSavingChangesDoNotShiftTheDayCount) {
  // Paris springs forward on 29 March 2026 (a 23-hour day) and falls back on 25 October
  // (a 25-hour day). A cycle at 08:00 the day before, asked at 00:30 two days later:
  // two civil days, although fewer (or more) than 48 hours passed.
  const absl::TimeZone paris = Zone("Europe/Paris");
  const absl::Time spring_now = At("Europe/Paris", 2026, 3, 30, 0, 30);
  const absl::CivilDay spring_cycle = Today(At("Europe/Paris", 2026, 3, 28, 8, 0), paris);
  EXPECT_LT(spring_now - At("Europe/Paris", 2026, 3, 28, 8, 0), absl::Hours(48));
  EXPECT_EQ(CadenceOn(Today(spring_now, paris), {spring_cycle}).days_since_last, 2);

  const absl::Time autumn_now = At("Europe/Paris", 2026, 10, 26, 23, 30);
  const absl::CivilDay autumn_cycle(2026, 10, 25);
  EXPECT_EQ(CadenceOn(Today(autumn_now, paris), {autumn_cycle}).days_since_last, 1);
  // In New York the clocks change on other dates (8 March, 1 November): the same
  // instant is another civil day there.
  EXPECT_EQ(Today(At("Europe/Paris", 2026, 3, 30, 0, 30), Zone("America/New_York")),
            absl::CivilDay(2026, 3, 29));
}

TEST(StoryboardStateName, DropsThePrefix) {
  EXPECT_EQ(StoryboardStateName(pb::STORYBOARD_STATE_ACTIVE), "ACTIVE");
  EXPECT_EQ(StoryboardStateName(pb::STORYBOARD_STATE_UNSPECIFIED), "STORYBOARD_STATE_UNSPECIFIED");
}

}  // namespace
}  // namespace kpo::daily::domain
