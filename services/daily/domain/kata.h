#pragma once

// The rules of improvement kata storyboards, experiments and coaching cycles that need
// nothing but the resources themselves, and the cadence arithmetic of coaching in civil
// days. Pure functions; no storage, no directory.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/fields.h"
#include "kpo/core/errors.h"
#include "kpo/daily/v1/resources.pb.h"
#include "kpo/people/v1/resources.pb.h"

namespace kpo::daily::domain {

inline constexpr int kMaxObstacles = 50;
inline constexpr size_t kMaxObstacleText = 500;
inline constexpr int kMaxCycleMinutes = 240;
inline constexpr int kMaxCycleAgeDays = kMaxRecordAgeDays;
// The window of the cycles-per-week figure: four weeks.
inline constexpr int kCadenceWindowDays = 28;

// "ACTIVE" for STORYBOARD_STATE_ACTIVE.
std::string StoryboardStateName(v1::StoryboardState state);

// Field rules of a storyboard as the caller wrote it (violations of
// "storyboard.<field>"); output-only fields are not looked at, obstacle ids neither.
void ValidateStoryboard(const v1::Storyboard& s, kpo::core::FieldViolations& v);

// Gives the obstacles without an id the next ids ("1", "2", ...; `next` is the next
// number and advances). An id that `before` (the stored storyboard; nullptr on creation)
// does not have is a violation of "storyboard.obstacles[i].id": ids are the server's.
void NumberObstacles(const v1::Storyboard* before, v1::Storyboard& after, int64_t& next,
                     kpo::core::FieldViolations& v);

// Field rules of an experiment (violations of "experiment.<field>"); `obstacles` are the
// storyboard's, which experiment.obstacle must name if set.
void ValidateExperiment(const v1::Experiment& e, const v1::Storyboard& storyboard,
                        kpo::core::FieldViolations& v);

// Field rules of a coaching cycle held on `today` at the storyboard's site (violations
// of "coaching_cycle.<field>"): a real date, not after today and at most a year back;
// 1-240 minutes; the five answers.
void ValidateCoachingCycle(const v1::CoachingCycle& c, absl::CivilDay today,
                           kpo::core::FieldViolations& v);

// KPO when the coach is KPO staff (kpo_specialist or external sensei), LINE otherwise.
v1::CoachKind CoachKindOf(const kpo::people::v1::Person& coach);

// The civil day it is at `now` in `zone`.
absl::CivilDay Today(absl::Time now, absl::TimeZone zone);

// A learner's cadence on `today` from the civil days of their cycles (any order).
struct Cadence {
  std::optional<absl::CivilDay> last;
  // today - last; -1 without any cycle (a cycle dated after today counts as today).
  int days_since_last = -1;
  // Cycles on today and the 27 days before.
  int cycles_in_window = 0;
};
Cadence CadenceOn(absl::CivilDay today, const std::vector<absl::CivilDay>& cycle_days);

// True when a learner with this cadence had no cycle in the last `days` days (today
// and the days-1 before), or never.
bool IsOverdue(const Cadence& cadence, int days);

}  // namespace kpo::daily::domain
