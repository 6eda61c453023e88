#pragma once

// What every reporting query starts from: the scope a scorecard name names (an
// organization, a site, an area) checked against the caller's organization, the period,
// the sites the scope adds up, and the freshness of the answer.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/periods.h"
#include "kpo/auth/auth.h"
#include "kpo/core/errors.h"
#include "kpo/reporting/v1/scorecard.pb.h"
#include "kpo/storage/database.h"
#include "scorecard_store.h"

namespace kpo::reporting {

// An organization, one of its sites, or one of a site's areas.
struct Scope {
  std::string name;  // the scorecard's name
  std::string org;   // id
  std::string site;  // resource name, empty for the organization
  std::string area;  // resource name, empty unless an area
};

std::optional<domain::Granularity> GranularityOf(kpo::reporting::v1::Granularity g);
kpo::reporting::v1::Period ToProto(const domain::CivilPeriod& p, kpo::reporting::v1::Granularity g);

// A checked request: the scope's name shape and tenancy, the period.
struct Query {
  Scope scope;
  kpo::reporting::v1::Granularity granularity = kpo::reporting::v1::GRANULARITY_UNSPECIFIED;
  std::optional<absl::CivilDay> day;  // nullopt: today at the scope
};

// Checks `name` (a scorecard name, PERMISSION_DENIED for another organization's) and
// `period`, adding violations to `v`.
absl::StatusOr<Query> CheckQuery(const kpo::auth::Principal& p, const std::string& name,
                                 const kpo::reporting::v1::Period& period,
                                 kpo::core::FieldViolations& v);

// The sites a scope adds up, NOT_FOUND for a site or area reporting has not heard of.
absl::StatusOr<std::vector<store::SiteZone>> SitesOf(kpo::storage::Transaction& tx,
                                                     const Scope& scope);

// The period the query names: the one containing its day, or today at the scope (the
// site's zone; UTC for an organization).
domain::CivilPeriod PeriodOf(const Query& q, const std::vector<store::SiteZone>& sites,
                             absl::Time now);

}  // namespace kpo::reporting
