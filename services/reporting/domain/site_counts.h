#pragma once

// Everything the scorecard's formulas need about one site (or area) in one period: the
// unit reporting caches in Redis and adds up over sites for an organization, so that an
// organization's answer after an event at one site recomputes only that site. Encoded
// compactly (a flat run of varints and strings, fields in a fixed order); kFormat is
// part of every cache key and changes whenever the encoding or a count's meaning does.
// Pure, thread-safe.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "domain/development.h"
#include "domain/figures.h"
#include "domain/office.h"
#include "domain/spread.h"

namespace kpo::reporting::domain {

inline constexpr int kCountsFormat = 1;

struct SiteCounts {
  IdeaCounts ideas;
  KaizenCounts kaizen;
  CoachingCounts coaching;
  DevelopmentCounts development;
  MoneyCounts money;
  FootprintCounts footprint;  // the KPO's members; headcount and line-led added later
  AlignmentCounts alignment;
  YokotenCounts yokoten;

  void Add(const SiteCounts& other);
};

std::string Encode(const SiteCounts& counts);
// nullopt for bytes Encode did not write (another format, truncated).
std::optional<SiteCounts> Decode(absl::string_view bytes);

// The scorecard's figures from counts summed over a scope's sites; `period_days`: the
// period's length.
kpo::reporting::v1::Scorecard Figures(const SiteCounts& counts, int64_t period_days,
                                      const std::vector<Objective>& objectives);

}  // namespace kpo::reporting::domain
