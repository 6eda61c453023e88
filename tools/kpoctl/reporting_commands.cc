#include "reporting_commands.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "cli.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/reporting/v1/projection_service.grpc.pb.h"
#include "kpo/reporting/v1/reporting_service.grpc.pb.h"
#include "output.h"
#include "values.h"

namespace kpo::kpoctl {
namespace {

namespace pb = kpo::reporting::v1;

struct Opts {
  std::string scope, period = "month", date, figure;
  int periods = 12;
  bool ascending = false;
  bool wait = false;
  int timeout_s = 3600;
};
Opts o;

std::unique_ptr<pb::ReportingService::Stub> Stub() {
  return pb::ReportingService::NewStub(Channel(g.reporting));
}

// "" -> the organization; "lyon" -> a site; "lyon/press" -> one of its areas; full
// names pass through.
std::string ScorecardName(const std::string& scope) {
  if (absl::StartsWith(scope, "organizations/")) {
    return absl::EndsWith(scope, "/scorecard") ? scope : scope + "/scorecard";
  }
  if (scope.empty()) return OrgName() + "/scorecard";
  const std::vector<std::string> parts = absl::StrSplit(scope, '/');
  if (parts.size() == 1) return Name("sites", parts[0]) + "/scorecard";
  if (parts.size() == 2) return AreaName(parts[0], parts[1]) + "/scorecard";
  Usage("scope: a site (lyon), an area (lyon/press) or nothing for the organization");
}

pb::Period PeriodOption() {
  pb::Period p;
  p.set_granularity(ParseEnum<pb::Granularity>(o.period, pb::Granularity_Parse, "period",
                                               "week, month, quarter, year", "GRANULARITY_"));
  if (!o.date.empty()) *p.mutable_start_date() = Must(ParseDate(o.date));
  return p;
}

std::string Freshness(const pb::Freshness& f) {
  if (!f.has_complete_through()) return "no events applied yet";
  return absl::StrCat(
      "complete through ", google::protobuf::util::TimeUtil::ToString(f.complete_through()),
      f.pending_records() == 0 ? " (caught up)"
                               : absl::StrCat(" (", f.pending_records(), " records pending)"));
}

std::string PeriodText(const pb::Period& p) {
  return absl::StrCat(FormatDate(p.start_date()), "..", FormatDate(p.end_date()));
}

// The figures of a scorecard, its sections in order (not its name, period or freshness).
std::vector<std::pair<std::string, std::string>> Figures(const pb::Scorecard& card) {
  pb::Scorecard sections = card;
  sections.clear_name();
  sections.clear_period();
  sections.clear_freshness();
  auto all = FlattenFigures(sections);
  // Only the sections' figures: the cleared name, period and freshness still flatten
  // (as empty values), and must not show as figures.
  all.erase(std::remove_if(all.begin(), all.end(),
                           [](const auto& f) {
                             return f.first.find('.') == std::string::npos ||
                                    absl::StartsWith(f.first, "period.") ||
                                    absl::StartsWith(f.first, "freshness.");
                           }),
            all.end());
  return all;
}

// The number a figure's readable value starts with ("62.5% (5/8)" -> 62.5, "EUR 12.50"
// -> 12.5); 0 for n/a or "-".
double Leading(std::string text) {
  if (text.size() > 4 && text[3] == ' ' && std::isupper(static_cast<unsigned char>(text[0]))) {
    text = text.substr(4);  // a currency code
  }
  double v = 0;
  (void)absl::SimpleAtod(text.substr(0, text.find_first_of(" %")), &v);
  return v;
}

void AddScorecard(CLI::App& app, int& rc) {
  auto* cmd =
      app.add_subcommand("scorecard", "an organization's, site's or area's figures for one period");
  cmd->add_option("scope", o.scope, "a site (lyon), an area (lyon/press); none: the organization");
  cmd->add_option("--period", o.period, "week, month, quarter or year")->capture_default_str();
  cmd->add_option("--date", o.date, "a day of the period, YYYY-MM-DD (default: today there)");
  cmd->callback([&rc] {
    pb::GetScorecardRequest r;
    r.set_name(ScorecardName(o.scope));
    *r.mutable_period() = PeriodOption();
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::Scorecard card;
    if (grpc::Status s = Stub()->GetScorecard(&ctx, r, &card); !s.ok()) {
      rc = Fail(s);
      return;
    }
    if (g.output == "json") {
      Render(card);
      return;
    }
    Table t({"FIGURE", "VALUE"});
    for (auto& [path, value] : Figures(card)) t.Add({path, value});
    if (g.output != "csv") {
      std::cout << card.name() << "  " << PeriodText(card.period()) << "  "
                << Freshness(card.freshness()) << "\n";
    }
    Show(t);
  });
}

void AddTrend(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand(
      "trend", "consecutive periods ending with the given one: every figure, or one as a chart");
  cmd->add_option("scope", o.scope, "a site (lyon), an area (lyon/press); none: the organization");
  cmd->add_option("--period", o.period, "week, month, quarter or year")->capture_default_str();
  cmd->add_option("--date", o.date, "a day of the last period, YYYY-MM-DD (default: today)");
  cmd->add_option("--periods", o.periods, "how many, 1-120")->capture_default_str();
  cmd->add_option("--figure", o.figure,
                  "one figure, e.g. daily_kaizen.ideas_submitted: a row per period with a chart");
  cmd->callback([&rc] {
    pb::QueryScorecardTrendRequest r;
    r.set_name(ScorecardName(o.scope));
    *r.mutable_period() = PeriodOption();
    r.set_periods(o.periods);
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::QueryScorecardTrendResponse trend;
    if (grpc::Status s = Stub()->QueryScorecardTrend(&ctx, r, &trend); !s.ok()) {
      rc = Fail(s);
      return;
    }
    if (g.output == "json") {
      Render(trend);
      return;
    }
    if (g.output != "csv") std::cout << r.name() << "  " << Freshness(trend.freshness()) << "\n";
    if (o.figure.empty()) {
      // A row per figure, a column per period: the spreadsheet layout.
      std::vector<std::string> headers = {"FIGURE"};
      for (const auto& card : trend.scorecards()) {
        headers.push_back(FormatDate(card.period().start_date()));
      }
      Table t(headers);
      // Rows in the order figures first appear: a currency or an objective may show in
      // some periods only ("-" in the others).
      std::vector<std::vector<std::string>> rows;
      std::map<std::string, size_t> row_of;
      const size_t columns = static_cast<size_t>(trend.scorecards_size()) + 1;
      for (int i = 0; i < trend.scorecards_size(); ++i) {
        for (const auto& [path, value] : Figures(trend.scorecards(i))) {
          auto [it, inserted] = row_of.try_emplace(path, rows.size());
          if (inserted) {
            rows.emplace_back(columns, "-");
            rows.back()[0] = path;
          }
          rows[it->second][static_cast<size_t>(i) + 1] = value;
        }
      }
      for (auto& row : rows) t.Add(std::move(row));
      Show(t);
      return;
    }
    std::vector<std::pair<std::string, std::string>> points;
    std::set<std::string> known;
    bool found = false;
    for (const auto& card : trend.scorecards()) {
      std::string value = "-";  // a currency or objective absent that period
      for (const auto& [path, v] : Figures(card)) {
        known.insert(path);
        if (path == o.figure) {
          value = v;
          found = true;
        }
      }
      points.emplace_back(FormatDate(card.period().start_date()), value);
    }
    if (!found) {
      Usage(absl::StrCat("unknown figure '", o.figure, "'; the figures are:\n  ",
                         absl::StrJoin(known, "\n  ")));
    }
    double top = 0;
    for (const auto& p : points) top = std::max(top, Leading(p.second));
    constexpr int kWidth = 40;
    Table t({"PERIOD", o.figure, ""});
    for (const auto& [period, value] : points) {
      const int bar = top > 0 ? static_cast<int>(Leading(value) / top * kWidth + 0.5) : 0;
      std::string chart;
      for (int i = 0; i < bar; ++i) chart += "\u2588";
      t.Add({period, value, g.output == "csv" ? "" : chart});
    }
    Show(t);
  });
}

// A ranked value as the figure reads: a percentage for a rate or share, money in its
// currency, a whole number, or two decimals.
std::string RankValue(const std::string& figure, double value) {
  const auto leaf = figure.substr(figure.rfind('.') + 1);
  if (absl::EndsWith(leaf, "_rate") || absl::EndsWith(leaf, "_share") ||
      absl::EndsWith(leaf, "_coverage")) {
    return absl::StrFormat("%.1f%%", value * 100);
  }
  constexpr absl::string_view kCurrencies = "money.currencies[";
  if (absl::StartsWith(figure, kCurrencies) && leaf != "return_on_kpo_cost") {
    kpo::common::v1::Money money;
    money.set_currency_code(figure.substr(kCurrencies.size(), 3));
    money.set_minor_units(static_cast<int64_t>(value));
    return FormatMoney(money);
  }
  if (value == static_cast<double>(static_cast<int64_t>(value))) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.2f", value);
}

void AddRanking(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("ranking", "the organization's sites ranked by one figure");
  cmd->add_option("--figure", o.figure, "the figure, e.g. daily_kaizen.participation_rate")
      ->required();
  cmd->add_option("--period", o.period, "week, month, quarter or year")->capture_default_str();
  cmd->add_option("--date", o.date, "a day of the period, YYYY-MM-DD (default: today)");
  cmd->add_flag("--ascending", o.ascending, "lowest first (overdue items, backlogs)");
  cmd->callback([&rc] {
    pb::RankSitesRequest r;
    r.set_name(OrgName() + "/scorecard");
    *r.mutable_period() = PeriodOption();
    r.set_figure(o.figure);
    r.set_ascending(o.ascending);
    r.set_page_size(500);
    // Every page, as one response.
    pb::RankSitesResponse all;
    for (;;) {
      grpc::ClientContext ctx;
      Prepare(ctx);
      pb::RankSitesResponse page;
      if (grpc::Status s = Stub()->RankSites(&ctx, r, &page); !s.ok()) {
        rc = Fail(s);
        return;
      }
      if (r.page_token().empty()) {
        all = page;
      } else {
        for (auto& site : *page.mutable_sites()) *all.add_sites() = std::move(site);
        *all.mutable_freshness() = page.freshness();
      }
      if (page.next_page_token().empty()) break;
      r.set_page_token(page.next_page_token());
    }
    all.clear_next_page_token();
    if (g.output == "json") {
      Render(all);
      return;
    }
    Table t({"RANK", "SITE", o.figure});
    for (const auto& site : all.sites()) {
      t.Add({absl::StrCat(site.rank()), ShortName(site.site()), RankValue(o.figure, site.value())});
    }
    for (const auto& site : all.unranked_sites()) t.Add({"-", ShortName(site), "n/a"});
    if (g.output != "csv") {
      std::cout << PeriodText(all.period()) << "  " << Freshness(all.freshness()) << "\n";
    }
    Show(t);
  });
}

void AddExport(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand(
      "export", "consecutive periods' scorecards as CSV on stdout, a row per period and figure");
  cmd->add_option("scope", o.scope, "a site (lyon), an area (lyon/press); none: the organization");
  cmd->add_option("--period", o.period, "week, month, quarter or year")->capture_default_str();
  cmd->add_option("--date", o.date, "a day of the last period, YYYY-MM-DD (default: today)");
  cmd->add_option("--periods", o.periods, "how many, 1-1000")->capture_default_str();
  cmd->callback([&rc] {
    pb::ExportScorecardsRequest r;
    r.set_name(ScorecardName(o.scope));
    *r.mutable_period() = PeriodOption();
    r.set_periods(o.periods);
    grpc::ClientContext ctx;
    Prepare(ctx);
    auto stream = Stub()->ExportScorecards(&ctx, r);
    google::api::HttpBody chunk;
    while (stream->Read(&chunk))
      std::cout.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
    std::cout.flush();
    if (grpc::Status s = stream->Finish(); !s.ok()) rc = Fail(s);
  });
}

std::string GenerationState(pb::ProjectionGeneration::State s) {
  switch (s) {
    case pb::ProjectionGeneration::STATE_BUILDING:
      return "building";
    case pb::ProjectionGeneration::STATE_SERVING:
      return "serving";
    case pb::ProjectionGeneration::STATE_RETIRED:
      return "retired";
    default:
      return "?";
  }
}

std::string TimeText(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 && t.nanos() == 0 ? "" : google::protobuf::util::TimeUtil::ToString(t);
}

void ShowGenerations(const pb::ListProjectionGenerationsResponse& list) {
  if (g.output == "json") {
    Render(list);
    return;
  }
  Table t({"GENERATION", "STATE", "CREATED", "SWITCHED", "RECORDS APPLIED", "PENDING",
           "COMPLETE THROUGH"});
  for (const auto& gen : list.generations()) {
    const bool live = gen.state() != pb::ProjectionGeneration::STATE_RETIRED;
    t.Add({absl::StrCat(gen.number()), GenerationState(gen.state()), TimeText(gen.create_time()),
           TimeText(gen.switch_time()), live ? absl::StrCat(gen.records_applied()) : "",
           live ? absl::StrCat(gen.progress().pending_records()) : "",
           live ? TimeText(gen.progress().complete_through()) : ""});
  }
  Show(t);
}

std::optional<pb::ListProjectionGenerationsResponse> ListGenerations(int& rc) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  pb::ListProjectionGenerationsResponse list;
  if (grpc::Status s = pb::ProjectionService::NewStub(Channel(g.reporting))
                           ->ListProjectionGenerations(&ctx, {}, &list);
      !s.ok()) {
    rc = Fail(s);
    return std::nullopt;
  }
  return list;
}

// Operators' commands (a platform_operator token).
void AddProjections(CLI::App& app, int& rc) {
  auto* cmd = app.add_subcommand("projections",
                                 "reporting's generations of projections and their rebuild "
                                 "(platform_operator)")
                  ->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "the generations: building, serving, retired");
  list->callback([&rc] {
    if (auto generations = ListGenerations(rc)) ShowGenerations(*generations);
  });
  auto* rebuild = cmd->add_subcommand(
      "rebuild",
      "rebuild every projection from the beginning of the topics into a new generation, "
      "switched in when caught up");
  rebuild->add_flag("--wait", o.wait, "wait until the new generation serves");
  rebuild->add_option("--timeout", o.timeout_s, "seconds --wait waits at most")
      ->capture_default_str();
  rebuild->callback([&rc] {
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::ProjectionGeneration started;
    if (grpc::Status s = pb::ProjectionService::NewStub(Channel(g.reporting))
                             ->StartProjectionRebuild(&ctx, {}, &started);
        !s.ok()) {
      rc = Fail(s);
      return;
    }
    std::cerr << "rebuilding into generation " << started.number() << "\n";
    if (!o.wait) {
      pb::ListProjectionGenerationsResponse one;
      *one.add_generations() = started;
      ShowGenerations(one);
      return;
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(o.timeout_s);
    int64_t last_applied = -1;
    for (;;) {
      auto generations = ListGenerations(rc);
      if (!generations) return;
      for (const auto& gen : generations->generations()) {
        if (gen.number() != started.number()) continue;
        if (gen.state() == pb::ProjectionGeneration::STATE_SERVING) {
          std::cerr << "generation " << gen.number() << " serves\n";
          ShowGenerations(*generations);
          return;
        }
        if (gen.records_applied() != last_applied) {
          last_applied = gen.records_applied();
          std::cerr << "  " << gen.records_applied() << " records applied, "
                    << gen.progress().pending_records() << " pending\n";
        }
      }
      if (absl::Now() > deadline) {
        std::cerr << "kpoctl: generation " << started.number()
                  << " does not serve yet; it goes on building (kpoctl projections list)\n";
        rc = 1;
        return;
      }
      absl::SleepFor(absl::Seconds(1));
    }
  });
}

}  // namespace

void AddReportingCommands(CLI::App& app, int& rc) {
  AddProjections(app, rc);
  AddScorecard(app, rc);
  AddTrend(app, rc);
  AddRanking(app, rc);
  AddExport(app, rc);
}

}  // namespace kpo::kpoctl
