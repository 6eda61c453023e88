#include "domain/periods.h"

namespace kpo::reporting::domain {

CivilPeriod PeriodContaining(Granularity granularity, absl::CivilDay day) {
  CivilPeriod p;
  p.granularity = granularity;
  switch (granularity) {
    case Granularity::kWeek:
      p.first = absl::PrevWeekday(day + 1, absl::Weekday::monday);
      p.last = p.first + 6;
      break;
    case Granularity::kMonth: {
      const absl::CivilMonth month(day);
      p.first = absl::CivilDay(month);
      p.last = absl::CivilDay(month + 1) - 1;
      break;
    }
    case Granularity::kQuarter: {
      const int first_month = (day.month() - 1) / 3 * 3 + 1;
      const absl::CivilMonth month(day.year(), first_month);
      p.first = absl::CivilDay(month);
      p.last = absl::CivilDay(month + 3) - 1;
      break;
    }
    case Granularity::kYear: {
      const absl::CivilYear year(day);
      p.first = absl::CivilDay(year);
      p.last = absl::CivilDay(year + 1) - 1;
      break;
    }
  }
  return p;
}

CivilPeriod Previous(const CivilPeriod& period) {
  return PeriodContaining(period.granularity, period.first - 1);
}

Window InZone(const CivilPeriod& period, absl::TimeZone zone) {
  // absl::FromCivil is order-preserving: a midnight that does not exist (the clocks jump
  // over it) is the instant of the jump, a repeated one its first occurrence, so
  // consecutive windows tile the time line.
  return {absl::FromCivil(absl::CivilSecond(period.first), zone),
          absl::FromCivil(absl::CivilSecond(period.last + 1), zone)};
}

}  // namespace kpo::reporting::domain
