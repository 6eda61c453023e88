#include "kpo/core/money.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace kpo::core {

void ValidateMoney(const kpo::common::v1::Money& money, const std::string& field,
                   FieldViolations& v) {
  const std::string& code = money.currency_code();
  const bool code_ok = code.size() == 3 && std::all_of(code.begin(), code.end(),
                                                       [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!code_ok) {
    v.Add(field + ".currency_code", "must be an ISO 4217 code such as EUR or USD");
  }
  if (money.minor_units() < 0) v.Add(field + ".minor_units", "must not be negative");
}

absl::Status AddMoney(MoneyTotals& totals, const kpo::common::v1::Money& money) {
  int64_t& total = totals[money.currency_code()];
  int64_t sum = 0;
  if (__builtin_add_overflow(total, money.minor_units(), &sum)) {
    return absl::OutOfRangeError(absl::StrCat("sum of ", money.currency_code(), " overflows"));
  }
  total = sum;
  return absl::OkStatus();
}

}  // namespace kpo::core
