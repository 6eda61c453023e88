// kpoctl: the command-line client of the KPO platform. See `kpoctl --help` and the
// root README. Exit codes: 0 success, 1 the server refused or failed, 2 bad usage.
#include <grpcpp/grpcpp.h>
#include <sodium.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "certification_commands.h"
#include "cli.h"
#include "curriculum_commands.h"
#include "daily_commands.h"
#include "development_commands.h"
#include "gemba_commands.h"
#include "google/protobuf/util/time_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kaizen_commands.h"
#include "kata_commands.h"
#include "kpo/auth/auth.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/trace.h"
#include "kpo/ops/v1/ops_service.grpc.pb.h"
#include "kpo/people/v1/people_service.grpc.pb.h"
#include "kpo/rpc/status.h"
#include "ops_commands.h"
#include "output.h"
#include "people_commands.h"
#include "people_csv.h"
#include "plan_commands.h"
#include "reporting_commands.h"
#include "yokoten_commands.h"

namespace kpo::kpoctl {
namespace {

namespace pb = kpo::people::v1;
namespace ops = kpo::ops::v1;
using google::protobuf::Message;
// `token mint`: HS256 tokens for the local stack.
void AddTokenCommands(CLI::App& app, int& rc) {
  // Options live for the whole process: CLI11 keeps pointers to them.
  auto* token = app.add_subcommand("token", "tokens for the local stack")->require_subcommand(1);
  auto* mint = token->add_subcommand("mint", "sign an HS256 token (local stack)");
  static std::string m_org, m_subject = "kpoctl", m_roles, m_secret, m_secret_file, m_ttl = "12h";
  mint->add_option("--org", m_org, "organization id")->required();
  mint->add_option("--roles", m_roles, "comma-separated roles, e.g. org_admin,kpo_specialist")
      ->required();
  mint->add_option("--subject", m_subject, "who the token speaks for");
  mint->add_option("--ttl", m_ttl, "lifetime, e.g. 12h");
  mint->add_option("--secret", m_secret, "HS256 secret (KPO_AUTH_HS256_SECRET)");
  mint->add_option("--secret-file", m_secret_file, "file holding the HS256 secret");
  mint->callback([=, &rc] {
    kpo::auth::MintOptions o;
    o.organization_id = m_org;
    o.subject = m_subject;
    o.hs256_secret = m_secret.empty() ? EnvOr("KPO_AUTH_HS256_SECRET", "") : m_secret;
    if (!m_secret_file.empty()) {
      std::ifstream in(m_secret_file);
      std::getline(in, o.hs256_secret);
    }
    for (absl::string_view r : absl::StrSplit(m_roles, ',', absl::SkipWhitespace())) {
      if (!kpo::auth::IsKnownRole(r)) {
        std::cerr << "error: unknown role '" << r << "'\n";
        rc = 2;
        return;
      }
      o.roles.emplace_back(r);
    }
    if (!absl::ParseDuration(m_ttl, &o.ttl)) {
      std::cerr << "error: --ttl must be a duration such as 12h\n";
      rc = 2;
      return;
    }
    auto t = kpo::auth::MintHs256(o, absl::Now());
    if (!t.ok()) {
      std::cerr << "error: " << t.status().message() << "\n";
      rc = 2;
      return;
    }
    std::cout << *t << "\n";
  });
}

int Run(int argc, char** argv) {
  CLI::App app{"kpoctl: command-line client of the KPO platform"};
  app.require_subcommand(1);
  g.people = EnvOr("KPO_PEOPLE_ADDR", g.people);
  g.kaizen = EnvOr("KPO_KAIZEN_ADDR", g.kaizen);
  g.daily = EnvOr("KPO_DAILY_ADDR", g.daily);
  g.reporting = EnvOr("KPO_REPORTING_ADDR", g.reporting);
  g.token = EnvOr("KPO_TOKEN", "");
  app.add_option("--people", g.people, "people service address (KPO_PEOPLE_ADDR)");
  app.add_option("--kaizen", g.kaizen, "kaizen service address (KPO_KAIZEN_ADDR)");
  app.add_option("--daily", g.daily, "daily service address (KPO_DAILY_ADDR)");
  app.add_option("--reporting", g.reporting, "reporting service address (KPO_REPORTING_ADDR)");
  app.add_option("--token", g.token, "bearer token (KPO_TOKEN)");
  app.add_option("-o,--output", g.output,
                 "table, json or csv (csv: the commands that print tables)")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  app.add_option("--timeout", g.timeout_seconds, "seconds per call");
  int rc = 0;

  AddTokenCommands(app, rc);
  AddPeopleCommands(app, rc);
  AddDevelopmentCommands(app, rc);
  AddCertificationCommands(app, rc);
  AddCurriculumCommands(app, rc);
  AddPlanCommands(app, rc);
  AddKaizenCommands(app, rc);
  AddDailyCommands(app, rc);
  AddKataCommands(app, rc);
  AddGembaCommands(app, rc);
  AddYokotenCommands(app, rc);
  AddReportingCommands(app, rc);
  AddOpsCommands(app, rc);
  AddHealthCommand(app, rc);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return rc;
}

}  // namespace
}  // namespace kpo::kpoctl

int main(int argc, char** argv) { return kpo::kpoctl::Run(argc, argv); }
