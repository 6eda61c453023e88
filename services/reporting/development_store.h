#pragma once

// Reads of the people-development projections for the scorecard: certificates, training
// completions, and assessed levels against target profiles, per site (or area) and
// period. Every statement walks an index (tests/services/reporting: query plans).

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "domain/development.h"
#include "kpo/storage/database.h"
#include "scorecard_store.h"

namespace kpo::reporting::store {

// An organization's targets as they are now: its active target profiles and the
// competencies it retired.
struct OrgTargets {
  std::vector<domain::Profile> profiles;
  absl::flat_hash_set<std::string> retired;
  bool any_kpo_level = false;  // a profile names a KPO level
};

absl::StatusOr<OrgTargets> ReadTargets(kpo::storage::Transaction& tx, const std::string& org);

// The people development of `site` (restricted to `area` when not empty) over `span`:
// certificates of holders whose home site (and area) it was, training completions
// there, and the skills of its people at the end of the period against `targets`.
absl::StatusOr<domain::DevelopmentCounts> CountDevelopment(
    kpo::storage::Transaction& tx, const std::string& org, const std::string& site,
    const std::string& area, const SiteSpan& span, const OrgTargets& targets);

}  // namespace kpo::reporting::store
