#include "kpo/core/money.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

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

int CurrencyExponent(absl::string_view code) {
  for (absl::string_view zero : {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                                 "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"}) {
    if (code == zero) return 0;
  }
  for (absl::string_view three : {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}) {
    if (code == three) return 3;
  }
  return 2;
}

std::string DecimalAmount(const kpo::common::v1::Money& money) {
  const int exponent = CurrencyExponent(money.currency_code());
  uint64_t scale = 1;
  for (int i = 0; i < exponent; ++i) scale *= 10;
  const int64_t units = money.minor_units();
  const std::string sign = units < 0 ? "-" : "";
  // The magnitude in unsigned arithmetic: INT64_MIN has no positive counterpart.
  const uint64_t abs = units < 0 ? 0 - static_cast<uint64_t>(units) : static_cast<uint64_t>(units);
  if (exponent == 0) return absl::StrCat(sign, abs);
  return absl::StrFormat("%s%d.%0*d", sign, abs / scale, exponent, abs % scale);
}

}  // namespace kpo::core
