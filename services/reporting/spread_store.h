#pragma once

// Reads of the alignment and yokoten projections for the scorecard, per site (or area)
// and period. Every statement walks an index (tests/services/reporting: query plans).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/spread.h"
#include "kpo/storage/database.h"
#include "scorecard_store.h"

namespace kpo::reporting::store {

// The strategic objectives organization `org` defines now (from the directory replica).
absl::StatusOr<std::vector<domain::Objective>> Objectives(kpo::storage::Transaction& tx,
                                                          const std::string& org);

// Ideas submitted, storyboards open and kaizen events proposed at `site` (and `area`)
// during the span, by the objective they are linked to.
absl::StatusOr<domain::AlignmentCounts> CountAlignment(kpo::storage::Transaction& tx,
                                                       const std::string& org,
                                                       const std::string& site,
                                                       const std::string& area,
                                                       const SiteSpan& span);

// Practices shared from `site` (and `area`), deployment tasks there, and adoptions of its
// practices elsewhere, during the span.
absl::StatusOr<domain::YokotenCounts> CountYokoten(kpo::storage::Transaction& tx,
                                                   const std::string& org, const std::string& site,
                                                   const std::string& area, const SiteSpan& span);

}  // namespace kpo::reporting::store
