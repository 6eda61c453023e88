#include <cmath>
#include <limits>

#include "domain/lifecycle.h"
#include "domain/money.h"
#include "domain/sustainment.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/people/v1/resources.pb.h"

namespace kpo::kaizen::domain {
namespace {

namespace pb = kpo::kaizen::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---- State machine: every pair of states, table-driven.

const pb::EventState kAll[] = {pb::PROPOSED,  pb::CHARTERED, pb::IN_PROGRESS,
                               pb::COMPLETED, pb::FOLLOW_UP, pb::SUSTAINED,
                               pb::BACKSLID,  pb::CLOSED,    pb::CANCELLED};

struct EdgeCase {
  pb::EventState from, to;
};
const EdgeCase kAllowed[] = {
    {pb::PROPOSED, pb::CHARTERED},    {pb::PROPOSED, pb::CANCELLED},
    {pb::CHARTERED, pb::IN_PROGRESS}, {pb::CHARTERED, pb::CANCELLED},
    {pb::IN_PROGRESS, pb::COMPLETED}, {pb::COMPLETED, pb::FOLLOW_UP},
    {pb::FOLLOW_UP, pb::SUSTAINED},   {pb::FOLLOW_UP, pb::BACKSLID},
    {pb::SUSTAINED, pb::CLOSED},      {pb::BACKSLID, pb::CLOSED},
};

bool Expected(pb::EventState from, pb::EventState to) {
  for (const auto& e : kAllowed) {
    if (e.from == from && e.to == to) return true;
  }
  return false;
}

class TransitionTest : public ::testing::TestWithParam<std::tuple<pb::EventState, pb::EventState>> {
};

TEST_P(TransitionTest, AllowedExactlyOnTheLifecycleEdgesAndRefusalsExplain) {
  auto [from, to] = GetParam();
  absl::Status s = CheckTransition(from, to);
  EXPECT_EQ(IsAllowed(from, to), Expected(from, to));
  if (Expected(from, to)) {
    EXPECT_TRUE(s.ok()) << s;
    return;
  }
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(kpo::core::ErrorReason(s), "INVALID_TRANSITION");
  auto meta = kpo::core::ErrorMetadata(s);
  EXPECT_EQ(meta["current_state"], StateName(from));
  EXPECT_EQ(meta["requested_state"], StateName(to));
  EXPECT_THAT(s.message(), HasSubstr(StateName(from)));
  EXPECT_THAT(s.message(), HasSubstr(StateName(to)));
  EXPECT_THAT(std::string(s.message()), ::testing::MatchesRegex(".*: .+"))
      << "the message says why";
}

INSTANTIATE_TEST_SUITE_P(EveryPair, TransitionTest,
                         ::testing::Combine(::testing::ValuesIn(kAll), ::testing::ValuesIn(kAll)),
                         [](const auto& test_info) {
                           return std::string(StateName(std::get<0>(test_info.param))) + "_to_" +
                                  StateName(std::get<1>(test_info.param));
                         });

TEST(TransitionTest, RefusalsGiveTheRightReason) {
  EXPECT_THAT(CheckTransition(pb::IN_PROGRESS, pb::CANCELLED).message(),
              HasSubstr("only proposed or chartered events can be cancelled"));
  EXPECT_THAT(CheckTransition(pb::BACKSLID, pb::IN_PROGRESS).message(), HasSubstr("reopens"));
  EXPECT_THAT(CheckTransition(pb::FOLLOW_UP, pb::CLOSED).message(), HasSubstr("audits"));
  EXPECT_THAT(CheckTransition(pb::PROPOSED, pb::IN_PROGRESS).message(), HasSubstr("charter it"));
}

// ---- Gates

pb::KaizenEvent Chartered() {
  pb::KaizenEvent e;
  e.set_state(pb::PROPOSED);
  auto* c = e.mutable_charter();
  c->set_problem_statement("Changeover takes 90 minutes");
  c->set_purpose("Free capacity for the new product");
  c->set_customer("Assembly line 2");
  c->mutable_scope()->set_process_start("last good part");
  c->mutable_scope()->set_process_end("first good part");
  c->mutable_scope()->add_in_scope("press 4");
  c->set_strategic_objective("lead-time");
  c->add_goals("Changeover under 30 minutes");
  c->mutable_planned_start_date()->set_year(2026);
  c->mutable_planned_end_date()->set_year(2026);
  c->set_sponsor("organizations/a/people/s");
  c->set_team_leader("organizations/a/people/tl");
  c->set_facilitator("organizations/a/people/f");
  for (int i = 0; i < 5; ++i) c->add_team_members("organizations/a/people/m" + std::to_string(i));
  auto* m = e.add_metrics();
  m->set_id("changeover");
  m->set_direction(pb::LOWER_IS_BETTER);
  m->set_baseline(90);
  m->set_target(30);
  return e;
}

std::vector<std::string> Fields(const kpo::core::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& x : v.violations()) out.push_back(x.field);
  return out;
}

TEST(GateTest, CharterNeedsEveryPartAndAnObjectiveOfTheOrganization) {
  kpo::core::FieldViolations ok;
  CheckCharterComplete(Chartered(), {"lead-time", "zero-harm"}, ok);
  EXPECT_TRUE(ok.empty()) << ok.ToStatus();

  pb::KaizenEvent e = Chartered();
  e.mutable_charter()->clear_customer();
  e.mutable_charter()->set_strategic_objective("world-peace");
  e.clear_metrics();
  kpo::core::FieldViolations v;
  CheckCharterComplete(e, {"lead-time"}, v);
  EXPECT_THAT(Fields(v),
              ElementsAre("kaizen_event.charter.customer",
                          "kaizen_event.charter.strategic_objective", "kaizen_event.metrics"));
}

TEST(GateTest, PhaseCannotBeLeftWithRequiredItemsOpen) {
  pb::KaizenEvent e = Chartered();
  for (const auto& t : DefaultChecklistTemplate()) {
    auto* item = e.add_checklist();
    item->set_id(t.id());
    item->set_phase(t.phase());
    item->set_text(t.text());
    item->set_required(t.required());
  }
  EXPECT_EQ(PhaseToLeave(pb::PROPOSED, pb::CHARTERED), pb::PLANNING);
  EXPECT_EQ(PhaseToLeave(pb::FOLLOW_UP, pb::SUSTAINED), pb::PHASE_UNSPECIFIED);
  absl::Status s = CheckChecklist(e, pb::PLANNING, pb::CHARTERED);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(kpo::core::ErrorReason(s), "CHECKLIST_INCOMPLETE");
  EXPECT_EQ(kpo::core::ErrorMetadata(s)["open_items"], "3");
  EXPECT_THAT(s.message(), HasSubstr("select"));
  for (auto& item : *e.mutable_checklist()) {
    if (item.phase() == pb::PLANNING) item.set_done(true);
  }
  EXPECT_TRUE(CheckChecklist(e, pb::PLANNING, pb::CHARTERED).ok());
  // Optional items never block: logistics is optional in preparation.
  for (auto& item : *e.mutable_checklist()) {
    if (item.phase() == pb::PREPARATION && item.required()) item.set_done(true);
  }
  EXPECT_TRUE(CheckChecklist(e, pb::PREPARATION, pb::IN_PROGRESS).ok());
}

TEST(GateTest, CompletionNeedsEveryResult) {
  pb::KaizenEvent e = Chartered();
  auto* m2 = e.add_metrics();
  m2->set_id("scrap");
  kpo::core::FieldViolations v;
  CheckResultsRecorded(e, v);
  EXPECT_THAT(Fields(v),
              ElementsAre("kaizen_event.metrics[0].result", "kaizen_event.metrics[1].result"));
  e.mutable_metrics(0)->set_result(25);
  e.mutable_metrics(1)->set_result(0);
  kpo::core::FieldViolations none;
  CheckResultsRecorded(e, none);
  EXPECT_TRUE(none.empty()) << "a result of 0 is a result";
}

TEST(GateTest, TeamSizeWarnsButDoesNotBlock) {
  pb::Charter c = Chartered().charter();
  EXPECT_TRUE(CharterWarnings(c).empty()) << "leader + 5 members = 6";
  c.clear_team_members();
  c.add_team_members("organizations/a/people/m1");
  EXPECT_THAT(CharterWarnings(c), ElementsAre(HasSubstr("2 people")));
  for (int i = 2; i < 10; ++i) c.add_team_members("organizations/a/people/m" + std::to_string(i));
  EXPECT_THAT(CharterWarnings(c), ElementsAre(HasSubstr("10 people")));
}

TEST(GateTest, FacilitatorKindFollowsDirectoryRoles) {
  EXPECT_EQ(
      FacilitatorKindFromRoles({kpo::people::v1::TEAM_LEADER, kpo::people::v1::KPO_SPECIALIST}),
      pb::KPO);
  EXPECT_EQ(FacilitatorKindFromRoles({kpo::people::v1::EXTERNAL_SENSEI}), pb::KPO);
  EXPECT_EQ(FacilitatorKindFromRoles({kpo::people::v1::MIDDLE_MANAGER}), pb::LINE);
  EXPECT_EQ(FacilitatorKindFromRoles({}), pb::LINE);
}

// ---- Gain kept

pb::Metric MakeMetric(pb::Direction d, double baseline, double result) {
  pb::Metric m;
  m.set_id("m");
  m.set_direction(d);
  m.set_baseline(baseline);
  m.set_result(result);
  return m;
}

struct GainCase {
  const char* label;
  pb::Direction direction;
  double baseline, result, measured;
  std::optional<double> kept;
};

class GainKeptTest : public ::testing::TestWithParam<GainCase> {};

TEST_P(GainKeptTest, Computes) {
  const auto& c = GetParam();
  auto kept = GainKept(MakeMetric(c.direction, c.baseline, c.result), c.measured);
  ASSERT_EQ(kept.has_value(), c.kept.has_value());
  if (kept) {
    EXPECT_NEAR(*kept, *c.kept, 1e-9);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GainKeptTest,
    ::testing::Values(GainCase{"LowerAllKept", pb::LOWER_IS_BETTER, 90, 30, 30, 1.0},
                      GainCase{"LowerHalfLost", pb::LOWER_IS_BETTER, 90, 30, 60, 0.5},
                      GainCase{"LowerAllLost", pb::LOWER_IS_BETTER, 90, 30, 90, 0.0},
                      GainCase{"LowerWorseThanBefore", pb::LOWER_IS_BETTER, 90, 30, 120, -0.5},
                      GainCase{"LowerOvershoot", pb::LOWER_IS_BETTER, 90, 30, 15, 1.25},
                      GainCase{"HigherAllKept", pb::HIGHER_IS_BETTER, 40, 60, 60, 1.0},
                      GainCase{"HigherMostlyLost", pb::HIGHER_IS_BETTER, 40, 60, 45, 0.25},
                      GainCase{"HigherOvershoot", pb::HIGHER_IS_BETTER, 40, 60, 80, 2.0},
                      GainCase{"ZeroGain", pb::HIGHER_IS_BETTER, 40, 40, 10, std::nullopt},
                      GainCase{"EventMadeItWorse", pb::LOWER_IS_BETTER, 90, 95, 99, std::nullopt}),
    [](const auto& test_info) { return std::string(test_info.param.label); });

TEST(EvaluateAuditTest, BackslidesBelowThresholdAndNamesTheMetrics) {
  pb::KaizenEvent e;
  *e.add_metrics() = MakeMetric(pb::LOWER_IS_BETTER, 90, 30);
  e.mutable_metrics(0)->set_id("changeover");
  *e.add_metrics() = MakeMetric(pb::HIGHER_IS_BETTER, 40, 60);
  e.mutable_metrics(1)->set_id("oee");
  pb::Measurement a, b;
  a.set_metric_id("oee");
  a.set_value(55);  // 0.75 kept
  b.set_metric_id("changeover");
  b.set_value(65);  // (90-65)/60 = 0.4166 kept
  auto out = EvaluateAudit(e, {a, b}, 0.5);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(out->backslid_metric_ids, ElementsAre("changeover"));
  ASSERT_EQ(out->measurements.size(), 2u);
  EXPECT_EQ(out->measurements[0].metric_id(), "changeover") << "event order";
  EXPECT_NEAR(out->measurements[0].gain_kept(), 25.0 / 60.0, 1e-9);
  EXPECT_TRUE(out->measurements[0].backslid());
  EXPECT_FALSE(out->measurements[1].backslid());
  // Exactly at the threshold is kept ("less than half" backslides).
  b.set_value(60);
  EXPECT_FALSE(EvaluateAudit(e, {a, b}, 0.5)->backslid());
  // With a stricter threshold the same numbers backslide.
  EXPECT_THAT(EvaluateAudit(e, {a, b}, 0.8)->backslid_metric_ids, ElementsAre("changeover", "oee"));
}

TEST(EvaluateAuditTest, EveryMetricMeasuredOnce) {
  pb::KaizenEvent e;
  *e.add_metrics() = MakeMetric(pb::LOWER_IS_BETTER, 90, 30);
  e.mutable_metrics(0)->set_id("changeover");
  pb::Measurement unknown, twice;
  unknown.set_metric_id("nope");
  twice.set_metric_id("changeover");
  auto s = EvaluateAudit(e, {unknown, twice, twice}, 0.5).status();
  std::vector<std::string> fields;
  for (const auto& v : kpo::core::FieldViolationsOf(s)) fields.push_back(v.field);
  EXPECT_THAT(fields, ElementsAre("measurements[0].metric_id", "measurements[2].metric_id"));
  pb::Measurement nan;
  nan.set_metric_id("changeover");
  nan.set_value(std::numeric_limits<double>::quiet_NaN());
  EXPECT_FALSE(EvaluateAudit(e, {nan}, 0.5).ok());
  EXPECT_FALSE(EvaluateAudit(e, {}, 0.5).ok()) << "missing metric";
}

// ---- Audit scheduling on civil days

kpo::common::v1::Date D(int y, int m, int d) {
  kpo::common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

std::vector<int64_t> Keys(const std::vector<kpo::common::v1::Date>& dates) {
  std::vector<int64_t> out;
  for (const auto& d : dates) out.push_back(DateKey(d));
  return out;
}

TEST(ScheduleTest, MonthEndsAndLeapYears) {
  EXPECT_THAT(Keys(AuditDueDates(D(2024, 1, 31), {30, 60, 90})),
              ElementsAre(20240301, 20240331, 20240430));  // 2024 is a leap year
  EXPECT_THAT(Keys(AuditDueDates(D(2023, 1, 31), {30, 60, 90})),
              ElementsAre(20230302, 20230401, 20230501));
  EXPECT_THAT(Keys(AuditDueDates(D(2027, 12, 15), {30})), ElementsAre(20280114)) << "year end";
  EXPECT_THAT(Keys(AuditDueDates(D(2028, 2, 29), {365})), ElementsAre(20290228));
  EXPECT_THAT(Keys(AuditDueDates(D(2100, 2, 28), {1})), ElementsAre(21000301))
      << "2100 is not a leap year";
}

TEST(ScheduleTest, DateValidityAndSettings) {
  EXPECT_TRUE(IsValidDate(D(2024, 2, 29)));
  EXPECT_FALSE(IsValidDate(D(2023, 2, 29)));
  EXPECT_FALSE(IsValidDate(D(2024, 13, 1)));
  EXPECT_FALSE(IsValidDate(D(2024, 4, 31)));
  kpo::core::FieldViolations v;
  ValidateSustainmentSettings({30, 30, 1000}, 1.5, "s.", v);
  EXPECT_THAT(Fields(v), ElementsAre("s.audit_offset_days[1]", "s.audit_offset_days[2]",
                                     "s.backslide_threshold"));
  kpo::core::FieldViolations ok;
  ValidateSustainmentSettings({30, 60, 90}, 0.5, "s.", ok);
  EXPECT_TRUE(ok.empty());
}

// ---- Money

kpo::common::v1::Money M(const char* code, int64_t minor) {
  kpo::common::v1::Money m;
  m.set_currency_code(code);
  m.set_minor_units(minor);
  return m;
}

TEST(MoneyTest, SavingsPerCurrencyInMinorUnitsOnlyValidatedCounts) {
  pb::EventMoney money;
  auto add = [&](auto* list, const char* code, int64_t minor, pb::Recurrence r) {
    auto* s = list->Add();
    *s->mutable_amount() = M(code, minor);
    s->set_recurrence(r);
    s->set_kind(pb::HARD);
  };
  add(money.mutable_realized_savings(), "EUR", 1'000'000, pb::ANNUAL);  // 10,000.00 EUR/yr
  add(money.mutable_realized_savings(), "EUR", 250'050, pb::ONE_TIME);  // 2,500.50 EUR once
  add(money.mutable_realized_savings(), "JPY", 300'000, pb::ANNUAL);    // 300,000 JPY/yr
  EXPECT_TRUE(SavingsOver(money, 3, true)->empty()) << "not validated by finance yet";
  money.mutable_validation()->set_validated(true);
  auto three = SavingsOver(money, 3, true);
  ASSERT_TRUE(three.ok());
  EXPECT_EQ(three->at("EUR"), 3'250'050);
  EXPECT_EQ(three->at("JPY"), 900'000);
  add(money.mutable_realized_savings(), "EUR", std::numeric_limits<int64_t>::max() / 2, pb::ANNUAL);
  EXPECT_EQ(SavingsOver(money, 3, true).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(MoneyTest, Validation) {
  pb::EventMoney money;
  *money.mutable_event_cost() = M("eur", -5);
  auto* s = money.add_estimated_savings();
  *s->mutable_amount() = M("USD", 100);
  kpo::core::FieldViolations v;
  ValidateEventMoney(money, "kaizen_event.money.", v);
  EXPECT_THAT(Fields(v), ElementsAre("kaizen_event.money.event_cost.currency_code",
                                     "kaizen_event.money.event_cost.minor_units",
                                     "kaizen_event.money.estimated_savings[0].recurrence",
                                     "kaizen_event.money.estimated_savings[0].kind"));
}

}  // namespace
}  // namespace kpo::kaizen::domain
