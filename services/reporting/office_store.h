#pragma once

// Reads of the money and KPO-office projections for the scorecard: validated savings
// and KPO memberships, per site (or area) and period. Every statement walks an index
// (tests/services/reporting: query plans).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/office.h"
#include "kpo/storage/database.h"
#include "scorecard_store.h"

namespace kpo::reporting::store {

// Savings validated in the span's window at `site` (and `area`).
absl::StatusOr<domain::MoneyCounts> CountSavings(kpo::storage::Transaction& tx,
                                                 const std::string& org, const std::string& site,
                                                 const std::string& area, const SiteSpan& span);

// The KPO memberships of people whose home site is `site` (and home area `area`), with
// their days: a membership ends at its end date, or the day before the day (at `zone`)
// it was deactivated, whichever is first.
absl::StatusOr<std::vector<domain::MemberRow>> KpoMembers(kpo::storage::Transaction& tx,
                                                          const std::string& org,
                                                          const std::string& site,
                                                          const std::string& area,
                                                          absl::TimeZone zone);

}  // namespace kpo::reporting::store
