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

// The scope of r_versions that counts every change to an organization's projections
// (bumped with any of its versions): what a cached answer about the whole organization
// is keyed by.
inline constexpr char kChangesScope[] = "*";

// The versions of organization `org` (r_versions): the organization's (scope "") and
// each site's that has one; 0 for what was never bumped.
struct Versions {
  int64_t org = 0;
  std::vector<std::pair<std::string, int64_t>> sites;
};
absl::StatusOr<Versions> ReadVersions(kpo::storage::Transaction& tx, const std::string& org);

// Adds one to the version of `scope` of organization `org` (1 when it had none).
absl::Status BumpVersion(kpo::storage::Transaction& tx, const std::string& org,
                         const std::string& scope);

// The change counter of organization `org` (kChangesScope; 0 before any change).
absl::StatusOr<int64_t> ReadChanges(kpo::storage::Transaction& tx, const std::string& org);

// Whether reporting has heard of the area (resource name).
absl::StatusOr<bool> AreaKnown(kpo::storage::Transaction& tx, const std::string& org,
                               const std::string& area);

// The days of a period at one site and its window: civil-date figures (completions, due
// dates) compare day keys (YYYYMMDD), instants compare the window.
struct SiteSpan {
  domain::Window window;
  int64_t first_day = 0;  // YYYYMMDD
  int64_t last_day = 0;   // YYYYMMDD
  // The instant the end-of-period states are read at (the window's end, or now), and
  // its day at the site.
  absl::Time as_of;
  int64_t as_of_day = 0;
  // The last day before as_of (the period's last day, or today for a period not over):
  // the day end-of-period states are read on, and the first of the 7 days ending with
  // it ("recent").
  int64_t end_day = 0;
  int64_t recent_first_day = 0;
};

// " AND <column> = ?" (appending `area` to `params`) for a non-empty area; "" otherwise.
std::string AreaFilter(const char* column, const std::string& area,
                       std::vector<kpo::storage::Value>& params);

// The idea system of `site` (restricted to `area` when not empty) over `span`.
absl::StatusOr<domain::IdeaCounts> CountIdeas(kpo::storage::Transaction& tx, const std::string& org,
                                              const std::string& site, const std::string& area,
                                              const SiteSpan& span);

// The kaizen events of `site` (restricted to `area` when not empty) over `span`.
absl::StatusOr<domain::KaizenCounts> CountKaizenEvents(kpo::storage::Transaction& tx,
                                                       const std::string& org,
                                                       const std::string& site,
                                                       const std::string& area,
                                                       const SiteSpan& span);

// The coaching of `site` (restricted to `area` when not empty) over `span`. "Recent" is
// the 7 days up to the end of the period (as_of_day and the 6 before).
absl::StatusOr<domain::CoachingCounts> CountCoaching(kpo::storage::Transaction& tx,
                                                     const std::string& org,
                                                     const std::string& site,
                                                     const std::string& area, const SiteSpan& span);

}  // namespace kpo::reporting::store
