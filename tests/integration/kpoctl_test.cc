// kpoctl as users run it: the real binary against the real stack.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "stack.h"

namespace kpo::testing {
namespace {

namespace pb = kpo::people::v1;
using ::testing::HasSubstr;

struct Result {
  int code;
  std::string out;
};

class KpoctlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { stack_ = new Stack({"people"}); }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  // Runs kpoctl with the stack's address and `token`; captures stdout and stderr.
  Result Run(const std::string& args, const std::string& token) {
    const std::string cmd = "KPO_PEOPLE_ADDR=" + stack_->GrpcAddress("people") +
                            " KPO_TOKEN=" + token + " " + BinaryPath("tools/kpoctl/kpoctl") + " " +
                            args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
    const int status = pclose(p);
    return {WEXITSTATUS(status), out};
  }

  int64_t CountPeople(const std::string& token) {
    Result r = Run("--output json people list", token);
    EXPECT_EQ(r.code, 0) << r.out;
    size_t count = 0, pos = 0;
    while ((pos = r.out.find("\"organizations/", pos)) != std::string::npos) {
      ++pos;
      ++count;
    }
    return static_cast<int64_t>(count);
  }

  static Stack* stack_;
  TempDir dir_;
};

Stack* KpoctlTest::stack_ = nullptr;

TEST_F(KpoctlTest, MintsTokensAndManagesTheDirectory) {
  Result minted =
      Run(std::string("token mint --org cli-org --roles org_admin --secret ") + kSecret, "");
  ASSERT_EQ(minted.code, 0) << minted.out;
  const std::string token = minted.out.substr(0, minted.out.find('\n'));
  Result org =
      Run("orgs create cli-org --display-name 'CLI org' --maturity piloting "
          "--objective lead-time:'Halve lead time':2028",
          token);
  ASSERT_EQ(org.code, 0) << org.out;
  EXPECT_THAT(org.out, HasSubstr("MATURITY_STAGE_PILOTING"));
  ASSERT_EQ(Run("sites create lyon --display-name Lyon --time-zone Europe/Paris", token).code, 0);
  ASSERT_EQ(
      Run("areas create lyon assembly --display-name Assembly --kind value_stream", token).code, 0);
  ASSERT_EQ(
      Run("people create boss --display-name Boss --site lyon --roles middle_manager", token).code,
      0);
  ASSERT_EQ(Run("people create ann --display-name Ann --site lyon --area assembly "
                "--roles team_leader --manager boss",
                token)
                .code,
            0);
  Result list = Run("people list --site lyon --role team_leader", token);
  ASSERT_EQ(list.code, 0) << list.out;
  EXPECT_THAT(list.out, HasSubstr("ann"));
  EXPECT_THAT(list.out, HasSubstr("1 item(s)"));
  ASSERT_EQ(Run("coaching create --id c1 --coach boss --learner ann --per-week 3", token).code, 0);
  Result upd = Run("people update ann --display-name 'Ann Lee'", token);
  ASSERT_EQ(upd.code, 0) << upd.out;
  EXPECT_THAT(upd.out, HasSubstr("Ann Lee"));
  Result bad = Run("people create x --display-name '' --site lyon --roles team_member", token);
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.out, HasSubstr("person.display_name: is required"));
  Result denied =
      Run("people get organizations/cli-org/people/ann", Stack::Token("globex", {"org_admin"}));
  EXPECT_EQ(denied.code, 1);
  EXPECT_THAT(denied.out, HasSubstr("PERMISSION_DENIED"));
}

TEST_F(KpoctlTest, ImportsThousandsOfPeopleAllOrNothing) {
  const std::string token = Stack::Token("import-org", {"org_admin"});
  ASSERT_EQ(Run("orgs create import-org --display-name Import --maturity initiating", token).code,
            0);
  ASSERT_EQ(Run("sites create s1 --display-name S1 --time-zone UTC", token).code, 0);
  ASSERT_EQ(Run("areas create s1 line --display-name Line --kind process", token).code, 0);

  // A file with two bad rows among 3,000: nothing is imported, both lines are named.
  const std::string bad_csv = dir_.File("bad.csv");
  {
    std::ofstream out(bad_csv);
    out << "person_id,display_name,email,site,area,roles,manager\n";
    for (int i = 0; i < 3000; ++i) {
      std::string email = i == 1200 ? "broken-email" : "p" + std::to_string(i) + "@x.example";
      std::string site = i == 2500 ? "nowhere" : "s1";
      out << "p" << i << ",Person " << i << "," << email << "," << site << ","
          << (i == 2500 ? "" : "line") << "," << (i % 50 == 0 ? "team_leader" : "team_member")
          << "," << (i % 50 == 0 ? "" : "p" + std::to_string(i - i % 50)) << "\n";
    }
  }
  Result bad = Run("people import " + bad_csv, token);
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("bad.csv:1202: person.email"));
  EXPECT_THAT(bad.out, HasSubstr("bad.csv:2502: person.home_site"));
  EXPECT_THAT(bad.out, HasSubstr("nothing was imported"));
  EXPECT_EQ(CountPeople(token), 0);

  // The same file fixed: all 3,000 arrive, managers resolved within the file.
  const std::string good_csv = dir_.File("good.csv");
  {
    std::ofstream out(good_csv);
    out << "person_id,display_name,email,site,area,roles,manager\n";
    for (int i = 2999; i >= 0; --i) {  // reports before managers: kpoctl orders them
      out << "p" << i << ",Person " << i << ",p" << i << "@x.example,s1,line,"
          << (i % 50 == 0 ? "team_leader" : "team_member") << ","
          << (i % 50 == 0 ? "" : "p" + std::to_string(i - i % 50)) << "\n";
    }
  }
  Result good = Run("people import " + good_csv, token);
  ASSERT_EQ(good.code, 0) << good.out;
  EXPECT_THAT(good.out, HasSubstr("3000 people imported"));
  Result again = Run("people import " + good_csv, token);
  EXPECT_EQ(again.code, 0) << "re-running the same import is a no-op: " << again.out;
  Result leaders = Run("people list --role team_leader", token);
  EXPECT_THAT(leaders.out, HasSubstr("60 item(s)"));
}

}  // namespace
}  // namespace kpo::testing
