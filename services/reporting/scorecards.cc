#include "scorecards.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/periods.h"
#include "domain/site_counts.h"
#include "kpo/core/errors.h"
#include "query.h"
#include "scorecard_store.h"

namespace kpo::reporting {
namespace {

namespace pb = kpo::reporting::v1;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

constexpr int kDefaultPeriods = 12;
constexpr int kMaxPeriods = 120;

// The scope's scorecard for `period`: its sites' counts (cached or not) added up, then
// the formulas.
absl::StatusOr<pb::Scorecard> Compute(Transaction& tx, const CountsReader& counts,
                                      const CountsReader::Request& request, const Query& q,
                                      const std::vector<store::SiteZone>& sites,
                                      const domain::CivilPeriod& period) {
  auto per_site = counts.Count(tx, request, sites, period);
  if (!per_site.ok()) return per_site.status();
  domain::SiteCounts total;
  for (const domain::SiteCounts& site : *per_site) total.Add(site);
  pb::Scorecard card = domain::Figures(total, period.last - period.first + 1, request.objectives);
  card.set_name(q.scope.name);
  *card.mutable_period() = ToProto(period, q.granularity);
  return card;
}

}  // namespace

Scorecards::Scorecards(kpo::storage::Database& db, const kpo::core::Clock& clock,
                       std::string consumer_name, std::function<int64_t()> pending_records,
                       const CountsReader* counts)
    : db_(db),
      clock_(clock),
      consumer_name_(std::move(consumer_name)),
      pending_records_(std::move(pending_records)),
      owned_counts_(counts == nullptr
                        ? std::make_unique<CountsReader>(nullptr, absl::ZeroDuration(), nullptr)
                        : nullptr),
      counts_(counts == nullptr ? *owned_counts_ : *counts) {}

absl::StatusOr<pb::Scorecard> Scorecards::GetScorecard(const kpo::auth::Principal& p,
                                                       const pb::GetScorecardRequest& r) const {
  FieldViolations v;
  auto q = CheckQuery(p, r.name(), r.period(), v);
  if (!q.ok()) return q.status();
  if (!v.empty()) return v.ToStatus();
  pb::Scorecard out;
  absl::Status s = db_.Read([&](Transaction& tx) -> absl::Status {
    auto sites = SitesOf(tx, q->scope);
    if (!sites.ok()) return sites.status();
    const absl::Time now = clock_.Now();
    auto request = counts_.Begin(tx, q->scope.org, q->scope.area, now);
    if (!request.ok()) return request.status();
    auto card = Compute(tx, counts_, *request, *q, *sites, PeriodOf(*q, *sites, now));
    if (!card.ok()) return card.status();
    out = *std::move(card);
    return ReadFreshness(tx, consumer_name_, pending_records_, *out.mutable_freshness());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::QueryScorecardTrendResponse> Scorecards::QueryScorecardTrend(
    const kpo::auth::Principal& p, const pb::QueryScorecardTrendRequest& r) const {
  FieldViolations v;
  auto q = CheckQuery(p, r.name(), r.period(), v);
  if (!q.ok()) return q.status();
  if (r.periods() < 0 || r.periods() > kMaxPeriods) {
    v.Add("periods", absl::StrCat("must be 1-", kMaxPeriods, " (0: ", kDefaultPeriods, ")"));
  }
  if (!v.empty()) return v.ToStatus();
  const int count = r.periods() == 0 ? kDefaultPeriods : r.periods();
  pb::QueryScorecardTrendResponse out;
  absl::Status s = db_.Read([&](Transaction& tx) -> absl::Status {
    auto sites = SitesOf(tx, q->scope);
    if (!sites.ok()) return sites.status();
    const absl::Time now = clock_.Now();
    auto request = counts_.Begin(tx, q->scope.org, q->scope.area, now);
    if (!request.ok()) return request.status();
    std::vector<domain::CivilPeriod> periods = {PeriodOf(*q, *sites, now)};
    while (static_cast<int>(periods.size()) < count) {
      periods.push_back(domain::Previous(periods.back()));
    }
    std::reverse(periods.begin(), periods.end());
    for (const domain::CivilPeriod& period : periods) {
      auto card = Compute(tx, counts_, *request, *q, *sites, period);
      if (!card.ok()) return card.status();
      *out.add_scorecards() = *std::move(card);
    }
    return ReadFreshness(tx, consumer_name_, pending_records_, *out.mutable_freshness());
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace kpo::reporting
