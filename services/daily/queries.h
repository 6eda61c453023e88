#pragma once

// The read side shared by the daily kaizen service's Get and List methods: one
// resource by name, the shape of a list's name filters, and one page of a
// keyset-paginated list.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/core/pagination.h"
#include "kpo/core/resource_name.h"
#include "kpo/replica/directory_replica.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::daily {

// Reads one resource: `load` returns its row, nullopt for NOT_FOUND naming `name`.
template <class Row>
absl::StatusOr<Row> ReadOne(
    kpo::storage::Database& db, const std::string& name,
    const std::function<absl::StatusOr<std::optional<Row>>(kpo::storage::Transaction&)>& load) {
  std::optional<Row> row;
  absl::Status s = db.Read([&](kpo::storage::Transaction& tx) -> absl::Status {
    auto loaded = load(tx);
    if (!loaded.ok()) return loaded.status();
    row = *std::move(loaded);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!row.has_value()) return kpo::core::NotFound(name);
  return *std::move(row);
}

// A list filter naming a resource: a violation of `field` ("must be a <what> name")
// unless it is empty or of the shape of `collections`.
inline void CheckNameFilter(const std::string& value, kpo::core::Collections collections,
                            const char* field, const char* what, kpo::core::FieldViolations& v) {
  if (!value.empty() && !kpo::core::ParseName(value, collections)) {
    v.Add(field, absl::StrCat("must be a ", what, " name"));
  }
}

// One page of a list: opens the page token for its scope, reads up to one row more than
// the page holds (to know whether another page follows), hands the page's rows on and
// sets the next token from the last one.
template <class Row>
struct PageQuery {
  // Rows after keyset.after, at most keyset.limit + 1, in keyset order.
  std::function<absl::StatusOr<std::vector<Row>>(kpo::storage::Transaction&,
                                                 const kpo::storage::KeysetPage&)>
      fetch;
  // The row's position (sort key and name).
  std::function<kpo::core::PagePosition(const Row&)> position;
  // Takes one row of the page (it may move from it).
  std::function<void(Row&)> emit;
};

template <class Row>
absl::Status ReadPage(kpo::storage::Database& db, const kpo::core::PageTokenCodec& tokens,
                      const kpo::core::PageOptions& options, int32_t page_size,
                      const std::string& page_token, std::string scope, const PageQuery<Row>& q,
                      std::string& next_page_token) {
  auto page = kpo::core::OpenPage(tokens, options, page_size, page_token, std::move(scope));
  if (!page.ok()) return page.status();
  kpo::storage::KeysetPage keyset;
  keyset.limit = page->limit;
  if (page->after.has_value()) keyset.after = {{page->after->key, page->after->name}};
  return db.Read([&](kpo::storage::Transaction& tx) -> absl::Status {
    auto rows = q.fetch(tx, keyset);
    if (!rows.ok()) return rows.status();
    const size_t limit = static_cast<size_t>(page->limit);
    if (rows->size() > limit) {
      next_page_token = kpo::core::NextPageToken(tokens, *page, q.position((*rows)[limit - 1]));
    }
    // After the position: emit may move the row away.
    for (size_t i = 0; i < rows->size() && i < limit; ++i) q.emit((*rows)[i]);
    return absl::OkStatus();
  });
}

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

// A page of rows that pass a test no index can answer (overdue at their own site):
// reads rows in keyset order from `page`'s position, keeping those `keep` accepts,
// until the page and one more row are kept or the rows end.
template <class Row>
absl::StatusOr<std::vector<Row>> FetchKept(
    kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& page,
    const std::function<absl::StatusOr<std::vector<Row>>(kpo::storage::Transaction&,
                                                         const kpo::storage::KeysetPage&)>& fetch,
    const std::function<kpo::core::PagePosition(const Row&)>& position,
    const std::function<absl::StatusOr<bool>(const Row&)>& keep) {
  std::vector<Row> kept;
  kpo::storage::KeysetPage next = page;
  const size_t wanted = static_cast<size_t>(page.limit) + 1;
  while (kept.size() < wanted) {
    auto rows = fetch(tx, next);
    if (!rows.ok()) return rows.status();
    for (auto& row : *rows) {
      const kpo::core::PagePosition at = position(row);
      next.after = {{at.key, at.name}};
      auto ok = keep(row);
      if (!ok.ok()) return ok.status();
      if (*ok) kept.push_back(std::move(row));
      if (kept.size() == wanted) break;
    }
    if (rows->size() < wanted) break;
  }
  return kept;
}

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
