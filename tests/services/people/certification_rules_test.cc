// Certification, the pure rules: requirement evaluation per level (table-driven),
// prerequisites between levels, validity and expiry across dates, the next level, and
// the field rules of an organization's requirements.
#include <string>
#include <vector>

#include "domain/certification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/date.h"

namespace kpo::people {
namespace {

namespace pb = kpo::people::v1;
using kpo::core::FromCivil;
using ::testing::ElementsAre;

constexpr auto kBronze = pb::CERTIFICATION_LEVEL_BRONZE;
constexpr auto kSilver = pb::CERTIFICATION_LEVEL_SILVER;
constexpr auto kGold = pb::CERTIFICATION_LEVEL_GOLD;
constexpr auto kKnowledge = pb::CERTIFICATION_LEVEL_KNOWLEDGE;
constexpr auto kPart = pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION;
constexpr auto kFac = pb::EVIDENCE_KIND_KAIZEN_FACILITATION;
constexpr auto kVsa = pb::EVIDENCE_KIND_VALUE_STREAM_ANALYSIS;
constexpr auto kMentor = pb::EVIDENCE_KIND_MENTORING;
constexpr auto kProject = pb::EVIDENCE_KIND_TRANSFORMATION_PROJECT;

const absl::CivilDay kToday(2026, 11, 22);

pb::Certificate Cert(pb::CertificationLevel level, absl::CivilDay award,
                     std::optional<absl::CivilDay> expire,
                     pb::CertificateState state = pb::CERTIFICATE_STATE_VALID) {
  pb::Certificate c;
  c.set_name("organizations/acme/people/ann/certificates/" + pb::CertificationLevel_Name(level) +
             std::to_string(absl::CivilYear(award).year()));
  c.set_level(level);
  c.set_state(state);
  *c.mutable_award_date() = FromCivil(award);
  if (expire) *c.mutable_expire_date() = FromCivil(*expire);
  return c;
}

pb::Certificate Knowledge() { return Cert(kKnowledge, absl::CivilDay(2024, 1, 10), std::nullopt); }

// `n` items of `kind` dated from `from` on, one a day; `streams` value streams each.
void Add(std::vector<pb::Evidence>& out, pb::EvidenceKind kind, int n, absl::CivilDay from,
         pb::EvidenceState state = pb::EVIDENCE_STATE_COUNTED, int streams = 0) {
  for (int i = 0; i < n; ++i) {
    pb::Evidence e;
    e.set_name("organizations/acme/people/ann/evidence/" + pb::EvidenceKind_Name(kind) + "-" +
               std::to_string(out.size()));
    e.set_kind(kind);
    e.set_state(state);
    *e.mutable_date() = FromCivil(from + i);
    for (int s = 0; s < streams; ++s) e.add_value_streams("vs-" + std::to_string(s));
    out.push_back(e);
  }
}

std::vector<int> Missing(const pb::CertificationProgress& p) {
  std::vector<int> out;
  for (const auto& r : p.requirements()) out.push_back(r.missing());
  return out;
}

struct Case {
  const char* what;
  pb::CertificationLevel level;
  std::vector<pb::Certificate> certificates;
  std::vector<std::tuple<pb::EvidenceKind, int, pb::EvidenceState, int>> evidence;
  bool ready;
  std::vector<int> missing;  // per default requirement of the level, in order
  std::vector<bool> prerequisites_met;
};

class EvaluateTest : public ::testing::TestWithParam<Case> {};

TEST_P(EvaluateTest, AgainstTheDefaultRequirements) {
  const Case& c = GetParam();
  std::vector<pb::Evidence> evidence;
  for (const auto& [kind, n, state, streams] : c.evidence) {
    Add(evidence, kind, n, absl::CivilDay(2025, 3, 1), state, streams);
  }
  const auto progress = domain::Evaluate(c.level, domain::DefaultRequirements(c.level),
                                         c.certificates, evidence, kToday);
  EXPECT_EQ(progress.ready(), c.ready) << c.what;
  EXPECT_EQ(Missing(progress), c.missing) << c.what;
  std::vector<bool> met;
  for (const auto& p : progress.prerequisites()) met.push_back(p.met());
  EXPECT_EQ(met, c.prerequisites_met) << c.what;
}

constexpr auto kCounted = pb::EVIDENCE_STATE_COUNTED;
constexpr auto kPending = pb::EVIDENCE_STATE_PENDING;
constexpr auto kRejected = pb::EVIDENCE_STATE_REJECTED;
const absl::CivilDay kAwarded(2025, 1, 15);
const absl::CivilDay kExpires(2028, 1, 15);

INSTANTIATE_TEST_SUITE_P(
    Levels, EvaluateTest,
    ::testing::Values(
        Case{"bronze: nothing yet", kBronze, {}, {}, false, {3, 1, 1}, {false}},
        Case{"bronze: knowledge and a full portfolio",
             kBronze,
             {Knowledge()},
             {{kPart, 3, kCounted, 0}, {kFac, 1, kCounted, 0}, {kVsa, 1, kCounted, 0}},
             true,
             {0, 0, 0},
             {true}},
        Case{"bronze: a full portfolio without the knowledge exam",
             kBronze,
             {},
             {{kPart, 4, kCounted, 0}, {kFac, 1, kCounted, 0}, {kVsa, 1, kCounted, 0}},
             false,
             {0, 0, 0},
             {false}},
        Case{"bronze: pending and rejected evidence does not count",
             kBronze,
             {Knowledge()},
             {{kPart, 2, kCounted, 0},
              {kPart, 1, kPending, 0},
              {kFac, 1, kRejected, 0},
              {kVsa, 1, kCounted, 0}},
             false,
             {1, 1, 0},
             {true}},
        Case{"silver: needs a valid bronze",
             kSilver,
             {Knowledge()},
             {{kPart, 5, kCounted, 0},
              {kFac, 3, kCounted, 0},
              {kVsa, 2, kCounted, 0},
              {kMentor, 3, kCounted, 0}},
             false,
             {0, 0, 0, 0},
             {true, false}},
        Case{"silver: an expired bronze is not enough",
             kSilver,
             {Knowledge(), Cert(kBronze, absl::CivilDay(2023, 1, 1), absl::CivilDay(2026, 1, 1))},
             {{kPart, 5, kCounted, 0},
              {kFac, 3, kCounted, 0},
              {kVsa, 2, kCounted, 0},
              {kMentor, 3, kCounted, 0}},
             false,
             {0, 0, 0, 0},
             {true, false}},
        Case{"silver: mentoring is required",
             kSilver,
             {Knowledge(), Cert(kBronze, kAwarded, kExpires)},
             {{kPart, 5, kCounted, 0}, {kFac, 3, kCounted, 0}, {kVsa, 2, kCounted, 0}},
             false,
             {0, 0, 0, 3},
             {true, true}},
        Case{"silver: ready",
             kSilver,
             {Knowledge(), Cert(kBronze, kAwarded, kExpires)},
             {{kPart, 6, kCounted, 0},
              {kFac, 3, kCounted, 0},
              {kVsa, 2, kCounted, 0},
              {kMentor, 3, kCounted, 0}},
             true,
             {0, 0, 0, 0},
             {true, true}},
        Case{"gold: projects must span two value streams",
             kGold,
             {Knowledge(), Cert(kBronze, kAwarded, kExpires), Cert(kSilver, kAwarded, kExpires)},
             {{kFac, 5, kCounted, 0},
              {kVsa, 3, kCounted, 0},
              {kMentor, 6, kCounted, 0},
              {kProject, 1, kCounted, 2},
              {kProject, 3, kCounted, 1}},
             false,
             {0, 0, 0, 1},
             {true, true, true}},
        Case{"gold: a valid silver satisfies bronze (lapsed) as well",
             kGold,
             {Knowledge(),
              Cert(kBronze, absl::CivilDay(2022, 1, 1), absl::CivilDay(2025, 1, 1),
                   pb::CERTIFICATE_STATE_EXPIRED),
              Cert(kSilver, kAwarded, kExpires)},
             {{kFac, 5, kCounted, 0},
              {kVsa, 3, kCounted, 0},
              {kMentor, 6, kCounted, 0},
              {kProject, 2, kCounted, 3}},
             true,
             {0, 0, 0, 0},
             {true, true, true}}),
    [](const ::testing::TestParamInfo<Case>& param) { return std::to_string(param.index); });

TEST(CertificationRulesTest, PrerequisitesBuildOnEachOther) {
  EXPECT_THAT(domain::Prerequisites(kBronze), ElementsAre(kKnowledge));
  EXPECT_THAT(domain::Prerequisites(kSilver), ElementsAre(kKnowledge, kBronze));
  EXPECT_THAT(domain::Prerequisites(kGold), ElementsAre(kKnowledge, kBronze, kSilver));
  EXPECT_TRUE(domain::Prerequisites(kKnowledge).empty());
}

TEST(CertificationRulesTest, ValidityRunsUntilTheDayBeforeExpiry) {
  const auto c = Cert(kBronze, absl::CivilDay(2023, 11, 22), absl::CivilDay(2026, 11, 22));
  EXPECT_TRUE(domain::IsValidOn(c, absl::CivilDay(2026, 11, 21)));
  EXPECT_FALSE(domain::IsValidOn(c, absl::CivilDay(2026, 11, 22)));
  EXPECT_FALSE(
      domain::IsValidOn(Cert(kBronze, kAwarded, kExpires, pb::CERTIFICATE_STATE_RENEWED), kToday));
  EXPECT_TRUE(domain::IsValidOn(Knowledge(), absl::CivilDay(2099, 1, 1)));  // never expires
  EXPECT_EQ(domain::WarningDay(c, 90), absl::CivilDay(2026, 8, 24));
}

TEST(CertificationRulesTest, MonthsAreAddedOnTheCalendar) {
  EXPECT_EQ(domain::AddMonths(absl::CivilDay(2026, 11, 22), 36), absl::CivilDay(2029, 11, 22));
  EXPECT_EQ(domain::AddMonths(absl::CivilDay(2026, 1, 31), 1), absl::CivilDay(2026, 2, 28));
  EXPECT_EQ(domain::AddMonths(absl::CivilDay(2027, 1, 31), 13), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(domain::AddMonths(absl::CivilDay(2026, 3, 31), 1), absl::CivilDay(2026, 4, 30));
}

TEST(CertificationRulesTest, ARenewalCountsOnlyEvidenceSinceTheHeldAward) {
  const auto bronze = Cert(kBronze, absl::CivilDay(2024, 1, 10), absl::CivilDay(2027, 1, 10));
  std::vector<pb::Evidence> evidence;
  Add(evidence, kPart, 3, absl::CivilDay(2023, 6, 1));  // before the award: not counted
  Add(evidence, kPart, 2, absl::CivilDay(2024, 2, 1));
  Add(evidence, kFac, 1, absl::CivilDay(2024, 1, 10));  // the award day counts
  Add(evidence, kVsa, 1, absl::CivilDay(2025, 5, 5));
  const auto requirements = domain::DefaultRequirements(kBronze);
  const auto early = domain::Evaluate(kBronze, requirements, {bronze}, evidence, kToday);
  EXPECT_TRUE(early.renewal());
  EXPECT_TRUE(early.prerequisites().empty());  // a recertification needs none
  EXPECT_EQ(kpo::core::ToCivil(early.evidence_since()), absl::CivilDay(2024, 1, 10));
  EXPECT_EQ(kpo::core::ToCivil(early.renewable_from()), absl::CivilDay(2026, 10, 12));
  EXPECT_EQ(Missing(early), (std::vector<int>{1, 0, 0}));
  EXPECT_EQ(domain::MissingSummary(early), "EVIDENCE_KIND_KAIZEN_PARTICIPATION=1");
  Add(evidence, kPart, 1, absl::CivilDay(2026, 9, 1));
  EXPECT_TRUE(domain::Evaluate(kBronze, requirements, {bronze}, evidence, kToday).ready());
  // Before the warning period, a complete renewal portfolio is not yet accepted.
  EXPECT_FALSE(
      domain::Evaluate(kBronze, requirements, {bronze}, evidence, absl::CivilDay(2026, 10, 11))
          .ready());
  // After expiry it is a recertification all the same.
  auto expired = bronze;
  expired.set_state(pb::CERTIFICATE_STATE_EXPIRED);
  const auto late =
      domain::Evaluate(kBronze, requirements, {expired}, evidence, absl::CivilDay(2027, 6, 1));
  EXPECT_TRUE(late.renewal());
  EXPECT_TRUE(late.ready());
}

TEST(CertificationRulesTest, CountedEvidenceIsListedOldestFirstUpToTheRequirement) {
  std::vector<pb::Evidence> evidence;
  Add(evidence, kPart, 5, absl::CivilDay(2025, 1, 1));
  std::swap(evidence[0], evidence[4]);
  const auto p = domain::Evaluate(kBronze, domain::DefaultRequirements(kBronze), {Knowledge()},
                                  evidence, kToday);
  ASSERT_EQ(p.requirements(0).counted(), 5);
  EXPECT_THAT(p.requirements(0).evidence(),
              ElementsAre(evidence[4].name(), evidence[1].name(), evidence[2].name()));
}

TEST(CertificationRulesTest, TheNextLevelFollowsWhatIsHeldAndWhatExpires) {
  domain::LevelRequirements r{domain::DefaultRequirements(kBronze),
                              domain::DefaultRequirements(kSilver),
                              domain::DefaultRequirements(kGold)};
  EXPECT_EQ(domain::NextLevel({}, r, kToday), kBronze);
  EXPECT_EQ(domain::NextLevel({Knowledge()}, r, kToday), kBronze);
  const auto bronze = Cert(kBronze, kAwarded, kExpires);
  EXPECT_EQ(domain::NextLevel({Knowledge(), bronze}, r, kToday), kSilver);
  // In its warning period (90 days before 2028-01-15): its recertification first.
  EXPECT_EQ(domain::NextLevel({Knowledge(), bronze}, r, absl::CivilDay(2027, 10, 20)), kBronze);
  EXPECT_EQ(domain::NextLevel({Knowledge(), bronze}, r, absl::CivilDay(2028, 2, 1)), kBronze);
  const auto gold = Cert(kGold, kAwarded, kExpires);
  EXPECT_EQ(domain::NextLevel({Knowledge(), bronze, gold}, r, kToday), kGold);
}

TEST(CertificationRulesTest, RequirementsNameEveryBadField) {
  pb::CertificationRequirements r = domain::DefaultRequirements(kGold);
  EXPECT_TRUE([&] {
    kpo::core::FieldViolations v;
    domain::ValidateRequirements(r, "r.", v);
    return v.empty();
  }());
  r.mutable_evidence(1)->set_kind(kFac);  // twice
  r.mutable_evidence(2)->set_count(0);
  r.mutable_evidence(3)->set_min_value_streams(11);
  r.set_validity_months(0);
  r.set_warning_days(400);
  kpo::core::FieldViolations v;
  domain::ValidateRequirements(r, "r.", v);
  std::vector<std::string> fields;
  for (const auto& f : v.violations()) fields.push_back(f.field);
  EXPECT_THAT(fields, ElementsAre("r.evidence[1].kind", "r.evidence[2].count",
                                  "r.evidence[3].min_value_streams", "r.validity_months",
                                  "r.warning_days"));
  r.clear_evidence();
  kpo::core::FieldViolations none;
  domain::ValidateRequirements(r, "r.", none);
  EXPECT_TRUE(none.Has("r.evidence"));
}

}  // namespace
}  // namespace kpo::people
