#include "domain/validation.h"

#include "absl/strings/ascii.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/auth/auth.h"

namespace kpo::people::domain {
namespace {

namespace pb = kpo::people::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Fields(const kpo::core::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& fv : v.violations()) out.push_back(fv.field);
  return out;
}

pb::Person ValidPerson() {
  pb::Person p;
  p.set_display_name("Aiko Tanaka");
  p.set_email("aiko@example.com");
  p.set_home_site("organizations/acme/sites/lyon");
  p.set_area("organizations/acme/sites/lyon/areas/assembly");
  p.add_roles(pb::TEAM_LEADER);
  p.set_manager("organizations/acme/people/boss");
  return p;
}

TEST(ValidatePersonTest, ValidPersonHasNoViolations) {
  kpo::core::FieldViolations v;
  ValidatePerson(ValidPerson(), "person.", v);
  EXPECT_THAT(Fields(v), IsEmpty());
}

struct PersonCase {
  std::string label;
  std::function<void(pb::Person&)> mutate;
  std::vector<std::string> fields;
};

class PersonRulesTest : public ::testing::TestWithParam<PersonCase> {};

TEST_P(PersonRulesTest, NamesTheOffendingField) {
  pb::Person p = ValidPerson();
  GetParam().mutate(p);
  kpo::core::FieldViolations v;
  ValidatePerson(p, "person.", v);
  EXPECT_EQ(Fields(v), GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, PersonRulesTest,
    ::testing::Values(
        PersonCase{
            "NoName", [](pb::Person& p) { p.clear_display_name(); }, {"person.display_name"}},
        PersonCase{"LongName",
                   [](pb::Person& p) { p.set_display_name(std::string(201, 'x')); },
                   {"person.display_name"}},
        PersonCase{
            "BadEmail", [](pb::Person& p) { p.set_email("not-an-email"); }, {"person.email"}},
        PersonCase{
            "EmailTwoAts", [](pb::Person& p) { p.set_email("a@b@c.com"); }, {"person.email"}},
        PersonCase{"NoSite", [](pb::Person& p) { p.clear_home_site(); }, {"person.home_site"}},
        PersonCase{
            "SiteNotAName", [](pb::Person& p) { p.set_home_site("lyon"); }, {"person.home_site"}},
        PersonCase{"AreaNotAName",
                   [](pb::Person& p) { p.set_area("organizations/acme/areas/x"); },
                   {"person.area"}},
        PersonCase{"NoRoles", [](pb::Person& p) { p.clear_roles(); }, {"person.roles"}},
        PersonCase{"UnspecifiedRole",
                   [](pb::Person& p) { p.add_roles(pb::ROLE_UNSPECIFIED); },
                   {"person.roles[1]"}},
        PersonCase{"OutOfRangeRole",
                   [](pb::Person& p) { p.add_roles(static_cast<pb::Role>(99)); },
                   {"person.roles[1]"}},
        PersonCase{"DuplicateRole",
                   [](pb::Person& p) { p.add_roles(pb::TEAM_LEADER); },
                   {"person.roles[1]"}},
        PersonCase{
            "ManagerNotAName", [](pb::Person& p) { p.set_manager("boss"); }, {"person.manager"}},
        PersonCase{"Several",
                   [](pb::Person& p) {
                     p.clear_display_name();
                     p.set_email("x");
                   },
                   {"person.display_name", "person.email"}}),
    [](const auto& test_info) { return test_info.param.label; });

TEST(ValidateOrganizationTest, Rules) {
  pb::Organization o;
  o.set_display_name("Acme");
  o.set_maturity_stage(pb::MATURITY_STAGE_PILOTING);
  auto* obj = o.add_strategic_objectives();
  obj->set_id("lead-time");
  obj->set_title("Halve lead time");
  obj->set_target_year(2028);
  kpo::core::FieldViolations ok;
  ValidateOrganization(o, "organization.", ok);
  EXPECT_TRUE(ok.empty());

  *o.add_strategic_objectives() = *obj;  // duplicate id
  o.mutable_strategic_objectives(1)->set_target_year(1999);
  o.set_maturity_stage(pb::MATURITY_STAGE_UNSPECIFIED);
  kpo::core::FieldViolations v;
  ValidateOrganization(o, "organization.", v);
  EXPECT_THAT(Fields(v),
              ElementsAre("organization.maturity_stage", "organization.strategic_objectives[1].id",
                          "organization.strategic_objectives[1].target_year"));
}

TEST(ValidateSiteTest, TimeZoneAndCode) {
  pb::Site s;
  s.set_display_name("Lyon plant");
  s.set_code("LYO");
  s.set_time_zone("Europe/Paris");
  kpo::core::FieldViolations ok;
  ValidateSite(s, "site.", ok);
  EXPECT_TRUE(ok.empty()) << ok.ToStatus();
  s.set_time_zone("Mars/Olympus");
  s.set_code("ly o");
  kpo::core::FieldViolations v;
  ValidateSite(s, "site.", v);
  EXPECT_THAT(Fields(v), ElementsAre("site.code", "site.time_zone"));
}

TEST(ValidateCoachingTest, PeopleMustDifferAndCadenceInRange) {
  pb::CoachingRelationship r;
  r.set_coach("organizations/acme/people/a");
  r.set_learner("organizations/acme/people/a");
  r.set_second_coach("organizations/acme/people/a");
  r.mutable_cadence()->set_sessions_per_week(8);
  kpo::core::FieldViolations v;
  ValidateCoachingRelationship(r, "", v);
  EXPECT_THAT(Fields(v), ElementsAre("learner", "second_coach", "cadence.sessions_per_week"));
}

TEST(NamesTest, ParseOnlyExactShapes) {
  ParsedName n;
  EXPECT_TRUE(ParseAreaName("organizations/acme/sites/lyon/areas/paint", &n));
  EXPECT_EQ(n.org, "acme");
  EXPECT_EQ(n.site, "lyon");
  EXPECT_EQ(n.id, "paint");
  EXPECT_FALSE(ParseAreaName("organizations/acme/sites/lyon", &n));
  EXPECT_FALSE(ParseSiteName("organizations/acme/sites/Lyon", &n));
  EXPECT_FALSE(ParsePersonName("organizations/acme/people/a/extra", &n));
  EXPECT_FALSE(ParseOrganizationName("organizations/ab", &n)) << "too short";
  EXPECT_FALSE(ParseOrganizationName("organizations/1acme", &n)) << "must start with a letter";
}

// A directory role is carried in tokens as its lower-case name; every role a person
// can hold must be one the token verifier knows (the finance role was added later).
TEST(RolesTest, EveryDirectoryRoleIsATokenRole) {
  const google::protobuf::EnumDescriptor* roles = pb::Role_descriptor();
  for (int i = 0; i < roles->value_count(); ++i) {
    if (roles->value(i)->number() == pb::ROLE_UNSPECIFIED) continue;
    const std::string token_role = absl::AsciiStrToLower(roles->value(i)->name());
    EXPECT_TRUE(kpo::auth::IsKnownRole(token_role)) << token_role;
  }
  EXPECT_TRUE(kpo::auth::IsKnownRole(kpo::auth::kFinance));
  EXPECT_EQ(pb::FINANCE, 8) << "a new role is appended; numbers never change";
}

}  // namespace
}  // namespace kpo::people::domain
