#include "people_csv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpo::kpoctl {
namespace {

namespace pb = kpo::people::v1;
using ::testing::ElementsAre;

TEST(ParseCsvTest, QuotesEmbeddedCommasNewlinesAndCrlf) {
  auto r = ParseCsv("a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\n\n1,,3");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_THAT((*r)[1], ElementsAre("x, y", "he said \"hi\"", "two\nlines"));
  EXPECT_THAT((*r)[2], ElementsAre("1", "", "3"));
  EXPECT_FALSE(ParseCsv("a,\"unterminated\n").ok());
  EXPECT_FALSE(ParseCsv("a,b\"c\n").ok());
}

TEST(PlanImportTest, ExpandsIdsParsesRolesAndPutsManagersFirst) {
  const std::string csv =
      "display_name,person_id,site,area,roles,manager,email\n"
      "Report,rep,lyon,assembly,team_member,boss,\n"
      "Boss,boss,lyon,,Middle_Manager|team_leader,big,\n"
      "Big,big,organizations/acme/sites/paris,,senior_leader,,\n";
  ImportPlan plan = PlanImport("acme", csv);
  ASSERT_TRUE(plan.errors.empty()) << plan.errors[0].message;
  ASSERT_EQ(plan.rows.size(), 3u);
  EXPECT_EQ(plan.rows[0].request.person_id(), "big");
  EXPECT_EQ(plan.rows[1].request.person_id(), "boss");
  EXPECT_EQ(plan.rows[2].request.person_id(), "rep");
  const pb::Person& rep = plan.rows[2].request.person();
  EXPECT_EQ(rep.home_site(), "organizations/acme/sites/lyon");
  EXPECT_EQ(rep.area(), "organizations/acme/sites/lyon/areas/assembly");
  EXPECT_EQ(rep.manager(), "organizations/acme/people/boss");
  EXPECT_EQ(plan.rows[2].line, 2);
  EXPECT_THAT(plan.rows[1].request.person().roles(),
              ElementsAre(pb::MIDDLE_MANAGER, pb::TEAM_LEADER));
  EXPECT_EQ(plan.rows[0].request.person().home_site(), "organizations/acme/sites/paris");
}

TEST(PlanImportTest, ReportsEveryLocalProblemWithItsLine) {
  ImportPlan bad_header = PlanImport("acme", "display_name,salary\nA,1\n");
  ASSERT_FALSE(bad_header.errors.empty());
  EXPECT_EQ(bad_header.errors[0].field, "salary");

  ImportPlan plan = PlanImport("acme",
                               "person_id,display_name,site,roles,manager\n"
                               "a,A,lyon,wizard,\n"
                               "a,A again,lyon,team_member,\n"
                               "b,B,lyon,team_member\n"
                               "c,C,lyon,team_member,d\n"
                               "d,D,lyon,team_member,c\n");
  std::vector<std::pair<int, std::string>> got;
  for (const auto& e : plan.errors) got.emplace_back(e.line, e.field);
  EXPECT_THAT(
      got, ElementsAre(std::pair{2, std::string("roles")}, std::pair{3, std::string("person_id")},
                       std::pair{4, std::string("")}, std::pair{6, std::string("manager")}));
}

}  // namespace
}  // namespace kpo::kpoctl
