#pragma once

// Money of kaizen events: integer minor units and ISO 4217 codes, never floating
// point. Pure.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "kpo/common/v1/money.pb.h"
#include "kpo/core/errors.h"
#include "kpo/kaizen/v1/resources.pb.h"

namespace kpo::kaizen::domain {

// Field rules: a currency code of three upper-case letters, a non-negative amount.
void ValidateMoney(const kpo::common::v1::Money& money, const std::string& field,
                   kpo::core::FieldViolations& v);
void ValidateEventMoney(const v1::EventMoney& money, const std::string& prefix,
                        kpo::core::FieldViolations& v);

// Totals per currency (minor units), refusing overflow (OUT_OF_RANGE).
using Totals = std::map<std::string, int64_t>;
absl::Status Add(Totals& totals, const kpo::common::v1::Money& money);

// Value of savings over `years` years per currency: a one-time saving counts once, an
// annual saving `years` times. Realized savings count only once finance validated them.
absl::StatusOr<Totals> SavingsOver(const v1::EventMoney& money, int years, bool realized);

}  // namespace kpo::kaizen::domain
