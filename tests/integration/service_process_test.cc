// A service binary's behaviour as a process: configuration errors and shutdown.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/testing/harness.h"

namespace kpo::testing {
namespace {

using ::testing::HasSubstr;

struct Exit {
  int code;
  std::string output;
};

Exit RunToExit(const std::vector<std::string>& argv, std::map<std::string, std::string> env,
               const TempDir& dir) {
  Process p(argv, std::move(env), dir.File("out.log"));
  EXPECT_TRUE(WaitFor([&] { return !p.Running(); }, absl::Seconds(20)));
  return {p.Stop(), ReadFile(dir.File("out.log"))};
}

TEST(ServiceProcessTest, BadConfigurationStopsWithOneClearLine) {
  TempDir dir;
  const std::string bin = BinaryPath("services/people/kpo-people");
  const std::map<std::string, std::string> good = {{"KPO_DATABASE_PATH", dir.File("p.db")},
                                                   {"KPO_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"},
                                                   {"KPO_AUTH_HS256_SECRET", std::string(40, 's')},
                                                   {"KPO_GRPC_LISTEN", "127.0.0.1:0"},
                                                   {"KPO_METRICS_LISTEN", ""}};

  auto missing = good;
  missing.erase("KPO_DATABASE_PATH");
  Exit e = RunToExit({bin}, missing, dir);
  EXPECT_EQ(e.code, 2);
  EXPECT_THAT(e.output, HasSubstr("database.path"));
  EXPECT_EQ(std::count(e.output.begin(), e.output.end(), '\n'), 1) << e.output;

  auto bad_value = good;
  bad_value["KPO_OUTBOX_RETENTION"] = "a week";
  e = RunToExit({bin}, bad_value, dir);
  EXPECT_EQ(e.code, 2);
  EXPECT_THAT(e.output, HasSubstr("KPO_OUTBOX_RETENTION"));

  auto short_secret = good;
  short_secret["KPO_AUTH_HS256_SECRET"] = "short";
  e = RunToExit({bin}, short_secret, dir);
  EXPECT_EQ(e.code, 2);
  EXPECT_THAT(e.output, HasSubstr("32 bytes"));

  std::ofstream(dir.File("typo.yaml")) << "grpc:\n  lisen: 127.0.0.1:0\n";
  e = RunToExit({bin, "--config", dir.File("typo.yaml")}, good, dir);
  EXPECT_EQ(e.code, 2);
  EXPECT_THAT(e.output, HasSubstr("grpc.lisen"));

  e = RunToExit({bin, "--config", dir.File("nope.yaml")}, good, dir);
  EXPECT_EQ(e.code, 2);
  EXPECT_THAT(e.output, HasSubstr("cannot read"));
}

TEST(ServiceProcessTest, SigtermShutsDownCleanly) {
  TempDir dir;
  Process p({BinaryPath("services/people/kpo-people")},
            {{"KPO_DATABASE_PATH", dir.File("p.db")},
             {"KPO_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"},
             {"KPO_AUTH_HS256_SECRET", std::string(40, 's')},
             {"KPO_GRPC_LISTEN", "127.0.0.1:0"},
             {"KPO_METRICS_LISTEN", "127.0.0.1:0"},
             {"KPO_RUNTIME_FILE", dir.File("rt.json")}},
            dir.File("out.log"));
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(dir.File("rt.json")); }))
      << ReadFile(dir.File("out.log"));
  // The broker address is unreachable: librdkafka will complain; wait until it has.
  ASSERT_TRUE(WaitFor([&] {
    return ReadFile(dir.File("out.log")).find("\"component\":\"librdkafka\"") != std::string::npos;
  })) << ReadFile(dir.File("out.log"));
  EXPECT_EQ(p.Stop(), 0) << ReadFile(dir.File("out.log"));
  const std::string log = ReadFile(dir.File("out.log"));
  EXPECT_THAT(log, HasSubstr("\"msg\":\"stopped\""));
  // One JSON object per line, librdkafka's complaints about the unreachable broker too.
  std::istringstream lines(log);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_TRUE(nlohmann::json::accept(line)) << "not JSON: " << line;
  }
  EXPECT_GT(count, 2);
}

}  // namespace
}  // namespace kpo::testing
