// deploy/local/demo.sh — the demo organization the local stack loads — run with the
// real kpoctl against real services: it must keep working, and leave the kaizen events
// in the states the README promises.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/testing/harness.h"
#include "nlohmann/json.hpp"
#include "stack.h"

#ifndef KPO_SOURCE_DIR
#error "KPO_SOURCE_DIR must be defined by the build"
#endif

namespace kpo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Result {
  int code;
  std::string out;
};

Result Sh(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[8192];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WEXITSTATUS(status), out};
}

TEST(DemoTest, DemoOrganizationLoadsThroughThePublicApi) {
  Stack stack({"people", "kaizen", "daily", "reporting"});
  TempDir state;
  // The stack's signing secret where up.sh keeps it: the demo mints tokens for the people
  // who write their own development plans.
  std::ofstream(state.File("secret")) << kSecret;
  const std::string env = "KPO_PEOPLE_ADDR=" + stack.GrpcAddress("people") +
                          " KPO_KAIZEN_ADDR=" + stack.GrpcAddress("kaizen") +
                          " KPO_DAILY_ADDR=" + stack.GrpcAddress("daily") +
                          " KPO_REPORTING_ADDR=" + stack.GrpcAddress("reporting") + " KPO_TOKEN=" +
                          Stack::Token("acme", {"org_admin", "kpo_specialist"}, "demo-admin") + " ";
  const std::string kpoctl = BinaryPath("tools/kpoctl/kpoctl");
  // On any failure, what the services said (a service that died says why here).
  struct LogsOnFailure {
    Stack& stack;
    ~LogsOnFailure() {
      if (!::testing::Test::HasFailure()) return;
      for (const char* service : {"people", "kaizen", "daily", "reporting"}) {
        const std::string log = stack.ServiceLog(service);
        std::cerr << "---- " << service << " (last 6000 bytes)\n"
                  << log.substr(log.size() > 6000 ? log.size() - 6000 : 0) << "\n";
      }
    }
  } logs_on_failure{stack};
  Result load = Sh(env + "bash " + std::string(KPO_SOURCE_DIR) + "/deploy/local/demo.sh " + kpoctl +
                   " " + state.path());
  ASSERT_EQ(load.code, 0) << load.out.substr(load.out.size() > 4000 ? load.out.size() - 4000 : 0);

  Result people = Sh(env + kpoctl + " people list");
  EXPECT_THAT(people.out, HasSubstr("40 item(s)"));
  EXPECT_THAT(people.out, HasSubstr("FINANCE")) << "the finance controller who validates savings";
  Result coaching = Sh(env + kpoctl + " coaching list");
  EXPECT_THAT(coaching.out, HasSubstr("5 item(s)"));
  Result events = Sh(env + kpoctl + " events list");
  ASSERT_EQ(events.code, 0) << events.out;
  for (const char* row :
       {"lyon-press-smed", "SUSTAINED", "monterrey-warehouse-5s", "BACKSLID", "lyon-assembly-flow",
        "FOLLOW_UP", "pune-vsa", "IN_PROGRESS", "monterrey-tpm", "CHARTERED", "pune-canteen-5s",
        "CANCELLED", "monterrey-warehouse-5s-redo", "PROPOSED", "7 item(s)"}) {
    EXPECT_THAT(events.out, HasSubstr(row));
  }
  Result line = Sh(env + kpoctl + " events list --facilitator line");
  EXPECT_THAT(line.out, HasSubstr("2 item(s)"));
  Result smed = Sh(env + kpoctl + " --output json events get lyon-press-smed");
  EXPECT_THAT(smed.out, HasSubstr("\"validated\": true"));
  Result audits = Sh(env + kpoctl + " audits list --event monterrey-warehouse-5s");
  EXPECT_THAT(audits.out, HasSubstr("FAILED"));
  EXPECT_THAT(audits.out, HasSubstr("SKIPPED"));
  Result overdue = Sh(env + kpoctl + " actions list --overdue --as-of 2026-11-21");
  EXPECT_THAT(overdue.out, HasSubstr("relabel"));
  EXPECT_THAT(overdue.out, HasSubstr("kanban"));
  Result ideas = Sh(env + kpoctl + " ideas list");
  ASSERT_EQ(ideas.code, 0) << ideas.out;
  for (const char* row :
       {"STANDARDIZED", "IMPLEMENTED", "IN_PROGRESS", "ACCEPTED", "REJECTED", "WITHDRAWN",
        "SUBMITTED", "EUR 5400.00 (validated)", "USD 1500.00 (validated)", "8 item(s)"}) {
    EXPECT_THAT(ideas.out, HasSubstr(row));
  }
  // Reporting, fed only by the events, counts the demo's eight ideas and its kaizen
  // events' outcomes (this year, or the years around it when the demo ran across a new
  // year somewhere).
  const absl::CivilYear year(absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()) + 1);
  int64_t counted = 0;
  int64_t completed = 0;
  int64_t sustained = 0;
  int64_t backslid = 0;
  int64_t cycles = 0;
  int64_t kpo_people = 0;      // the most of any year
  int64_t eur_kpo_cost = 0;    // summed over the years
  int64_t knowledge = 0;       // the most Knowledge holders of any year
  int64_t targeted_pairs = 0;  // the most of any year
  int64_t aligned_ideas = 0;   // summed over the years
  int64_t practices = 0;       // summed over the years
  int64_t eur_savings = 0;     // validated one-time and recurring, summed
  Result trend;
  WaitFor(
      [&] {
        trend = Sh(env + kpoctl + " --output json trend --period year --periods 3 --date " +
                   absl::FormatCivilTime(absl::CivilDay(year)));
        if (trend.code != 0) return false;
        counted = completed = sustained = backslid = cycles = 0;
        kpo_people = eur_kpo_cost = knowledge = targeted_pairs = 0;
        aligned_ideas = practices = eur_savings = 0;
        const nlohmann::json parsed = nlohmann::json::parse(trend.out);
        for (const auto& card : parsed["scorecards"]) {
          counted += std::stoll(card["daily_kaizen"].value("ideas_submitted", "0"));
          const auto& kaizen = card["kaizen_events"];
          completed += std::stoll(kaizen.value("events_completed", "0"));
          sustained += std::stoll(kaizen.value("events_sustained", "0"));
          backslid += std::stoll(kaizen.value("events_backslid", "0"));
          cycles += std::stoll(card["coaching"].value("coaching_cycles", "0"));
          kpo_people = std::max<int64_t>(
              kpo_people,
              std::stoll(
                  card.value("kpo_footprint", nlohmann::json::object()).value("kpo_people", "0")));
          for (const auto& currency : card.value("money", nlohmann::json::object())
                                          .value("currencies", nlohmann::json::array())) {
            if (currency.value("currency_code", "") != "EUR") continue;
            eur_kpo_cost += std::stoll(
                currency.value("kpo_cost", nlohmann::json::object()).value("minor_units", "0"));
            for (const char* kind : {"one_time_savings", "recurring_savings"}) {
              eur_savings += std::stoll(
                  currency.value(kind, nlohmann::json::object()).value("minor_units", "0"));
            }
          }
          aligned_ideas += std::stoll(card.value("alignment", nlohmann::json::object())
                                          .value("aligned_ideas", nlohmann::json::object())
                                          .value("numerator", "0"));
          practices += std::stoll(
              card.value("yokoten", nlohmann::json::object()).value("practices_shared", "0"));
          const auto development = card.value("people_development", nlohmann::json::object());
          for (const auto& level : development.value("certifications", nlohmann::json::array())) {
            if (level.value("level", "") != "CERTIFICATION_LEVEL_KNOWLEDGE") continue;
            knowledge = std::max<int64_t>(knowledge, std::stoll(level.value("holders", "0")));
          }
          targeted_pairs = std::max<int64_t>(
              targeted_pairs,
              std::stoll(development.value("skills_coverage", nlohmann::json::object())
                             .value("denominator", "0")));
        }
        return counted == 8 && sustained == 1 && backslid == 1 && cycles > 0 && kpo_people > 0 &&
               eur_kpo_cost > 0 && knowledge > 0 && targeted_pairs > 0 && aligned_ideas > 0 &&
               practices > 0 && eur_savings > 0;
      },
      absl::Seconds(30));
  EXPECT_EQ(counted, 8) << trend.out;
  // And its kaizen events: Lyon's SMED sustained, Monterrey's 5S backslid.
  EXPECT_EQ(sustained, 1) << trend.out;
  EXPECT_EQ(backslid, 1) << trend.out;
  EXPECT_GE(completed, 3) << trend.out;
  EXPECT_GT(cycles, 0) << trend.out;  // the storyboards' coaching cycles
  // People development and the KPO office, from the people service's events: the KPO's
  // members and their cost in euros, the Knowledge exams, Lyon's assessed skills against
  // the roles' target profiles.
  EXPECT_GT(kpo_people, 0) << trend.out;
  EXPECT_GT(eur_kpo_cost, 0) << trend.out;
  EXPECT_GT(knowledge, 0) << trend.out;
  EXPECT_GT(targeted_pairs, 0) << trend.out;
  // Money, alignment and yokoten, from the daily and kaizen services' events: validated
  // savings in euros, ideas linked to the strategic objectives, the practice Lyon shared.
  EXPECT_GT(eur_savings, 0) << trend.out;
  EXPECT_GT(aligned_ideas, 0) << trend.out;
  EXPECT_GT(practices, 0) << trend.out;
  // The demo's sites ranked by ideas submitted this year: every site, ranks from 1.
  Result ranking =
      Sh(env + kpoctl + " ranking --period year --figure daily_kaizen.ideas_submitted");
  ASSERT_EQ(ranking.code, 0) << ranking.out;
  EXPECT_THAT(ranking.out, HasSubstr("lyon"));
  EXPECT_THAT(ranking.out, HasSubstr("RANK"));
  Result unknown = Sh(env + kpoctl + " ranking --figure daily_kaizen.nope");
  EXPECT_NE(unknown.code, 0);
  EXPECT_THAT(unknown.out, HasSubstr("figure"));
  // The organization's last three quarters as CSV, streamed: the header, then rows.
  Result csv = Sh(env + kpoctl + " export --period quarter --periods 3");
  ASSERT_EQ(csv.code, 0) << csv.out;
  EXPECT_EQ(csv.out.rfind("scope,granularity,period_start,period_end,figure,value", 0), 0u)
      << csv.out.substr(0, 200);
  EXPECT_THAT(csv.out, HasSubstr("organizations/acme/scorecard,quarter,"));
  EXPECT_THAT(csv.out, HasSubstr(",kpo_footprint.line_led_share,"));
  Result card = Sh(env + kpoctl + " scorecard lyon --period year");
  ASSERT_EQ(card.code, 0) << card.out;
  EXPECT_THAT(card.out, HasSubstr("daily_kaizen.participation_rate"));
  EXPECT_THAT(card.out, HasSubstr("complete through"));
  EXPECT_THAT(card.out, Not(HasSubstr("period."))) << "the period is the header, not a figure";
  EXPECT_THAT(card.out, Not(HasSubstr("freshness.")));
  // Every service by default.
  Result status = Sh(env + kpoctl + " ops status");
  for (const char* row : {"people ", "kaizen ", "daily ", "reporting "}) {
    EXPECT_THAT(status.out, HasSubstr(row)) << status.out;
  }
  Result circle = Sh(env + kpoctl + " ideas list --circle lyon-machining-circle");
  EXPECT_THAT(circle.out, HasSubstr("lyon-shadow-board"));
  EXPECT_THAT(circle.out, HasSubstr("1 item(s)"));
  Result waiting = Sh(env + kpoctl + " ideas list --state submitted --reviewer lyon-tl-1");
  EXPECT_THAT(waiting.out, HasSubstr("lyon-label-printer"));
  // Improvement kata: storyboards with experiments and cycles; Monterrey's team leader
  // (last cycle 12 days ago) and Pune's team member (never) are overdue for coaching.
  Result boards = Sh(env + kpoctl + " storyboards list");
  ASSERT_EQ(boards.code, 0) << boards.out;
  EXPECT_THAT(boards.out, HasSubstr("3 item(s)"));
  Result experiments = Sh(env + kpoctl + " experiments list lyon-tl-1-flow");
  EXPECT_THAT(experiments.out, HasSubstr("2 item(s)"));
  Result overdue_learners = Sh(env + kpoctl + " cadence --overdue 7");
  ASSERT_EQ(overdue_learners.code, 0) << overdue_learners.out;
  EXPECT_THAT(overdue_learners.out, HasSubstr("monterrey-tl-1"));
  EXPECT_THAT(overdue_learners.out, HasSubstr("pune-tm-5"));
  EXPECT_THAT(overdue_learners.out, Not(HasSubstr("\nlyon-tl-1 "))) << "coached yesterday";
  EXPECT_THAT(overdue_learners.out, Not(HasSubstr("\nlyon-mgr "))) << "coached 2 days ago";
  Result kpo_cycles = Sh(env + kpoctl + " coaching-cycles list --coach kpo-lead");
  EXPECT_THAT(kpo_cycles.out, HasSubstr("KPO"));
  // Gemba walks; one follow-up overdue, one done, one not yet due.
  Result walks = Sh(env + kpoctl + " gemba list");
  EXPECT_THAT(walks.out, HasSubstr("2 item(s)"));
  Result late = Sh(env + kpoctl + " follow-ups list --overdue");
  ASSERT_EQ(late.code, 0) << late.out;
  EXPECT_THAT(late.out, HasSubstr("kits"));
  EXPECT_THAT(late.out, HasSubstr("1 item(s)"));
  // Yokoten: one practice, a task in each state.
  Result tasks = Sh(env + kpoctl + " deployment-tasks list --practice shadow-board");
  ASSERT_EQ(tasks.code, 0) << tasks.out;
  for (const char* outcome : {"OPEN", "ADOPTED", "ADAPTED", "NOT_APPLICABLE"}) {
    EXPECT_THAT(tasks.out, HasSubstr(outcome));
  }
  Result practice = Sh(env + kpoctl + " --output json practices get shadow-board");
  EXPECT_THAT(practice.out, HasSubstr("\"adopted_tasks\": 1"));
  // People development: lyon-tl-1 against the team leader's profile (talent development
  // never assessed, standard work one below), and the assembly line's gaps, where only
  // lyon-tm-1 meets every target of a team member.
  Result profile = Sh(env + kpoctl + " --output json skills profile lyon-tl-1");
  ASSERT_EQ(profile.code, 0) << profile.out;
  EXPECT_THAT(profile.out, HasSubstr("\"total_gap\": 3"));
  EXPECT_THAT(profile.out, HasSubstr("\"competencies_below_target\": 2"));
  Result matrix = Sh(env + kpoctl + " skills matrix --area lyon/assembly --gaps-only");
  ASSERT_EQ(matrix.code, 0) << matrix.out;
  EXPECT_THAT(matrix.out, HasSubstr("4 people;"));
  EXPECT_THAT(matrix.out, HasSubstr("\nlyon-tm-2 "));
  EXPECT_THAT(matrix.out, Not(HasSubstr("\nlyon-tm-1 ")));
  // The KPO lead, in the office at corporate level, is targeted by the corporate profile.
  Result lead = Sh(env + kpoctl + " --output json skills profile kpo-lead");
  EXPECT_THAT(lead.out, HasSubstr("targetProfiles/kpo-corporate"));
  Result history = Sh(env + kpoctl + " assessments list lyon-tl-1 --competency coaching-kata");
  EXPECT_THAT(history.out, HasSubstr("2 item(s)"));
  // Portfolios: lyon-mgr's hand-entered project is counted; mentoring was credited from
  // the coaching cycles (lyon-mgr coaches lyon-tl-1) by the people service's consumer.
  Result project = Sh(env + kpoctl + " evidence list lyon-mgr --kind transformation_project");
  EXPECT_THAT(project.out, HasSubstr("counted"));
  EXPECT_THAT(project.out, HasSubstr("by hand"));
  Result mentoring;
  EXPECT_TRUE(WaitFor([&] {
    mentoring = Sh(env + kpoctl + " evidence list lyon-mgr --kind mentoring");
    return mentoring.out.find(" mentoring ") != std::string::npos;  // a KIND cell
  })) << mentoring.out;
  Result facilitation;
  EXPECT_TRUE(WaitFor([&] {
    facilitation = Sh(env + kpoctl + " evidence list --kind kaizen_facilitation");
    return facilitation.out.find("4 item(s)") != std::string::npos;
  })) << facilitation.out
      << "\nthe three completed demo events, one facilitator each, and monterrey-tl-1's "
         "paper-portfolio facilitation";
  // Certification: lyon-mgr holds Bronze (a credited facilitation and paper-portfolio
  // work); monterrey-tl-1's application waits for a certifier; lyon-tm-1 is shown what
  // is still missing.
  Result bronze = Sh(env + kpoctl + " certification certificates --person lyon-mgr --level bronze");
  ASSERT_EQ(bronze.code, 0) << bronze.out;
  EXPECT_THAT(bronze.out, HasSubstr(" valid "));
  EXPECT_THAT(bronze.out, HasSubstr("bronze-1"));
  Result queue = Sh(env + kpoctl + " certification applications --state submitted");
  EXPECT_THAT(queue.out, HasSubstr("monterrey-tl-1-bronze"));
  EXPECT_THAT(queue.out, HasSubstr("1 item(s)"));
  Result needs = Sh(env + kpoctl + " --output json certification progress lyon-tm-1");
  ASSERT_EQ(needs.code, 0) << needs.out;
  EXPECT_THAT(needs.out, HasSubstr("\"level\": \"CERTIFICATION_LEVEL_BRONZE\""));
  EXPECT_THAT(needs.out, HasSubstr("\"counted\": 2"));  // the two events lyon-tm-1 was on
  EXPECT_THAT(needs.out, Not(HasSubstr("\"ready\": true")));
  EXPECT_THAT(needs.out, HasSubstr("\"kind\": \"EVIDENCE_KIND_KAIZEN_FACILITATION\",\n   "
                                   "\"required\": 1,\n   \"missing\": 1"));
  Result silver = Sh(env + kpoctl + " certification progress lyon-mgr");
  EXPECT_THAT(silver.out, HasSubstr("lyon-mgr: silver - not ready yet"));
  // The curriculum: a full session with one person waiting; a session held during the
  // demo with two completions, one attendance without a pass and one no-show.
  Result kata = Sh(env + kpoctl + " --output json training-sessions get lyon-kata-dec");
  ASSERT_EQ(kata.code, 0) << kata.out;
  EXPECT_THAT(kata.out, HasSubstr("\"enrolled_count\": 3"));
  EXPECT_THAT(kata.out, HasSubstr("\"waitlisted_count\": 1"));
  Result roster = Sh(env + kpoctl + " enrolments list lyon-lean-basics --state completed");
  EXPECT_THAT(roster.out, HasSubstr("2 item(s)"));
  Result record = Sh(env + kpoctl + " enrolments list --person lyon-tm-4");
  EXPECT_THAT(record.out, HasSubstr("no_show"));
  // lyon-tm-1's development plan, written by them and their team leader: the book read,
  // the course done, the Bronze goal under way, a visit planned.
  Result plan = Sh(env + kpoctl + " plan show lyon-tm-1");
  ASSERT_EQ(plan.code, 0) << plan.out;
  EXPECT_THAT(plan.out, HasSubstr("1 planned, 1 in progress, 2 done"));
  EXPECT_THAT(plan.out, HasSubstr("Toyota Kata"));

  // An operator rebuilds reporting's projections from the topics: every section of every
  // scope's scorecards is the same afterwards (the freshness aside: when it was applied).
  auto figures = [&](const std::string& scope) {
    Result r = Sh(env + kpoctl + " --output json trend " + scope + " --period quarter --periods 8");
    nlohmann::json parsed = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    if (r.code != 0 || parsed.is_discarded()) return "failed: " + r.out;
    parsed.erase("freshness");
    return parsed.dump(1);
  };
  const std::vector<std::string> scopes = {"", "lyon", "pune", "monterrey", "lyon/assembly"};
  std::vector<std::string> incremental;
  for (const std::string& scope : scopes) incremental.push_back(figures(scope));
  const std::string op =
      "KPO_TOKEN=" + Stack::Token("acme", {"platform_operator"}, "kpo-operations") + " ";
  Result rebuild = Sh(env + op + kpoctl + " projections rebuild --wait --timeout 120");
  ASSERT_EQ(rebuild.code, 0) << rebuild.out;
  EXPECT_THAT(rebuild.out, HasSubstr("generation 1 serves"));
  Result generations = Sh(env + op + kpoctl + " projections list");
  EXPECT_THAT(generations.out, HasSubstr("retired"));
  for (size_t i = 0; i < scopes.size(); ++i) {
    EXPECT_EQ(figures(scopes[i]), incremental[i]) << "scope '" << scopes[i] << "'";
  }
}

}  // namespace
}  // namespace kpo::testing
