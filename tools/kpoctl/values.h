#pragma once

// Parsing of values typed on the command line. Pure.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kpo/common/v1/date.pb.h"
#include "kpo/common/v1/money.pb.h"
#include "kpo/kaizen/v1/resources.pb.h"

namespace kpo::kpoctl {

// "EUR:12000.50" -> {EUR, 1200050}. Exactly: no floating point; more decimals than the
// currency has is an error.
absl::StatusOr<kpo::common::v1::Money> ParseMoney(absl::string_view text);
// {EUR, 1200050} -> "EUR 12000.50"
std::string FormatMoney(const kpo::common::v1::Money& money);

// "EUR:5000/annual/hard" (recurrence one_time|annual, kind hard|soft).
absl::StatusOr<kpo::kaizen::v1::Savings> ParseSavings(absl::string_view text);

// "2026-03-02" -> Date (shape only; the server checks the calendar).
absl::StatusOr<kpo::common::v1::Date> ParseDate(absl::string_view text);
std::string FormatDate(const kpo::common::v1::Date& date);

}  // namespace kpo::kpoctl
