#pragma once

// One page of a keyset-paginated list, the application side shared by the daily kaizen
// service's lists: opens the page token for its scope, reads up to one row more than
// the page holds (to know whether another page follows), hands the page's rows on and
// sets the next token from the last one.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/core/pagination.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::daily {

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

}  // namespace kpo::daily
