#pragma once

// Money (validated savings and the KPO's cost, per currency) and the KPO footprint
// (the office's size against the organization's, and how much improvement the line
// leads). Pure, thread-safe. Definitions: services/reporting/README.md.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kpo/reporting/v1/scorecard.pb.h"

namespace kpo::reporting::domain {

// Amounts in one currency's minor units. Currencies are never converted or mixed.
struct CurrencyCounts {
  int64_t one_time = 0;     // one-time savings validated in the period
  int64_t recurring = 0;    // recurring savings validated in the period, per year
  int64_t hard = 0;         // of the two, hard savings (in the P&L)
  int64_t from_events = 0;  // of the two, from kaizen events
  int64_t from_ideas = 0;   // of the two, from ideas
  int64_t kpo_cost = 0;     // what the KPO cost over the period

  void Add(const CurrencyCounts& other);
};

struct MoneyCounts {
  std::map<std::string, CurrencyCounts> currencies;  // by ISO 4217 code

  void Add(const MoneyCounts& other);
};

// One validated saving. `recurrence`/`kind` as kpo.kaizen.v1.Recurrence/SavingsKind (the
// daily service's ImpactRecurrence/ImpactKind have the same numbers).
struct SavingRow {
  std::string currency;
  int64_t minor_units = 0;
  int recurrence = 0;  // 1 one-time, 2 annual
  int kind = 0;        // 1 hard, 2 soft
  bool from_event = false;
};
void AddSaving(MoneyCounts& counts, const SavingRow& row);

// A KPO membership's days (YYYYMMDD keys): from `first_day` through `last_day`
// inclusive (0: open-ended).
struct MemberRow {
  std::string person;
  int64_t first_day = 0;
  int64_t last_day = 0;
  int time_share_percent = 0;
  bool kaizen_pool = false;
  std::string currency;
  int64_t cost_per_month = 0;  // minor units
};

// The days [first, last] (YYYYMMDD keys, inclusive) have in common with the
// membership; 0 when none.
int64_t DaysWithin(const MemberRow& member, int64_t first_day, int64_t last_day);

// What `days` of a membership cost: cost_per_month x share / 100 x 12 / 365 per day,
// rounded half away from zero once over the whole span (never overflowing).
int64_t CostOfDays(int64_t cost_per_month, int time_share_percent, int64_t days);

// The KPO's cost over the period's days up to its end day, added to `counts`.
void AddKpoCost(MoneyCounts& counts, const std::vector<MemberRow>& members, int64_t first_day,
                int64_t end_day);

kpo::reporting::v1::MoneyFigures MoneyFigures(const MoneyCounts& counts);

struct FootprintCounts {
  int64_t kpo_people = 0;          // members active on the end day (distinct people)
  int64_t kpo_share_points = 0;    // their time shares summed, in percent points
  int64_t kaizen_pool_people = 0;  // of them, temporary kaizen-pool members
  int64_t headcount = 0;           // active people at the end
  int64_t line_led = 0;            // events completed and coaching cycles led by the line
  int64_t kpo_led = 0;             // ... by the KPO

  void Add(const FootprintCounts& other);
};

// Members active on `end_day`, added to `counts`.
void AddKpoMembers(FootprintCounts& counts, const std::vector<MemberRow>& members, int64_t end_day);

kpo::reporting::v1::KpoFootprintFigures KpoFootprintFigures(const FootprintCounts& counts);

}  // namespace kpo::reporting::domain
