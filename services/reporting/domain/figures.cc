#include "domain/figures.h"

#include <algorithm>

namespace kpo::reporting::domain {

namespace pb = kpo::reporting::v1;

pb::Ratio MakeRatio(int64_t numerator, int64_t denominator) {
  pb::Ratio r;
  r.set_numerator(numerator);
  r.set_denominator(denominator);
  if (denominator != 0) {
    r.set_value(static_cast<double>(numerator) / static_cast<double>(denominator));
  }
  return r;
}

std::optional<int64_t> Median(std::vector<int64_t> values) {
  if (values.empty()) return std::nullopt;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const int64_t upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const int64_t lower =
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  // Halves first: no overflow; floor of the mean for non-negative values.
  return lower / 2 + upper / 2 + (lower % 2 + upper % 2) / 2;
}

int AgeBucket(absl::Duration age) {
  if (age < absl::Hours(24 * 30)) return 0;
  if (age < absl::Hours(24 * 90)) return 1;
  if (age < absl::Hours(24 * 180)) return 2;
  return 3;
}

void IdeaCounts::Add(const IdeaCounts& o) {
  submitted += o.submitted;
  submitted_kept += o.submitted_kept;
  submitted_implemented += o.submitted_implemented;
  implemented += o.implemented;
  implement_seconds.insert(implement_seconds.end(), o.implement_seconds.begin(),
                           o.implement_seconds.end());
  rejected += o.rejected;
  for (int i = 0; i < kAgeBuckets; ++i) open_by_age[i] += o.open_by_age[i];
  review_backlog += o.review_backlog;
  headcount += o.headcount;
  participants += o.participants;
}

pb::DailyKaizenFigures DailyKaizenFigures(const IdeaCounts& c) {
  pb::DailyKaizenFigures f;
  f.set_ideas_submitted(c.submitted);
  f.set_headcount(c.headcount);
  *f.mutable_ideas_per_person() = MakeRatio(c.submitted, c.headcount);
  *f.mutable_participation_rate() = MakeRatio(c.participants, c.headcount);
  *f.mutable_implementation_rate() = MakeRatio(c.submitted_implemented, c.submitted_kept);
  f.set_ideas_implemented(c.implemented);
  if (auto median = Median(c.implement_seconds)) {
    f.mutable_median_time_to_implement()->set_seconds(*median);
  }
  auto* open = f.mutable_open_ideas();
  open->set_under_30_days(c.open_by_age[0]);
  open->set_from_30_to_89_days(c.open_by_age[1]);
  open->set_from_90_to_179_days(c.open_by_age[2]);
  open->set_from_180_days(c.open_by_age[3]);
  open->set_total(c.open_by_age[0] + c.open_by_age[1] + c.open_by_age[2] + c.open_by_age[3]);
  f.set_review_backlog(c.review_backlog);
  f.set_ideas_rejected(c.rejected);
  return f;
}

void KaizenCounts::Add(const KaizenCounts& o) {
  proposed += o.proposed;
  completed += o.completed;
  completed_by_line += o.completed_by_line;
  completed_by_kpo += o.completed_by_kpo;
  in_follow_up += o.in_follow_up;
  sustained += o.sustained;
  backslid += o.backslid;
  items_due += o.items_due;
  items_done += o.items_done;
  items_overdue += o.items_overdue;
}

pb::KaizenEventFigures KaizenEventFigures(const KaizenCounts& c) {
  pb::KaizenEventFigures f;
  f.set_events_proposed(c.proposed);
  f.set_events_completed(c.completed);
  f.set_events_in_follow_up(c.in_follow_up);
  f.set_events_sustained(c.sustained);
  f.set_events_backslid(c.backslid);
  *f.mutable_sustainment_rate() = MakeRatio(c.sustained, c.sustained + c.backslid);
  f.set_action_items_due(c.items_due);
  f.set_action_items_done(c.items_done);
  *f.mutable_action_item_closure_rate() = MakeRatio(c.items_done, c.items_due);
  f.set_action_items_overdue(c.items_overdue);
  *f.mutable_line_facilitation_share() =
      MakeRatio(c.completed_by_line, c.completed_by_line + c.completed_by_kpo);
  return f;
}

void CoachingCounts::Add(const CoachingCounts& o) {
  cycles += o.cycles;
  active_learners += o.active_learners;
  line_cycles += o.line_cycles;
  kpo_cycles += o.kpo_cycles;
  coaching_the_coach += o.coaching_the_coach;
  relationships += o.relationships;
  expected_per_week_total += o.expected_per_week_total;
  learners_without_recent_cycle += o.learners_without_recent_cycle;
}

pb::CoachingFigures CoachingFigures(const CoachingCounts& c, int64_t period_days) {
  pb::CoachingFigures f;
  f.set_coaching_cycles(c.cycles);
  f.set_active_learners(c.active_learners);
  if (c.active_learners > 0 && period_days > 0) {
    f.set_cycles_per_learner_per_week(static_cast<double>(c.cycles) /
                                      static_cast<double>(c.active_learners) /
                                      (static_cast<double>(period_days) / 7.0));
  }
  if (c.relationships > 0) {
    f.set_expected_cycles_per_week(static_cast<double>(c.expected_per_week_total) /
                                   static_cast<double>(c.relationships));
  }
  f.set_learners_without_recent_cycle(c.learners_without_recent_cycle);
  *f.mutable_line_coaching_share() = MakeRatio(c.line_cycles, c.line_cycles + c.kpo_cycles);
  f.set_cycles_coaching_the_coach(c.coaching_the_coach);
  return f;
}

}  // namespace kpo::reporting::domain
