#pragma once

// The scorecard's formulas over counts a store read for one site (or area) and one
// period window. Counts of several sites add up (IdeaCounts::Add) before the formulas
// run, so an organization's rate is the ratio of its sums, never an average of its
// sites' rates. Pure, thread-safe. Definitions: services/reporting/README.md.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "kpo/reporting/v1/scorecard.pb.h"

namespace kpo::reporting::domain {

// numerator / denominator; no value when the denominator is 0.
kpo::reporting::v1::Ratio MakeRatio(int64_t numerator, int64_t denominator);

// The median of `values` (the mean of the two middle ones for an even count, rounded
// down); nullopt for none.
std::optional<int64_t> Median(std::vector<int64_t> values);

// Open-idea age buckets: [0, 30), [30, 90), [90, 180), [180, inf) days.
inline constexpr int kAgeBuckets = 4;
int AgeBucket(absl::Duration age);

// The idea system of one scope in one window [begin, end).
struct IdeaCounts {
  int64_t submitted = 0;                           // submitted in the window
  int64_t submitted_kept = 0;                      // of those, not withdrawn
  int64_t submitted_implemented = 0;               // of those, implemented since
  int64_t implemented = 0;                         // implemented in the window
  std::vector<int64_t> implement_seconds;          // their times to implement
  int64_t rejected = 0;                            // rejected in the window
  std::array<int64_t, kAgeBuckets> open_by_age{};  // open at the end, by age then
  int64_t review_backlog = 0;                      // waiting for review at the end
  int64_t headcount = 0;                           // active people at the end
  int64_t participants = 0;                        // of those, submitters in the window

  void Add(const IdeaCounts& other);
};

kpo::reporting::v1::DailyKaizenFigures DailyKaizenFigures(const IdeaCounts& counts);

// The kaizen events of one scope in one period.
struct KaizenCounts {
  int64_t proposed = 0;           // created in the period
  int64_t completed = 0;          // completed in the period (completion date)
  int64_t completed_by_line = 0;  // of those, facilitated by the line
  int64_t completed_by_kpo = 0;   // of those, facilitated by the KPO
  int64_t in_follow_up = 0;       // in follow-up at the end
  int64_t sustained = 0;          // transitions to SUSTAINED in the period
  int64_t backslid = 0;           // transitions to BACKSLID in the period
  int64_t items_due = 0;          // action items due in the period, not dropped
  int64_t items_done = 0;         // of those, done
  int64_t items_overdue = 0;      // past due and not done at the end

  void Add(const KaizenCounts& other);
};

kpo::reporting::v1::KaizenEventFigures KaizenEventFigures(const KaizenCounts& counts);

// The coaching of one scope in one period.
struct CoachingCounts {
  int64_t cycles = 0;
  int64_t active_learners = 0;  // distinct per site (a learner coached at two sites: both)
  int64_t line_cycles = 0;
  int64_t kpo_cycles = 0;
  int64_t coaching_the_coach = 0;
  int64_t relationships = 0;            // active coaching relationships of the scope
  int64_t expected_per_week_total = 0;  // the sum of their expected cycles per week
  int64_t learners_without_recent_cycle = 0;

  void Add(const CoachingCounts& other);
};

// `period_days`: the length of the period in days.
kpo::reporting::v1::CoachingFigures CoachingFigures(const CoachingCounts& counts,
                                                    int64_t period_days);

}  // namespace kpo::reporting::domain
