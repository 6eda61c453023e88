#pragma once

// A figure of the scorecard named by its path, as kpoctl prints it and RankSites takes
// it: the Scorecard's field names joined by dots, an entry of a repeated section by its
// key in brackets — "daily_kaizen.participation_rate", "daily_kaizen.open_ideas.total",
// "people_development.certifications[GOLD].holders" (the level without its enum prefix),
// "money.currencies[EUR].return_on_kpo_cost", "alignment.objectives[lead-time].idea_share"
// ("none" for the work linked to no objective). A figure is a count, a number, a Ratio
// (its value), a Money (its minor units) or a Duration (its seconds). Pure, thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kpo/reporting/v1/scorecard.pb.h"

namespace kpo::reporting::domain {

// OK when `path` names a figure of the Scorecard (the keys of repeated entries are not
// checked: a currency may appear in some periods only); INVALID_ARGUMENT saying why
// otherwise.
absl::Status CheckFigurePath(absl::string_view path);

// The figure's value in `card`: nullopt when it has none (a ratio over nothing, an
// absent duration or optional number, an entry the card does not hold). The path must
// have passed CheckFigurePath.
std::optional<double> FigureValue(const kpo::reporting::v1::Scorecard& card,
                                  absl::string_view path);

// One figure of a card as a CSV export writes it. Empty strings where a part does not
// apply or has no value.
struct FigureCell {
  std::string path;         // as FigureValue takes it
  std::string value;        // a count or number; a ratio's value; money in major units;
                            // a duration's seconds
  std::string numerator;    // a ratio's
  std::string denominator;  // a ratio's
  std::string currency;     // money's
};

// Every figure of `card`, sections and figures in field order, the entries of repeated
// sections in their order, by key.
std::vector<FigureCell> FigureCells(const kpo::reporting::v1::Scorecard& card);

}  // namespace kpo::reporting::domain
