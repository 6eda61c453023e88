#include "kpo/core/date.h"

namespace kpo::core {

using kpo::common::v1::Date;

bool IsValidDate(const Date& d) {
  if (d.year() < 1900 || d.year() > 9999 || d.month() < 1 || d.month() > 12 || d.day() < 1) {
    return false;
  }
  const absl::CivilDay day(d.year(), d.month(), d.day());
  return day.year() == d.year() && day.month() == d.month() && day.day() == d.day();
}

absl::CivilDay ToCivil(const Date& d) { return absl::CivilDay(d.year(), d.month(), d.day()); }

Date FromCivil(absl::CivilDay day) {
  Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

int64_t DateKey(const Date& d) {
  return static_cast<int64_t>(d.year()) * 10000 + d.month() * 100 + d.day();
}

absl::CivilDay CivilFromKey(int64_t key) {
  return absl::CivilDay(key / 10000, key / 100 % 100, key % 100);
}

}  // namespace kpo::core
