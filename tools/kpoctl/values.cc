#include "values.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "kpo/core/money.h"

namespace kpo::kpoctl {

absl::StatusOr<kpo::common::v1::Money> ParseMoney(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits(':', 1));
  if (parts.size() != 2 || parts[0].size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not an amount; write CUR:amount, e.g. EUR:12000.50"));
  }
  const std::string code = absl::AsciiStrToUpper(parts[0]);
  const int exponent = kpo::core::CurrencyExponent(code);
  std::vector<std::string> num = absl::StrSplit(parts[1], absl::MaxSplits('.', 1));
  std::string whole = num[0], fraction = num.size() > 1 ? num[1] : "";
  if (static_cast<int>(fraction.size()) > exponent) {
    return absl::InvalidArgumentError(
        absl::StrCat(code, " has ", exponent, " decimal places; '", parts[1], "' has more"));
  }
  fraction.append(exponent - fraction.size(), '0');
  int64_t units = 0;
  const std::string digits = whole + fraction;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
      !absl::SimpleAtoi(digits, &units)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", parts[1], "' is not a non-negative amount"));
  }
  kpo::common::v1::Money m;
  m.set_currency_code(code);
  m.set_minor_units(units);
  return m;
}

std::string FormatMoney(const kpo::common::v1::Money& money) {
  return absl::StrCat(money.currency_code(), " ", kpo::core::DecimalAmount(money));
}

absl::StatusOr<kpo::kaizen::v1::Savings> ParseSavings(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a saving; write CUR:amount/one_time|annual/hard|soft"));
  }
  auto amount = ParseMoney(parts[0]);
  if (!amount.ok()) return amount.status();
  kpo::kaizen::v1::Savings s;
  *s.mutable_amount() = *amount;
  const std::string recurrence = absl::AsciiStrToLower(parts[1]);
  const std::string kind = absl::AsciiStrToLower(parts[2]);
  if (recurrence == "annual") {
    s.set_recurrence(kpo::kaizen::v1::ANNUAL);
  } else if (recurrence == "one_time" || recurrence == "once") {
    s.set_recurrence(kpo::kaizen::v1::ONE_TIME);
  } else {
    return absl::InvalidArgumentError("recurrence must be one_time or annual");
  }
  if (kind == "hard") {
    s.set_kind(kpo::kaizen::v1::HARD);
  } else if (kind == "soft") {
    s.set_kind(kpo::kaizen::v1::SOFT);
  } else {
    return absl::InvalidArgumentError("kind must be hard or soft");
  }
  return s;
}

absl::StatusOr<kpo::common::v1::Date> ParseDate(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, '-');
  int y = 0, m = 0, d = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &d)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a date like 2026-03-02"));
  }
  kpo::common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

std::string FormatDate(const kpo::common::v1::Date& d) {
  if (d.year() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

}  // namespace kpo::kpoctl
