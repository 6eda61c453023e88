#pragma once

// The read side every service's Get and List methods share: one resource by name, the
// shape of a list's name filters, one page of a keyset-paginated list, and a page of
// rows filtered by a test no index can answer.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "kpo/core/errors.h"
#include "kpo/core/pagination.h"
#include "kpo/core/resource_name.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::command {

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

}  // namespace kpo::command
