#include <tuple>

#include "domain/ideas.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpo::daily::domain {
namespace {

namespace pb = kpo::daily::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The lifecycle as the issue writes it, one line per allowed transition.
const std::set<std::pair<pb::IdeaState, pb::IdeaState>>& Allowed() {
  static const auto* const kAllowed = new std::set<std::pair<pb::IdeaState, pb::IdeaState>>{
      {pb::IDEA_STATE_SUBMITTED, pb::IDEA_STATE_ACCEPTED},
      {pb::IDEA_STATE_SUBMITTED, pb::IDEA_STATE_REJECTED},
      {pb::IDEA_STATE_SUBMITTED, pb::IDEA_STATE_WITHDRAWN},
      {pb::IDEA_STATE_ACCEPTED, pb::IDEA_STATE_IN_PROGRESS},
      {pb::IDEA_STATE_ACCEPTED, pb::IDEA_STATE_IMPLEMENTED},
      {pb::IDEA_STATE_IN_PROGRESS, pb::IDEA_STATE_IMPLEMENTED},
      {pb::IDEA_STATE_IMPLEMENTED, pb::IDEA_STATE_STANDARDIZED},
  };
  return *kAllowed;
}

class IdeaTransitionTest : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(IdeaTransitionTest, AllowedExactlyOnTheLifecycleEdgesAndRefusalsExplain) {
  const auto from = static_cast<pb::IdeaState>(std::get<0>(GetParam()));
  const auto to = static_cast<pb::IdeaState>(std::get<1>(GetParam()));
  const bool expected = Allowed().contains({from, to});
  EXPECT_EQ(IsAllowed(from, to), expected);
  const absl::Status s = CheckTransition(from, to);
  if (expected) {
    EXPECT_TRUE(s.ok()) << s;
    return;
  }
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(kpo::core::ErrorReason(s), "INVALID_TRANSITION");
  const auto meta = kpo::core::ErrorMetadata(s);
  EXPECT_EQ(meta.at("current_state"), StateName(from));
  EXPECT_EQ(meta.at("requested_state"), StateName(to));
  EXPECT_THAT(std::string(s.message()), HasSubstr(StateName(from)));
  EXPECT_THAT(std::string(s.message()), HasSubstr(StateName(to)));
}

std::string PairName(const ::testing::TestParamInfo<std::tuple<int, int>>& info) {
  return StateName(static_cast<pb::IdeaState>(std::get<0>(info.param))) + "_to_" +
         StateName(static_cast<pb::IdeaState>(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(EveryPair, IdeaTransitionTest,
                         ::testing::Combine(::testing::Range(1, 8), ::testing::Range(1, 8)),
                         PairName);

TEST(IdeaStateTest, NamesDropThePrefixAndEditableStatesEndAtImplementation) {
  EXPECT_EQ(StateName(pb::IDEA_STATE_IN_PROGRESS), "IN_PROGRESS");
  EXPECT_EQ(StateName(pb::IDEA_STATE_UNSPECIFIED), "IDEA_STATE_UNSPECIFIED");
  EXPECT_TRUE(IsEditable(pb::IDEA_STATE_SUBMITTED));
  EXPECT_TRUE(IsEditable(pb::IDEA_STATE_IN_PROGRESS));
  EXPECT_FALSE(IsEditable(pb::IDEA_STATE_IMPLEMENTED));
  EXPECT_FALSE(IsEditable(pb::IDEA_STATE_REJECTED));
  EXPECT_THAT(
      std::string(CheckTransition(pb::IDEA_STATE_ACCEPTED, pb::IDEA_STATE_WITHDRAWN).message()),
      HasSubstr("not yet reviewed"));
}

std::vector<std::string> Fields(const kpo::core::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& f : v.violations()) out.push_back(f.field);
  return out;
}

pb::Idea Valid() {
  pb::Idea i;
  i.set_title("Shadow board at press 4");
  i.set_problem("Tools are searched for at every changeover");
  i.set_countermeasure("A shadow board beside the press");
  i.set_category(pb::CATEGORY_DELIVERY);
  i.set_site("organizations/acme/sites/lyon");
  i.set_area("organizations/acme/sites/lyon/areas/press");
  i.add_submitters("organizations/acme/people/m1");
  return i;
}

TEST(ValidateIdeaTest, AValidIdeaHasNoViolations) {
  kpo::core::FieldViolations v;
  ValidateIdea(Valid(), v);
  EXPECT_THAT(Fields(v), IsEmpty());
}

TEST(ValidateIdeaTest, EveryProblemIsNamedAtOnce) {
  pb::Idea i;
  i.set_title(std::string(kMaxTitle + 1, 'x'));
  i.set_category(static_cast<pb::Category>(42));
  i.set_site("lyon");
  i.set_area("organizations/acme/sites/pune/areas/press");
  i.add_submitters("organizations/acme/people/m1");
  i.add_submitters("organizations/acme/people/m1");
  i.add_submitters("m2");
  i.set_reviewer("boss");
  i.set_strategic_objective("Lead Time!");
  kpo::core::FieldViolations v;
  ValidateIdea(i, v);
  EXPECT_THAT(Fields(v),
              ElementsAre("idea.title", "idea.problem", "idea.countermeasure", "idea.category",
                          "idea.site", "idea.submitters[1]", "idea.submitters[2]", "idea.reviewer",
                          "idea.strategic_objective"));
}

TEST(ValidateIdeaTest, AnAreaMustBelongToTheSiteAndSubmittersAreBounded) {
  pb::Idea i = Valid();
  i.set_area("organizations/acme/sites/pune/areas/press");
  for (int n = 1; n <= kMaxSubmitters; ++n) {
    i.add_submitters("organizations/acme/people/p" + std::to_string(n));
  }
  kpo::core::FieldViolations v;
  ValidateIdea(i, v);
  EXPECT_THAT(Fields(v), ElementsAre("idea.area", "idea.submitters"));
}

kpo::common::v1::Money Cash(const std::string& code, int64_t minor) {
  kpo::common::v1::Money m;
  m.set_currency_code(code);
  m.set_minor_units(minor);
  return m;
}

std::vector<std::string> ImpactFields(const pb::Impact& impact, pb::IdeaState state) {
  kpo::core::FieldViolations v;
  ValidateImpact(impact, state, v);
  return Fields(v);
}

TEST(ValidateImpactTest, OneCurrencyKindAndRecurrenceAndTheActualOnlyOnceImplemented) {
  pb::Impact impact;
  EXPECT_THAT(ImpactFields(impact, pb::IDEA_STATE_SUBMITTED), IsEmpty()) << "no impact at all";
  *impact.mutable_target() = Cash("EUR", 1'200'000);  // 12,000.00 EUR
  EXPECT_THAT(ImpactFields(impact, pb::IDEA_STATE_SUBMITTED),
              ElementsAre("idea.impact.recurrence", "idea.impact.kind"));
  impact.set_recurrence(pb::IMPACT_RECURRENCE_ANNUAL);
  impact.set_kind(pb::IMPACT_KIND_HARD);
  *impact.mutable_forecast() = Cash("USD", 900'000);
  *impact.mutable_actual() = Cash("EUR", -5);
  EXPECT_THAT(ImpactFields(impact, pb::IDEA_STATE_IN_PROGRESS),
              ElementsAre("idea.impact.forecast.currency_code", "idea.impact.actual.minor_units",
                          "idea.impact.actual"));
  *impact.mutable_forecast() = Cash("EUR", 900'000);
  *impact.mutable_actual() = Cash("EUR", 1'000'000);
  EXPECT_THAT(ImpactFields(impact, pb::IDEA_STATE_IMPLEMENTED), IsEmpty());
  EXPECT_THAT(ImpactFields(impact, pb::IDEA_STATE_STANDARDIZED), IsEmpty());
}

TEST(ValidateImpactTest, AValidatedImpactOrAClosedIdeaIsFrozen) {
  pb::Idea idea;
  idea.set_state(pb::IDEA_STATE_IMPLEMENTED);
  EXPECT_TRUE(IsImpactEditable(idea));
  idea.mutable_impact()->set_validated(true);
  EXPECT_FALSE(IsImpactEditable(idea));
  idea.clear_impact();
  idea.set_state(pb::IDEA_STATE_REJECTED);
  EXPECT_FALSE(IsImpactEditable(idea));
}

}  // namespace
}  // namespace kpo::daily::domain
