#include "domain/office.h"

#include <algorithm>
#include <limits>
#include <map>

#include "absl/numeric/int128.h"
#include "domain/figures.h"
#include "kpo/core/date.h"

namespace kpo::reporting::domain {

namespace pb = kpo::reporting::v1;

void CurrencyCounts::Add(const CurrencyCounts& o) {
  one_time += o.one_time;
  recurring += o.recurring;
  hard += o.hard;
  from_events += o.from_events;
  from_ideas += o.from_ideas;
  kpo_cost += o.kpo_cost;
}

void MoneyCounts::Add(const MoneyCounts& o) {
  for (const auto& [code, counts] : o.currencies) currencies[code].Add(counts);
}

void AddSaving(MoneyCounts& counts, const SavingRow& row) {
  if (row.currency.empty() || row.minor_units == 0) return;
  CurrencyCounts& c = counts.currencies[row.currency];
  (row.recurrence == 2 ? c.recurring : c.one_time) += row.minor_units;
  if (row.kind == 1) c.hard += row.minor_units;
  (row.from_event ? c.from_events : c.from_ideas) += row.minor_units;
}

int64_t DaysWithin(const MemberRow& m, int64_t first_day, int64_t last_day) {
  const int64_t from = std::max(m.first_day, first_day);
  const int64_t to = m.last_day == 0 ? last_day : std::min(m.last_day, last_day);
  if (from == 0 || to == 0 || from > to) return 0;
  return (kpo::core::CivilFromKey(to) - kpo::core::CivilFromKey(from)) + 1;
}

int64_t CostOfDays(int64_t cost_per_month, int time_share_percent, int64_t days) {
  // cost x share x days x 12 / (100 x 365), in 128 bits, half away from zero.
  const absl::int128 numerator = absl::int128(cost_per_month) * time_share_percent * days * 12;
  const absl::int128 denominator = 100 * 365;
  const bool negative = numerator < 0;
  const absl::int128 magnitude = negative ? -numerator : numerator;
  absl::int128 rounded = (magnitude + denominator / 2) / denominator;
  if (negative) rounded = -rounded;
  if (rounded > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (rounded < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(rounded);
}

void AddKpoCost(MoneyCounts& counts, const std::vector<MemberRow>& members, int64_t first_day,
                int64_t end_day) {
  for (const MemberRow& m : members) {
    if (m.currency.empty()) continue;
    const int64_t days = DaysWithin(m, first_day, end_day);
    if (days == 0) continue;
    counts.currencies[m.currency].kpo_cost +=
        CostOfDays(m.cost_per_month, m.time_share_percent, days);
  }
}

namespace {

kpo::common::v1::Money MoneyOf(const std::string& currency, int64_t minor_units) {
  kpo::common::v1::Money m;
  m.set_currency_code(currency);
  m.set_minor_units(minor_units);
  return m;
}

}  // namespace

pb::MoneyFigures MoneyFigures(const MoneyCounts& counts) {
  pb::MoneyFigures f;
  for (const auto& [code, c] : counts.currencies) {
    auto* out = f.add_currencies();
    out->set_currency_code(code);
    *out->mutable_one_time_savings() = MoneyOf(code, c.one_time);
    *out->mutable_recurring_savings() = MoneyOf(code, c.recurring);
    *out->mutable_hard_savings() = MoneyOf(code, c.hard);
    *out->mutable_kaizen_event_savings() = MoneyOf(code, c.from_events);
    *out->mutable_idea_savings() = MoneyOf(code, c.from_ideas);
    *out->mutable_kpo_cost() = MoneyOf(code, c.kpo_cost);
    *out->mutable_return_on_kpo_cost() = MakeRatio(c.one_time + c.recurring, c.kpo_cost);
  }
  return f;
}

void FootprintCounts::Add(const FootprintCounts& o) {
  kpo_people += o.kpo_people;
  kpo_share_points += o.kpo_share_points;
  kaizen_pool_people += o.kaizen_pool_people;
  headcount += o.headcount;
  line_led += o.line_led;
  kpo_led += o.kpo_led;
}

void AddKpoMembers(FootprintCounts& counts, const std::vector<MemberRow>& members,
                   int64_t end_day) {
  // A person counts once; their shares add up (two memberships cannot be active at once in
  // the people service, but a projection may briefly hold an overlap).
  std::map<std::string, std::pair<int64_t, bool>> people;
  for (const MemberRow& m : members) {
    if (DaysWithin(m, end_day, end_day) == 0) continue;
    auto& [share, pool] = people[m.person];
    share = std::min<int64_t>(100, share + m.time_share_percent);
    pool = pool || m.kaizen_pool;
  }
  for (const auto& [person, entry] : people) {
    ++counts.kpo_people;
    counts.kpo_share_points += entry.first;
    counts.kaizen_pool_people += entry.second;
  }
}

pb::KpoFootprintFigures KpoFootprintFigures(const FootprintCounts& c) {
  pb::KpoFootprintFigures f;
  f.set_kpo_people(c.kpo_people);
  f.set_kpo_full_time_equivalents(static_cast<double>(c.kpo_share_points) / 100.0);
  f.set_kaizen_pool_people(c.kaizen_pool_people);
  f.set_headcount(c.headcount);
  *f.mutable_kpo_share_of_headcount() = MakeRatio(c.kpo_share_points, c.headcount * 100);
  *f.mutable_line_led_share() = MakeRatio(c.line_led, c.line_led + c.kpo_led);
  return f;
}

}  // namespace kpo::reporting::domain
