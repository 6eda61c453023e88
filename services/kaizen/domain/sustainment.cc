#include "domain/sustainment.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"

namespace kpo::kaizen::domain {

namespace pb = kpo::kaizen::v1;
using kpo::common::v1::Date;

namespace {
double Oriented(const pb::Metric& m, double delta) {
  return m.direction() == pb::LOWER_IS_BETTER ? -delta : delta;
}
}  // namespace

std::optional<double> GainKept(const pb::Metric& metric, double measured) {
  if (!metric.has_result()) return std::nullopt;
  const double gain = Oriented(metric, metric.result() - metric.baseline());
  if (!(gain > 0)) return std::nullopt;
  return Oriented(metric, measured - metric.baseline()) / gain;
}

absl::StatusOr<AuditOutcome> EvaluateAudit(const pb::KaizenEvent& event,
                                           const std::vector<pb::Measurement>& measured,
                                           double threshold) {
  kpo::core::FieldViolations v;
  std::map<std::string, double> values;
  for (size_t i = 0; i < measured.size(); ++i) {
    const auto& m = measured[i];
    const std::string field = absl::StrCat("measurements[", i, "].metric_id");
    const bool known = std::any_of(event.metrics().begin(), event.metrics().end(),
                                   [&](const pb::Metric& x) { return x.id() == m.metric_id(); });
    if (!known) {
      v.Add(field, absl::StrCat("'", m.metric_id(), "' is not a metric of this event"));
    } else if (!values.emplace(m.metric_id(), m.value()).second) {
      v.Add(field, absl::StrCat("'", m.metric_id(), "' is measured twice"));
    } else if (!std::isfinite(m.value())) {
      v.Add(absl::StrCat("measurements[", i, "].value"), "must be a finite number");
    }
  }
  for (const auto& metric : event.metrics()) {
    if (!values.contains(metric.id())) {
      v.Add("measurements", absl::StrCat("metric '", metric.id(),
                                         "' has no measurement; an "
                                         "audit measures every metric"));
    }
  }
  if (!v.empty()) return v.ToStatus();
  AuditOutcome out;
  for (const auto& metric : event.metrics()) {
    pb::Measurement m;
    m.set_metric_id(metric.id());
    m.set_value(values[metric.id()]);
    if (auto kept = GainKept(metric, m.value())) {
      m.set_gain_kept(*kept);
      if (*kept < threshold) {
        m.set_backslid(true);
        out.backslid_metric_ids.push_back(metric.id());
      }
    }
    out.measurements.push_back(std::move(m));
  }
  return out;
}

std::vector<Date> AuditDueDates(const Date& completion, const std::vector<int32_t>& offset_days) {
  std::vector<Date> out;
  const absl::CivilDay start = ToCivil(completion);
  for (int32_t offset : offset_days) out.push_back(FromCivil(start + offset));
  return out;
}

void ValidateSustainmentSettings(const std::vector<int32_t>& offsets, double threshold,
                                 const std::string& prefix, kpo::core::FieldViolations& v) {
  if (offsets.empty() || offsets.size() > 12) {
    v.Add(prefix + "audit_offset_days", "between 1 and 12 audits");
  }
  for (size_t i = 0; i < offsets.size(); ++i) {
    if (offsets[i] < 1 || offsets[i] > 730) {
      v.Add(absl::StrCat(prefix, "audit_offset_days[", i, "]"), "must be 1 to 730 days");
    } else if (i > 0 && offsets[i] <= offsets[i - 1]) {
      v.Add(absl::StrCat(prefix, "audit_offset_days[", i, "]"),
            "must be later than the audit before it");
    }
  }
  if (!(threshold > 0 && threshold <= 1)) {
    v.Add(prefix + "backslide_threshold",
          "must be above 0 and at most 1 (the share of the gain an audit must find kept)");
  }
}

}  // namespace kpo::kaizen::domain
