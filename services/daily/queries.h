#pragma once

// The read side of the daily kaizen service beyond kpo/command/reads.h: today at each
// site, and the overdue part of lists of due-dated work.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kpo/command/reads.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/core/pagination.h"
#include "kpo/core/resource_name.h"
#include "kpo/replica/directory_replica.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::daily {

using kpo::command::CheckNameFilter;
using kpo::command::FetchKept;
using kpo::command::PageQuery;
using kpo::command::ReadOne;
using kpo::command::ReadPage;

// Today at each site of one organization, at `now`, in the site's time zone from the
// replica (UTC for a site it does not know); cached for one request.
class SiteCalendar {
 public:
  SiteCalendar(kpo::storage::Transaction& tx, std::string org, absl::Time now)
      : tx_(tx), org_(std::move(org)), now_(now) {}
  absl::StatusOr<absl::CivilDay> Today(const std::string& site) {
    auto it = today_.find(site);
    if (it != today_.end()) return it->second;
    auto zone = kpo::replica::SiteTimeZone(tx_, org_, site);
    if (!zone.ok()) return zone.status();
    return today_[site] = absl::ToCivilDay(now_, *zone);
  }

 private:
  kpo::storage::Transaction& tx_;
  std::string org_;
  absl::Time now_;
  std::map<std::string, absl::CivilDay> today_;
};

// A list of due-dated work items (gemba follow-ups, deployment tasks) and its
// overdue_only/as_of pair. Overdue means still open with a due date before today at
// the item's own site, or before `as_of` when one is given.
class DueQuery {
 public:
  DueQuery(bool overdue_only, const kpo::common::v1::Date* as_of, absl::Time now)
      : overdue_only_(overdue_only), as_of_(as_of), now_(now) {}

  // Refuses an unreal as_of, and overdue_only with a state other than the open one
  // (`open_or_unset`: the asked-for state is the open one or none).
  void Check(bool open_or_unset, const char* state_field, const char* items,
             kpo::core::FieldViolations& v) const {
    if (as_of_ != nullptr && !kpo::core::IsValidDate(*as_of_)) {
      v.Add("as_of", "must be a real calendar date");
    }
    if (overdue_only_ && !open_or_unset) {
      v.Add(state_field, absl::StrCat("overdue ", items, " are OPEN ones"));
    }
  }

  // The store filter's due-before bound (YYYYMMDD, 0: none). Without as_of it is
  // tomorrow in UTC — no site is more than a day ahead of UTC, so the rows read hold
  // every one overdue at its own site, and Fetch keeps those that are.
  int64_t due_before() const {
    if (!overdue_only_) return 0;
    return as_of_ != nullptr ? kpo::core::DateKey(*as_of_)
                             : kpo::core::DateKey(kpo::core::FromCivil(
                                   absl::ToCivilDay(now_, absl::UTCTimeZone()) + 1));
  }

  // A page of the rows `fetch` reads; without as_of, only those `overdue` says are late
  // on today at their own site (a row has a site()).
  template <class Row>
  absl::StatusOr<std::vector<Row>> Fetch(
      kpo::storage::Transaction& tx, const std::string& org, const kpo::storage::KeysetPage& page,
      const std::function<absl::StatusOr<std::vector<Row>>(kpo::storage::Transaction&,
                                                           const kpo::storage::KeysetPage&)>& fetch,
      const std::function<kpo::core::PagePosition(const Row&)>& position,
      const std::function<bool(const Row&, absl::CivilDay)>& overdue) const {
    if (!overdue_only_ || as_of_ != nullptr) return fetch(tx, page);
    SiteCalendar calendar(tx, org, now_);
    return FetchKept<Row>(tx, page, fetch, position, [&](const Row& row) -> absl::StatusOr<bool> {
      auto today = calendar.Today(row.site());
      if (!today.ok()) return today.status();
      return overdue(row, *today);
    });
  }

  // The part of a page token's query key this pair makes.
  std::string Key() const {
    return absl::StrCat(overdue_only_, "|",
                        as_of_ != nullptr ? kpo::core::DateKey(*as_of_) : int64_t{0});
  }

 private:
  bool overdue_only_;
  const kpo::common::v1::Date* as_of_;
  absl::Time now_;
};

}  // namespace kpo::daily
