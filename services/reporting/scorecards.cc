#include "scorecards.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/figure_path.h"
#include "domain/periods.h"
#include "domain/site_counts.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/rpc/server.h"
#include "query.h"
#include "scorecard_store.h"

namespace kpo::reporting {
namespace {

namespace pb = kpo::reporting::v1;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

constexpr int kDefaultPeriods = 12;
constexpr int kMaxPeriods = 120;
constexpr int kMaxExportPeriods = 1000;

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string GranularityName(pb::Granularity g) {
  switch (g) {
    case pb::GRANULARITY_WEEK:
      return "week";
    case pb::GRANULARITY_MONTH:
      return "month";
    case pb::GRANULARITY_QUARTER:
      return "quarter";
    default:
      return "year";
  }
}

// The scope's scorecard for `period`, into `card` (in place: it may be on the call's
// arena): cached whole (AnswerCache) under the organization's change counter, or its
// sites' counts (cached or not) added up, then the formulas.
absl::Status Compute(ScopeReading& reading, AnswerCache* answers, int64_t generation,
                     const Query& q, const domain::CivilPeriod& period, absl::Time now,
                     pb::Scorecard& card) {
  std::string key;
  std::string as_of;
  if (answers != nullptr) {
    auto changes = reading.Changes();
    if (!changes.ok()) return changes.status();
    as_of = AnswerCache::AsOfTag(period, now);
    key = AnswerCache::Key(
        q.scope.org, generation, *changes,
        absl::StrCat("card:", q.scope.name, ":", q.granularity, ":",
                     kpo::core::DateKey(kpo::core::FromCivil(period.first)), "-",
                     kpo::core::DateKey(kpo::core::FromCivil(period.last)), ":", as_of));
    if (std::optional<std::string> cached = answers->Get(key)) {
      if (card.ParseFromString(*cached)) return absl::OkStatus();
      card.Clear();
    }
  }
  // Counting is the long way: never on a gRPC thread.
  if (kpo::rpc::OnGrpcThread()) return kpo::rpc::ContinueOnWorkerPool();
  auto sites = reading.Sites();
  if (!sites.ok()) return sites.status();
  auto request = reading.Request();
  if (!request.ok()) return request.status();
  auto per_site = reading.counts().Count(reading.tx(), **request, **sites, period);
  if (!per_site.ok()) return per_site.status();
  domain::SiteCounts total;
  for (const domain::SiteCounts& site : *per_site) total.Add(site);
  card = domain::Figures(total, period.last - period.first + 1, (*request)->objectives);
  card.set_name(q.scope.name);
  *card.mutable_period() = ToProto(period, q.granularity);
  if (answers != nullptr) answers->Put(key, card.SerializeAsString(), as_of != "end");
  return absl::OkStatus();
}

// The sites a query must read before its period is known: a site's (its zone names
// today, and an unknown one is NOT_FOUND); none for an organization (UTC).
absl::StatusOr<std::vector<store::SiteZone>> ZoneSites(ScopeReading& reading, const Query& q) {
  if (q.scope.site.empty()) return std::vector<store::SiteZone>{};
  auto sites = reading.Sites();
  if (!sites.ok()) return sites.status();
  return **sites;
}

}  // namespace

Scorecards::Scorecards(kpo::storage::Database& db, const kpo::core::Clock& clock,
                       std::string consumer_name, std::function<int64_t()> pending_records,
                       const CountsReader* counts, AnswerCache* answers)
    : Scorecards(FixedGeneration(db, std::move(consumer_name), std::move(pending_records)), clock,
                 counts, answers) {}

Scorecards::Scorecards(ServingGeneration serving, const kpo::core::Clock& clock,
                       const CountsReader* counts, AnswerCache* answers)
    : serving_(std::move(serving)),
      clock_(clock),
      answers_(answers),
      owned_counts_(counts == nullptr
                        ? std::make_unique<CountsReader>(nullptr, absl::ZeroDuration(), nullptr)
                        : nullptr),
      counts_(counts == nullptr ? *owned_counts_ : *counts) {}

absl::StatusOr<pb::Scorecard> Scorecards::GetScorecard(const kpo::auth::Principal& p,
                                                       const pb::GetScorecardRequest& r) const {
  pb::Scorecard out;
  if (absl::Status s = GetScorecard(p, r, out); !s.ok()) return s;
  return out;
}

absl::Status Scorecards::GetScorecard(const kpo::auth::Principal& p,
                                      const pb::GetScorecardRequest& r, pb::Scorecard& out) const {
  out.Clear();
  FieldViolations v;
  auto q = CheckQuery(p, r.name(), r.period(), v);
  if (!q.ok()) return q.status();
  if (!v.empty()) return v.ToStatus();
  const std::shared_ptr<const Generation> g = serving_();
  return g->db->Read([&](Transaction& tx) -> absl::Status {
    const absl::Time now = clock_.Now();
    ScopeReading reading(tx, counts_, g->number, q->scope, now);
    auto sites = ZoneSites(reading, *q);
    if (!sites.ok()) return sites.status();
    if (absl::Status c =
            Compute(reading, answers_, g->number, *q, PeriodOf(*q, *sites, now), now, out);
        !c.ok()) {
      return c;
    }
    return ReadFreshness(tx, *g, *out.mutable_freshness());
  });
}

absl::StatusOr<pb::QueryScorecardTrendResponse> Scorecards::QueryScorecardTrend(
    const kpo::auth::Principal& p, const pb::QueryScorecardTrendRequest& r) const {
  pb::QueryScorecardTrendResponse out;
  if (absl::Status s = QueryScorecardTrend(p, r, out); !s.ok()) return s;
  return out;
}

absl::Status Scorecards::QueryScorecardTrend(const kpo::auth::Principal& p,
                                             const pb::QueryScorecardTrendRequest& r,
                                             pb::QueryScorecardTrendResponse& out) const {
  out.Clear();
  FieldViolations v;
  auto q = CheckQuery(p, r.name(), r.period(), v);
  if (!q.ok()) return q.status();
  if (r.periods() < 0 || r.periods() > kMaxPeriods) {
    v.Add("periods", absl::StrCat("must be 1-", kMaxPeriods, " (0: ", kDefaultPeriods, ")"));
  }
  if (!v.empty()) return v.ToStatus();
  const int count = r.periods() == 0 ? kDefaultPeriods : r.periods();
  const std::shared_ptr<const Generation> g = serving_();
  return g->db->Read([&](Transaction& tx) -> absl::Status {
    const absl::Time now = clock_.Now();
    ScopeReading reading(tx, counts_, g->number, q->scope, now);
    auto sites = ZoneSites(reading, *q);
    if (!sites.ok()) return sites.status();
    std::vector<domain::CivilPeriod> periods = {PeriodOf(*q, *sites, now)};
    while (static_cast<int>(periods.size()) < count) {
      periods.push_back(domain::Previous(periods.back()));
    }
    std::reverse(periods.begin(), periods.end());
    for (const domain::CivilPeriod& period : periods) {
      if (absl::Status c =
              Compute(reading, answers_, g->number, *q, period, now, *out.add_scorecards());
          !c.ok()) {
        return c;
      }
    }
    return ReadFreshness(tx, *g, *out.mutable_freshness());
  });
}

absl::Status Scorecards::ExportScorecards(
    const kpo::auth::Principal& p, const pb::ExportScorecardsRequest& r,
    const std::function<bool(std::string chunk)>& emit) const {
  FieldViolations v;
  auto q = CheckQuery(p, r.name(), r.period(), v);
  if (!q.ok()) return q.status();
  if (r.periods() < 0 || r.periods() > kMaxExportPeriods) {
    v.Add("periods", absl::StrCat("must be 1-", kMaxExportPeriods, " (0: ", kDefaultPeriods, ")"));
  }
  if (!v.empty()) return v.ToStatus();
  const int count = r.periods() == 0 ? kDefaultPeriods : r.periods();
  const absl::Time now = clock_.Now();
  std::vector<domain::CivilPeriod> periods;
  // One generation for the whole export, even if a rebuild switches meanwhile.
  const std::shared_ptr<const Generation> g = serving_();
  absl::Status s = g->db->Read([&](Transaction& tx) -> absl::Status {
    ScopeReading reading(tx, counts_, g->number, q->scope, now);
    auto sites = ZoneSites(reading, *q);
    if (!sites.ok()) return sites.status();
    periods = {PeriodOf(*q, *sites, now)};
    while (static_cast<int>(periods.size()) < count) {
      periods.push_back(domain::Previous(periods.back()));
    }
    std::reverse(periods.begin(), periods.end());
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!emit("scope,granularity,period_start,period_end,figure,value,numerator,denominator,currency,"
            "complete_through\r\n")) {
    return absl::CancelledError("the client went away");
  }
  const std::string granularity = GranularityName(q->granularity);
  for (const domain::CivilPeriod& period : periods) {
    std::string chunk;
    s = g->db->Read([&](Transaction& tx) -> absl::Status {
      ScopeReading reading(tx, counts_, g->number, q->scope, now);
      pb::Scorecard card;
      if (absl::Status c = Compute(reading, answers_, g->number, *q, period, now, card); !c.ok()) {
        return c;
      }
      pb::Freshness freshness;
      if (absl::Status f = ReadFreshness(tx, *g, freshness); !f.ok()) {
        return f;
      }
      const std::string complete_through =
          freshness.has_complete_through()
              ? google::protobuf::util::TimeUtil::ToString(freshness.complete_through())
              : "";
      const std::string prefix = absl::StrCat(CsvField(q->scope.name), ",", granularity, ",",
                                              absl::FormatCivilTime(period.first), ",",
                                              absl::FormatCivilTime(period.last));
      for (const domain::FigureCell& cell : domain::FigureCells(card)) {
        absl::StrAppend(&chunk, prefix, ",", CsvField(cell.path), ",", cell.value, ",",
                        cell.numerator, ",", cell.denominator, ",", cell.currency, ",",
                        complete_through, "\r\n");
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (!emit(std::move(chunk))) return absl::CancelledError("the client went away");
  }
  return absl::OkStatus();
}

}  // namespace kpo::reporting
