#pragma once

// Reporting periods: weeks (ISO, Monday to Sunday), months, quarters and years as runs
// of civil days, and the UTC window a period covers at one site's time zone. Pure,
// thread-safe.

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace kpo::reporting::domain {

enum class Granularity { kWeek, kMonth, kQuarter, kYear };

struct CivilPeriod {
  Granularity granularity = Granularity::kMonth;
  absl::CivilDay first;  // inclusive
  absl::CivilDay last;   // inclusive
  bool operator==(const CivilPeriod& o) const {
    return granularity == o.granularity && first == o.first && last == o.last;
  }
};

// The period of `granularity` that contains `day`.
CivilPeriod PeriodContaining(Granularity granularity, absl::CivilDay day);

// The period just before `period` (of the same granularity).
CivilPeriod Previous(const CivilPeriod& period);

// The instants [begin, end) of a period at a time zone: from local midnight of its first
// day to local midnight after its last (a day that starts in a daylight-saving gap starts
// when the clocks jump).
struct Window {
  absl::Time begin;
  absl::Time end;
};
Window InZone(const CivilPeriod& period, absl::TimeZone zone);

}  // namespace kpo::reporting::domain
