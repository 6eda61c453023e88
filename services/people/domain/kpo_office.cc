#include "domain/kpo_office.h"

#include "absl/strings/match.h"
#include "kpo/core/date.h"
#include "kpo/core/money.h"
#include "kpo/core/resource_name.h"

namespace kpo::people::domain {

namespace pb = kpo::people::v1;
using kpo::core::FieldViolations;

void ValidateKpoMember(const pb::KpoMember& m, const std::string& prefix, FieldViolations& v) {
  if (!kpo::core::ParseName(m.person(), {"organizations", "people"})) {
    v.Add(prefix + "person", "must be a person name (organizations/{org}/people/{person})");
  }
  switch (m.level()) {
    case pb::KPO_LEVEL_CORPORATE:
      if (!m.business_unit().empty())
        v.Add(prefix + "business_unit", "only at BUSINESS_UNIT level");
      if (!m.value_stream().empty()) v.Add(prefix + "value_stream", "only at VALUE_STREAM level");
      break;
    case pb::KPO_LEVEL_BUSINESS_UNIT:
      kpo::core::CheckText(m.business_unit(), prefix + "business_unit", 200, true, v);
      if (!m.value_stream().empty()) v.Add(prefix + "value_stream", "only at VALUE_STREAM level");
      break;
    case pb::KPO_LEVEL_VALUE_STREAM:
      if (!m.business_unit().empty())
        v.Add(prefix + "business_unit", "only at BUSINESS_UNIT level");
      if (!kpo::core::ParseName(m.value_stream(), {"organizations", "sites", "areas"})) {
        v.Add(prefix + "value_stream",
              "the value stream: an area name (organizations/{org}/sites/{site}/areas/{area})");
      }
      break;
    default:
      v.Add(prefix + "level", "must be CORPORATE, BUSINESS_UNIT or VALUE_STREAM");
  }
  if (m.time_share_percent() < 1 || m.time_share_percent() > 100) {
    v.Add(prefix + "time_share_percent", "must be 1 to 100");
  }
  if (!m.has_start_date()) {
    v.Add(prefix + "start_date", "is required");
  } else if (!kpo::core::IsValidDate(m.start_date())) {
    v.Add(prefix + "start_date", "must be a real calendar date");
  }
  if (m.has_end_date()) {
    if (!kpo::core::IsValidDate(m.end_date())) {
      v.Add(prefix + "end_date", "must be a real calendar date");
    } else if (m.has_start_date() && kpo::core::IsValidDate(m.start_date()) &&
               kpo::core::DateKey(m.end_date()) < kpo::core::DateKey(m.start_date())) {
      v.Add(prefix + "end_date", "must not be before start_date");
    }
  } else if (m.kaizen_pool()) {
    v.Add(prefix + "end_date", "a kaizen-pool member is lent for a while: required");
  }
  if (!m.has_cost_per_month()) {
    v.Add(prefix + "cost_per_month", "is required (currency and minor units)");
  } else {
    kpo::core::ValidateMoney(m.cost_per_month(), prefix + "cost_per_month", v);
  }
}

int64_t MonthlyCost(const pb::KpoMember& m) {
  // Without overflow for any amount: whole hundreds first, then the remainder.
  const int64_t units = m.cost_per_month().minor_units();
  const int64_t share = m.time_share_percent();
  return units / 100 * share + (units % 100 * share + 50) / 100;
}

}  // namespace kpo::people::domain
