#pragma once

// kpo.common.v1.Date (a civil date without time zone) and absl civil days. Every
// service that stores or compares dates uses these. Pure, thread-safe.

#include <cstdint>

#include "absl/time/civil_time.h"
#include "kpo/common/v1/date.pb.h"

namespace kpo::core {

// A real calendar date between 1900-01-01 and 9999-12-31 (2026-02-29 is not).
bool IsValidDate(const kpo::common::v1::Date& d);
absl::CivilDay ToCivil(const kpo::common::v1::Date& d);
kpo::common::v1::Date FromCivil(absl::CivilDay day);
// YYYYMMDD as an integer, for ordering and range filters in SQL; 0 for an unset date.
int64_t DateKey(const kpo::common::v1::Date& d);
// The inverse of DateKey for a key it made (YYYYMMDD).
absl::CivilDay CivilFromKey(int64_t key);

}  // namespace kpo::core
