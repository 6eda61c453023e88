#pragma once

// Money as every service handles it: integer minor units and ISO 4217 codes
// (kpo.common.v1.Money), never floating point. Pure.

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
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

// How many minor-unit digits the currency has (ISO 4217): 0 for JPY, KRW, ...; 3 for
// BHD, KWD, ...; 2 otherwise.
int CurrencyExponent(absl::string_view code);

// The amount in major units with exactly the currency's digits: "1234.50", "-0.05",
// "70000" (JPY).
std::string DecimalAmount(const kpo::common::v1::Money& money);

}  // namespace kpo::core
