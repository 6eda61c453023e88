#include "query.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/core/resource_name.h"

namespace kpo::reporting {
namespace {

namespace pb = kpo::reporting::v1;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

constexpr absl::string_view kSuffix = "/scorecard";

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

}  // namespace

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

}  // namespace kpo::reporting
