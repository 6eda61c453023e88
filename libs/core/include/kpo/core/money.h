#pragma once

// Money as every service handles it: integer minor units and ISO 4217 codes
// (kpo.common.v1.Money), never floating point. Pure.

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "kpo/common/v1/money.pb.h"
#include "kpo/core/errors.h"

namespace kpo::core {

// Field rules: a currency code of three upper-case letters ("<field>.currency_code"), a
// non-negative amount ("<field>.minor_units").
void ValidateMoney(const kpo::common::v1::Money& money, const std::string& field,
                   FieldViolations& v);

// Totals per currency (minor units); currencies are never mixed.
using MoneyTotals = std::map<std::string, int64_t>;
// Adds `money` to its currency's total, refusing overflow (OUT_OF_RANGE).
absl::Status AddMoney(MoneyTotals& totals, const kpo::common::v1::Money& money);

}  // namespace kpo::core
