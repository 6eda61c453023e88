// The reporting service's pure rules: periods in civil days and their windows at a
// site's time zone, and the scorecard's formulas.
#include <limits>

#include "domain/development.h"
#include "domain/figure_path.h"
#include "domain/figures.h"
#include "domain/office.h"
#include "domain/periods.h"
#include "domain/site_counts.h"
#include "gtest/gtest.h"

namespace kpo::reporting::domain {
namespace {

using absl::CivilDay;

struct PeriodCase {
  Granularity granularity;
  CivilDay day;
  CivilDay first;
  CivilDay last;
};

TEST(PeriodsTest, APeriodIsTheRunOfDaysThatContainsTheDay) {
  const PeriodCase cases[] = {
      // ISO weeks run Monday to Sunday, across month and year ends.
      {Granularity::kWeek, CivilDay(2026, 11, 23), CivilDay(2026, 11, 23), CivilDay(2026, 11, 29)},
      {Granularity::kWeek, CivilDay(2026, 11, 29), CivilDay(2026, 11, 23), CivilDay(2026, 11, 29)},
      {Granularity::kWeek, CivilDay(2027, 1, 1), CivilDay(2026, 12, 28), CivilDay(2027, 1, 3)},
      {Granularity::kMonth, CivilDay(2028, 2, 14), CivilDay(2028, 2, 1), CivilDay(2028, 2, 29)},
      {Granularity::kMonth, CivilDay(2027, 2, 28), CivilDay(2027, 2, 1), CivilDay(2027, 2, 28)},
      {Granularity::kMonth, CivilDay(2026, 12, 31), CivilDay(2026, 12, 1), CivilDay(2026, 12, 31)},
      {Granularity::kQuarter, CivilDay(2026, 1, 1), CivilDay(2026, 1, 1), CivilDay(2026, 3, 31)},
      {Granularity::kQuarter, CivilDay(2026, 6, 30), CivilDay(2026, 4, 1), CivilDay(2026, 6, 30)},
      {Granularity::kQuarter, CivilDay(2026, 11, 23), CivilDay(2026, 10, 1),
       CivilDay(2026, 12, 31)},
      {Granularity::kYear, CivilDay(2028, 7, 4), CivilDay(2028, 1, 1), CivilDay(2028, 12, 31)},
  };
  for (const PeriodCase& c : cases) {
    const CivilPeriod p = PeriodContaining(c.granularity, c.day);
    EXPECT_EQ(p.first, c.first) << c.day;
    EXPECT_EQ(p.last, c.last) << c.day;
    EXPECT_EQ(p.granularity, c.granularity);
  }
}

TEST(PeriodsTest, ThePreviousPeriodEndsTheDayBefore) {
  for (Granularity g :
       {Granularity::kWeek, Granularity::kMonth, Granularity::kQuarter, Granularity::kYear}) {
    CivilPeriod p = PeriodContaining(g, CivilDay(2026, 3, 15));
    for (int i = 0; i < 30; ++i) {
      const CivilPeriod before = Previous(p);
      EXPECT_EQ(before.last + 1, p.first);
      EXPECT_EQ(PeriodContaining(g, before.first), before);
      p = before;
    }
  }
}

absl::TimeZone Zone(const char* name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name;
  return tz;
}

TEST(PeriodsTest, AWindowRunsFromLocalMidnightToLocalMidnight) {
  const CivilPeriod march = PeriodContaining(Granularity::kMonth, CivilDay(2026, 3, 10));
  // Paris: UTC+1 on 1 March, UTC+2 from 29 March; a month of 31 days minus the lost hour.
  const Window paris = InZone(march, Zone("Europe/Paris"));
  EXPECT_EQ(paris.begin,
            absl::FromCivil(absl::CivilSecond(2026, 2, 28, 23, 0, 0), absl::UTCTimeZone()));
  EXPECT_EQ(paris.end,
            absl::FromCivil(absl::CivilSecond(2026, 3, 31, 22, 0, 0), absl::UTCTimeZone()));
  EXPECT_EQ(paris.end - paris.begin, absl::Hours(31 * 24 - 1));
  // Pune: UTC+5:30 all year.
  const Window pune = InZone(march, Zone("Asia/Kolkata"));
  EXPECT_EQ(pune.begin,
            absl::FromCivil(absl::CivilSecond(2026, 2, 28, 18, 30, 0), absl::UTCTimeZone()));
  EXPECT_EQ(pune.end - pune.begin, absl::Hours(31 * 24));
}

TEST(PeriodsTest, DaysWhoseMidnightIsSkippedStillTileTheTimeLine) {
  // Havana moves its clocks from 00:00 to 01:00 on the second Sunday of March: that day
  // has no midnight and begins at the jump.
  const absl::TimeZone havana = Zone("America/Havana");
  CivilPeriod day = PeriodContaining(Granularity::kWeek, CivilDay(2026, 3, 8));
  day.first = day.last = CivilDay(2026, 3, 8);
  CivilPeriod before = day;
  before.first = before.last = CivilDay(2026, 3, 7);
  const Window w = InZone(day, havana);
  EXPECT_EQ(InZone(before, havana).end, w.begin);
  EXPECT_EQ(w.end - w.begin, absl::Hours(23));
  EXPECT_EQ(absl::ToCivilSecond(w.begin, havana), absl::CivilSecond(2026, 3, 8, 1, 0, 0));
}

TEST(FiguresTest, ARatioOverNothingHasNoValue) {
  const auto empty = MakeRatio(0, 0);
  EXPECT_FALSE(empty.has_value());
  EXPECT_EQ(empty.numerator(), 0);
  const auto some = MakeRatio(3, 4);
  ASSERT_TRUE(some.has_value());
  EXPECT_DOUBLE_EQ(some.value(), 0.75);
  EXPECT_DOUBLE_EQ(MakeRatio(5, 2).value(), 2.5);  // ideas per person may exceed 1
}

TEST(FiguresTest, TheMedianIsTheMiddleOrTheMeanOfTheTwoMiddles) {
  EXPECT_FALSE(Median({}).has_value());
  EXPECT_EQ(Median({7}), 7);
  EXPECT_EQ(Median({9, 1, 5}), 5);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2);  // (2 + 3) / 2 rounded down
  EXPECT_EQ(Median({10, 20}), 15);
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(Median({big, big - 2}), big - 1);  // no overflow
}

TEST(FiguresTest, OpenIdeasAreBucketedByAgeInDays) {
  EXPECT_EQ(AgeBucket(absl::ZeroDuration()), 0);
  EXPECT_EQ(AgeBucket(absl::Hours(24 * 30) - absl::Seconds(1)), 0);
  EXPECT_EQ(AgeBucket(absl::Hours(24 * 30)), 1);
  EXPECT_EQ(AgeBucket(absl::Hours(24 * 90) - absl::Seconds(1)), 1);
  EXPECT_EQ(AgeBucket(absl::Hours(24 * 90)), 2);
  EXPECT_EQ(AgeBucket(absl::Hours(24 * 180)), 3);
  EXPECT_EQ(AgeBucket(absl::Hours(24 * 3650)), 3);
}

TEST(FiguresTest, TheDailyKaizenFiguresFollowTheirFormulas) {
  IdeaCounts lyon;
  lyon.submitted = 6;
  lyon.submitted_kept = 5;
  lyon.submitted_implemented = 2;
  lyon.implemented = 3;
  lyon.implement_seconds = {86400, 3 * 86400, 10 * 86400};
  lyon.rejected = 1;
  lyon.open_by_age = {2, 1, 0, 1};
  lyon.review_backlog = 2;
  lyon.headcount = 4;
  lyon.participants = 3;
  IdeaCounts pune;
  pune.submitted = 2;
  pune.submitted_kept = 2;
  pune.headcount = 6;
  pune.participants = 1;
  pune.implemented = 1;
  pune.implement_seconds = {2 * 86400};
  pune.open_by_age = {1, 0, 0, 0};

  const auto site = DailyKaizenFigures(lyon);
  EXPECT_EQ(site.ideas_submitted(), 6);
  EXPECT_DOUBLE_EQ(site.ideas_per_person().value(), 1.5);
  EXPECT_DOUBLE_EQ(site.participation_rate().value(), 0.75);
  EXPECT_DOUBLE_EQ(site.implementation_rate().value(), 0.4);
  EXPECT_EQ(site.median_time_to_implement().seconds(), 3 * 86400);
  EXPECT_EQ(site.open_ideas().total(), 4);
  EXPECT_EQ(site.open_ideas().from_180_days(), 1);
  EXPECT_EQ(site.review_backlog(), 2);
  EXPECT_EQ(site.ideas_rejected(), 1);

  // An organization's rate is the ratio of its sums, not the mean of its sites' rates.
  IdeaCounts org = lyon;
  org.Add(pune);
  const auto all = DailyKaizenFigures(org);
  EXPECT_EQ(all.ideas_per_person().numerator(), 8);
  EXPECT_EQ(all.ideas_per_person().denominator(), 10);
  EXPECT_DOUBLE_EQ(all.participation_rate().value(), 0.4);
  EXPECT_DOUBLE_EQ(all.implementation_rate().value(), 2.0 / 7.0);
  // The median of all four times (1, 2, 3, 10 days): 2.5 days.
  EXPECT_EQ(all.median_time_to_implement().seconds(), 5 * 86400 / 2);
  EXPECT_EQ(all.open_ideas().under_30_days(), 3);

  // An empty period: counts of zero, no rates, no median.
  const auto empty = DailyKaizenFigures(IdeaCounts{});
  EXPECT_FALSE(empty.ideas_per_person().has_value());
  EXPECT_FALSE(empty.participation_rate().has_value());
  EXPECT_FALSE(empty.implementation_rate().has_value());
  EXPECT_FALSE(empty.has_median_time_to_implement());
  EXPECT_EQ(empty.open_ideas().total(), 0);
}

TEST(OfficeTest, AMembershipsDaysAreThoseItSharesWithThePeriod) {
  MemberRow m;
  m.first_day = 20260316;
  m.last_day = 20260531;
  EXPECT_EQ(DaysWithin(m, 20260301, 20260331), 16);
  EXPECT_EQ(DaysWithin(m, 20260501, 20260531), 31);
  EXPECT_EQ(DaysWithin(m, 20260601, 20260630), 0);
  EXPECT_EQ(DaysWithin(m, 20260101, 20260315), 0);
  m.last_day = 0;  // open-ended
  EXPECT_EQ(DaysWithin(m, 20261201, 20261231), 31);
  m.last_day = 20260315;  // deactivated before it started
  EXPECT_EQ(DaysWithin(m, 20260301, 20260331), 0);
}

TEST(OfficeTest, CostIsRoundedHalfAwayFromZeroOnceAndNeverOverflows) {
  // 15 x 100% x 1 day x 12 / 36,500 = 0.493 -> 0; 16 -> 0.526 -> 1; 100 -> 3.29 -> 3.
  EXPECT_EQ(CostOfDays(15, 100, 1), 0);
  EXPECT_EQ(CostOfDays(16, 100, 1), 1);
  EXPECT_EQ(CostOfDays(-16, 100, 1), -1);
  EXPECT_EQ(CostOfDays(100, 100, 1), 3);
  // A whole year of 365 days is twelve months exactly.
  EXPECT_EQ(CostOfDays(600000, 50, 365), 600000 * 12 / 2);
  EXPECT_EQ(CostOfDays(std::numeric_limits<int64_t>::max(), 100, 36500),
            std::numeric_limits<int64_t>::max());
}

TEST(OfficeTest, CurrenciesAreKeptApartAndReturnNeedsACostInTheSameCurrency) {
  MoneyCounts c;
  AddSaving(c, {"EUR", 1000, 1, 1, true});
  AddSaving(c, {"EUR", 500, 2, 2, false});
  AddSaving(c, {"JPY", 70000, 1, 1, true});
  AddKpoCost(c, {MemberRow{"kim", 20260101, 0, 100, false, "EUR", 36500}}, 20260301, 20260331);
  const auto f = MoneyFigures(c);
  ASSERT_EQ(f.currencies_size(), 2);
  EXPECT_EQ(f.currencies(0).currency_code(), "EUR");
  EXPECT_EQ(f.currencies(0).kpo_cost().minor_units(), 36500 * 31 * 12 / 365);
  EXPECT_EQ(f.currencies(0).return_on_kpo_cost().numerator(), 1500);
  EXPECT_EQ(f.currencies(0).hard_savings().minor_units(), 1000);
  EXPECT_EQ(f.currencies(0).idea_savings().minor_units(), 500);
  EXPECT_EQ(f.currencies(1).currency_code(), "JPY");
  EXPECT_EQ(f.currencies(1).one_time_savings().minor_units(), 70000);
  EXPECT_FALSE(f.currencies(1).return_on_kpo_cost().has_value());
}

TEST(DevelopmentTest, TargetsAreTheHighestOfTheRolesProfilesWithoutRetiredCompetencies) {
  const std::vector<Profile> profiles = {
      {1, 0, {{"a", 2}, {"b", 1}}},
      {2, 0, {{"a", 3}, {"c", 2}}},
      {5, 0, {{"a", 1}}},
      {5, 1, {{"d", 4}}},  // KPO specialists at corporate level only
  };
  const absl::flat_hash_set<std::string> retired = {"b"};
  EXPECT_EQ(TargetsOf(profiles, {1, 2}, 0, retired),
            (std::map<std::string, int>{{"a", 3}, {"c", 2}}));
  EXPECT_EQ(TargetsOf(profiles, {5}, 3, retired), (std::map<std::string, int>{{"a", 1}}));
  EXPECT_EQ(TargetsOf(profiles, {5}, 1, retired), (std::map<std::string, int>{{"a", 1}, {"d", 4}}));
  EXPECT_TRUE(TargetsOf(profiles, {7}, 0, retired).empty());

  SkillsCounts s;
  s.AddPerson({{"a", 3}, {"c", 2}}, {{"a", 4}});
  s.AddPerson({}, {{"a", 4}});  // no target: not counted
  s.AddPerson({{"a", 1}}, {{"a", 1}});
  EXPECT_EQ(s.targeted, 3);
  EXPECT_EQ(s.met, 2);
  EXPECT_EQ(s.gap_levels, 2);
  EXPECT_EQ(s.people_with_targets, 2);
  EXPECT_EQ(s.people_at_target, 1);
}

TEST(DevelopmentTest, AHolderCountsOncePerLevelAndIsExpiringOnlyIfEveryCertificateIsWarned) {
  std::vector<CertificateRow> rows = {
      {"ana", 2, 20240101, 20260201, false, 20260110, 1},  // renewed before expiry
      {"ana", 2, 20260110, 20280201, true, 0, std::nullopt},
      {"bo", 2, 20240101, 20260401, false, 0, 5},  // warned, valid through March
      {"cy", 3, 20230101, 20260315, false, 0, 5},  // lapsed in March
  };
  const auto c = CountCertificates(rows, 20260301, 20260331, 20260331, 100);
  EXPECT_EQ(c[1].holders, 2);
  EXPECT_EQ(c[1].expiring, 1);  // bo; ana's renewal is not warned
  EXPECT_EQ(c[1].lapsed, 0);
  EXPECT_EQ(c[2].holders, 0);
  EXPECT_EQ(c[2].lapsed, 1);
  const auto january = CountCertificates(rows, 20260101, 20260131, 20260131, 100);
  EXPECT_EQ(january[1].renewed, 1);
  EXPECT_EQ(january[1].holders, 2);
  EXPECT_EQ(january[1].expiring, 1);  // bo: ana holds a renewal without a warning
}

TEST(SiteCountsTest, EncodingRoundTripsEveryCountAndRefusesAnythingElse) {
  SiteCounts c;
  c.ideas.submitted = 7;
  c.ideas.implement_seconds = {86400, -1, std::numeric_limits<int64_t>::max()};
  c.ideas.open_by_age = {1, 2, 3, 4};
  c.kaizen.items_overdue = 5;
  c.coaching.expected_per_week_total = 9;
  c.development.certifications[3].lapsed = 2;
  c.development.skills.gap_levels = 11;
  c.money.currencies["EUR"].kpo_cost = std::numeric_limits<int64_t>::min();
  c.money.currencies["JPY"].one_time = 70000;
  c.footprint.kpo_share_points = 150;
  c.alignment.objectives[""].ideas = 3;
  c.alignment.objectives["lead-time"].kaizen_events = 1;
  c.yokoten.adoptions_elsewhere = 4;
  const std::string bytes = Encode(c);
  auto back = Decode(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(Encode(*back), bytes);
  EXPECT_EQ(back->ideas.implement_seconds, c.ideas.implement_seconds);
  EXPECT_EQ(back->ideas.open_by_age, c.ideas.open_by_age);
  EXPECT_EQ(back->development.certifications[3].lapsed, 2);
  EXPECT_EQ(back->money.currencies.at("EUR").kpo_cost, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(back->money.currencies.at("JPY").one_time, 70000);
  EXPECT_EQ(back->alignment.objectives.at("lead-time").kaizen_events, 1);
  EXPECT_EQ(back->yokoten.adoptions_elsewhere, 4);

  EXPECT_FALSE(Decode("").has_value());
  EXPECT_FALSE(Decode(bytes.substr(0, bytes.size() - 1)).has_value());
  EXPECT_FALSE(Decode(bytes + "x").has_value());
  std::string other_format = bytes;
  other_format[0] = static_cast<char>(other_format[0] + 2);
  EXPECT_FALSE(Decode(other_format).has_value());
  EXPECT_FALSE(Decode(std::string(20, '\xff')).has_value());
}

TEST(SiteCountsTest, AnOrganizationsFiguresAreThoseOfItsSitesSums) {
  SiteCounts lyon;
  lyon.ideas.headcount = 10;
  lyon.ideas.participants = 2;
  lyon.kaizen.completed_by_line = 1;
  SiteCounts pune;
  pune.ideas.headcount = 30;
  pune.ideas.participants = 18;
  pune.coaching.kpo_cycles = 3;
  SiteCounts org = lyon;
  org.Add(pune);
  const auto card = Figures(org, 31, {});
  EXPECT_EQ(card.daily_kaizen().participation_rate().numerator(), 20);
  EXPECT_EQ(card.daily_kaizen().participation_rate().denominator(), 40);
  EXPECT_EQ(card.kpo_footprint().headcount(), 40);
  EXPECT_EQ(card.kpo_footprint().line_led_share().numerator(), 1);
  EXPECT_EQ(card.kpo_footprint().line_led_share().denominator(), 4);
}

TEST(FigurePathTest, PathsNameFiguresAndCellsCarryEveryOne) {
  kpo::reporting::v1::Scorecard card;
  card.set_name("organizations/acme/scorecard");
  card.mutable_daily_kaizen()->set_ideas_submitted(4);
  *card.mutable_daily_kaizen()->mutable_participation_rate() = MakeRatio(1, 4);
  auto* jpy = card.mutable_money()->add_currencies();
  jpy->set_currency_code("JPY");
  jpy->mutable_kpo_cost()->set_currency_code("JPY");
  jpy->mutable_kpo_cost()->set_minor_units(70000);
  auto* gold = card.mutable_people_development()->add_certifications();
  gold->set_level(kpo::people::v1::CERTIFICATION_LEVEL_GOLD);
  gold->set_holders(2);
  EXPECT_TRUE(CheckFigurePath("money.currencies[JPY].kpo_cost").ok());
  EXPECT_EQ(FigureValue(card, "daily_kaizen.participation_rate"), 0.25);
  EXPECT_EQ(FigureValue(card, "money.currencies[JPY].kpo_cost"), 70000);
  EXPECT_EQ(FigureValue(card, "people_development.certifications[GOLD].holders"), 2);
  EXPECT_FALSE(FigureValue(card, "money.currencies[EUR].kpo_cost").has_value());
  EXPECT_FALSE(FigureValue(card, "daily_kaizen.implementation_rate").has_value());
  EXPECT_FALSE(FigureValue(card, "daily_kaizen.median_time_to_implement").has_value());

  std::map<std::string, FigureCell> cells;
  for (auto& cell : FigureCells(card)) cells[cell.path] = cell;
  EXPECT_EQ(cells.count("name"), 0u);
  EXPECT_EQ(cells["daily_kaizen.ideas_submitted"].value, "4");
  EXPECT_EQ(cells["daily_kaizen.participation_rate"].value, "0.25");
  EXPECT_EQ(cells["daily_kaizen.participation_rate"].denominator, "4");
  EXPECT_EQ(cells["daily_kaizen.implementation_rate"].value, "");
  EXPECT_EQ(cells["money.currencies[JPY].kpo_cost"].value, "70000");
  EXPECT_EQ(cells["money.currencies[JPY].kpo_cost"].currency, "JPY");
  EXPECT_EQ(cells["people_development.certifications[GOLD].holders"].value, "2");
  EXPECT_EQ(cells.count("money.currencies[JPY].currency_code"), 0u);
  // Every cell's path is one CheckFigurePath accepts.
  for (const auto& [path, cell] : cells) EXPECT_TRUE(CheckFigurePath(path).ok()) << path;
}

}  // namespace
}  // namespace kpo::reporting::domain
