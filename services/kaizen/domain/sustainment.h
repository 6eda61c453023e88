#pragma once

// Sustainment: how much of an event's gain an audit finds kept, whether the event
// backslid, and when audits fall due. Pure.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kpo/common/v1/date.pb.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/kaizen/v1/resources.pb.h"

namespace kpo::kaizen::domain {

inline constexpr double kDefaultBackslideThreshold = 0.5;

// Share of the gain (result - baseline, oriented so that better is positive) that
// `measured` still shows: 1 = all kept, > 1 = improved further, < 0 = worse than the
// baseline. nullopt when the event made no gain (result not better than baseline) or
// has no result: there is nothing to lose, and the metric cannot backslide.
std::optional<double> GainKept(const v1::Metric& metric, double measured);

struct AuditOutcome {
  // One per metric of the event, in the event's order, with gain_kept and backslid.
  std::vector<v1::Measurement> measurements;
  std::vector<std::string> backslid_metric_ids;
  bool backslid() const { return !backslid_metric_ids.empty(); }
};

// Evaluates an audit: every metric of the event needs exactly one measurement (field
// violations name the missing, unknown and duplicate ones); a metric backslides when
// it kept less than `threshold` of its gain.
absl::StatusOr<AuditOutcome> EvaluateAudit(const v1::KaizenEvent& event,
                                           const std::vector<v1::Measurement>& measured,
                                           double threshold);

// Due dates `offset_days` after `completion`, in order (civil days: month ends and
// leap years are exact).
std::vector<kpo::common::v1::Date> AuditDueDates(const kpo::common::v1::Date& completion,
                                                 const std::vector<int32_t>& offset_days);

// Date helpers live in libs/core (kpo/core/date.h); the domain uses them unqualified.
using kpo::core::DateKey;
using kpo::core::FromCivil;
using kpo::core::IsValidDate;
using kpo::core::ToCivil;

// Settings rules: offsets strictly increasing within 1..730 days, 1-12 audits;
// threshold in (0, 1].
void ValidateSustainmentSettings(const std::vector<int32_t>& offsets, double threshold,
                                 const std::string& prefix, kpo::core::FieldViolations& v);

}  // namespace kpo::kaizen::domain
