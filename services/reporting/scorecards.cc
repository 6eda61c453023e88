#include "scorecards.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "domain/periods.h"
#include "domain/site_counts.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/core/resource_name.h"
#include "kpo/events/consumer.h"
#include "scorecard_store.h"

namespace kpo::reporting {
namespace {

namespace pb = kpo::reporting::v1;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

constexpr absl::string_view kSuffix = "/scorecard";
constexpr int kDefaultPeriods = 12;
constexpr int kMaxPeriods = 120;

// An organization, one of its sites, or one of a site's areas.
struct Scope {
  std::string name;  // the scorecard's name
  std::string org;   // id
  std::string site;  // resource name, empty for the organization
  std::string area;  // resource name, empty unless an area
};

// The scope of a scorecard name, or a violation of `name`.
std::optional<Scope> ParseScope(const std::string& name) {
  if (!absl::EndsWith(name, kSuffix)) return std::nullopt;
  const std::string resource = name.substr(0, name.size() - kSuffix.size());
  if (auto ids = kpo::core::ParseName(resource, {"organizations", "sites", "areas"})) {
    const std::string site = absl::StrCat("organizations/", (*ids)[0], "/sites/", (*ids)[1]);
    return Scope{name, (*ids)[0], site, resource};
  }
  if (auto ids = kpo::core::ParseName(resource, {"organizations", "sites"})) {
    return Scope{name, (*ids)[0], resource, ""};
  }
  if (auto ids = kpo::core::ParseName(resource, {"organizations"})) {
    return Scope{name, (*ids)[0], "", ""};
  }
  return std::nullopt;
}

std::optional<domain::Granularity> GranularityOf(pb::Granularity g) {
  switch (g) {
    case pb::GRANULARITY_WEEK:
      return domain::Granularity::kWeek;
    case pb::GRANULARITY_MONTH:
      return domain::Granularity::kMonth;
    case pb::GRANULARITY_QUARTER:
      return domain::Granularity::kQuarter;
    case pb::GRANULARITY_YEAR:
      return domain::Granularity::kYear;
    default:
      return std::nullopt;
  }
}

pb::Period ToProto(const domain::CivilPeriod& p, pb::Granularity g) {
  pb::Period out;
  out.set_granularity(g);
  *out.mutable_start_date() = kpo::core::FromCivil(p.first);
  *out.mutable_end_date() = kpo::core::FromCivil(p.last);
  return out;
}

// A checked request: the scope's name shape and tenancy, the period.
struct Query {
  Scope scope;
  pb::Granularity granularity = pb::GRANULARITY_UNSPECIFIED;
  std::optional<absl::CivilDay> day;  // nullopt: today at the scope
};

absl::StatusOr<Query> CheckQuery(const kpo::auth::Principal& p, const std::string& name,
                                 const pb::Period& period, FieldViolations& v) {
  Query q;
  auto scope = ParseScope(name);
  if (!scope) {
    v.Add("name", absl::StrCat("must be a scorecard name: organizations/{organization}/scorecard, "
                               ".../sites/{site}/scorecard or .../sites/{site}/areas/{area}/"
                               "scorecard"));
  } else {
    if (absl::Status s =
            kpo::auth::CheckOrganization(p, absl::StrCat("organizations/", scope->org), "name");
        !s.ok()) {
      return s;
    }
    q.scope = *std::move(scope);
  }
  if (!GranularityOf(period.granularity())) {
    v.Add("period.granularity", "is required: WEEK, MONTH, QUARTER or YEAR");
  }
  q.granularity = period.granularity();
  if (period.has_start_date()) {
    if (!kpo::core::IsValidDate(period.start_date())) {
      v.Add("period.start_date", "must be a real calendar date");
    } else {
      q.day = kpo::core::ToCivil(period.start_date());
    }
  }
  return q;
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

namespace {

// The sites a scope adds up, NOT_FOUND for a site or area reporting has not heard of.
absl::StatusOr<std::vector<store::SiteZone>> SitesOf(Transaction& tx, const Scope& scope) {
  if (scope.site.empty()) return store::Sites(tx, scope.org);
  auto site = store::Site(tx, scope.org, scope.site);
  if (!site.ok()) return site.status();
  if (!site->has_value()) {
    return kpo::core::Error(absl::StatusCode::kNotFound, "SCOPE_NOT_FOUND",
                            absl::StrCat(scope.site, " is not known to reporting (yet)"));
  }
  if (!scope.area.empty()) {
    auto known = store::AreaKnown(tx, scope.org, scope.area);
    if (!known.ok()) return known.status();
    if (!*known) {
      return kpo::core::Error(absl::StatusCode::kNotFound, "SCOPE_NOT_FOUND",
                              absl::StrCat(scope.area, " is not known to reporting (yet)"));
    }
  }
  return std::vector<store::SiteZone>{**site};
}

// The period the query names: the one containing its day, or today at the scope (the
// site's zone; UTC for an organization).
domain::CivilPeriod PeriodOf(const Query& q, const std::vector<store::SiteZone>& sites,
                             absl::Time now) {
  const auto g = *GranularityOf(q.granularity);
  if (q.day) return domain::PeriodContaining(g, *q.day);
  const absl::TimeZone zone =
      q.scope.site.empty() || sites.empty() ? absl::UTCTimeZone() : sites.front().zone;
  return domain::PeriodContaining(g, absl::ToCivilDay(now, zone));
}

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
    return ReadFreshness(tx, *out.mutable_freshness());
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
    return ReadFreshness(tx, *out.mutable_freshness());
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status Scorecards::ReadFreshness(Transaction& tx, pb::Freshness& out) const {
  auto positions = kpo::events::ReadPositions(tx, consumer_name_);
  if (!positions.ok()) return positions.status();
  std::optional<absl::Time> oldest;
  for (const auto& position : *positions) {
    auto* p = out.add_positions();
    p->set_topic(position.topic);
    p->set_partition(position.partition);
    p->set_offset(position.last_offset);
    *p->mutable_event_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        absl::ToUnixMicros(position.event_time));
    *p->mutable_apply_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        absl::ToUnixMicros(position.applied_time));
    if (!oldest || position.event_time < *oldest) oldest = position.event_time;
  }
  if (oldest) {
    *out.mutable_complete_through() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(*oldest));
  }
  out.set_pending_records(pending_records_ ? pending_records_() : 0);
  return absl::OkStatus();
}

}  // namespace kpo::reporting
