#pragma once

// Reads of the projections for the scorecard: the sites of an organization with their
// time zones, and the counts of one site (or one of its areas) over one UTC window.
// Every statement walks an index (tests/services/reporting: query plans).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "domain/figures.h"
#include "domain/periods.h"
#include "kpo/storage/database.h"

namespace kpo::reporting::store {

struct SiteZone {
  std::string name;  // resource name
  absl::TimeZone zone;
};

// Every site of organization `org` (its id) reporting has heard of, active or not (a
// closed site's past still counts), in no particular order. A site whose zone is unknown reads UTC.
absl::StatusOr<std::vector<SiteZone>> Sites(kpo::storage::Transaction& tx, const std::string& org);

// One site, or nullopt when reporting has not heard of it.
absl::StatusOr<std::optional<SiteZone>> Site(kpo::storage::Transaction& tx, const std::string& org,
                                             const std::string& site);

// Whether reporting has heard of the area (resource name).
absl::StatusOr<bool> AreaKnown(kpo::storage::Transaction& tx, const std::string& org,
                               const std::string& area);

// The idea system of `site` (restricted to `area` when not empty) over `window`; the
// states at the end of the period (open ideas, backlog, headcount) are read at the
// window's end, or at `now` for a period not over yet.
absl::StatusOr<domain::IdeaCounts> CountIdeas(kpo::storage::Transaction& tx, const std::string& org,
                                              const std::string& site, const std::string& area,
                                              const domain::Window& window, absl::Time now);

}  // namespace kpo::reporting::store
