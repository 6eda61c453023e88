#pragma once

// Keyset pagination, the SQL side (the application side is kpo/core/pagination.h):
// the condition, order and limit that select one page of rows ordered by an integer
// sort column and the name column. Stores append it to their own SELECT, so every
// list of every service pages the same way and stays an index range scan.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kpo/storage/database.h"

namespace kpo::storage {

struct KeysetPage {
  // Integer sort column, e.g. "due"; empty: the list is ordered by name alone.
  std::string sort_column;
  std::string name_column = "name";
  // The page starts after this (key, name); nullopt: the first page.
  std::optional<std::pair<int64_t, std::string>> after;
  // Rows wanted; one more is selected so the caller knows whether a next page exists.
  int limit = 50;
};

// Appends " AND <after the position> ORDER BY ... LIMIT ?" to `sql` (which must end in a
// WHERE clause) and the parameters to `params`.
void AppendKeyset(const KeysetPage& page, std::string& sql, std::vector<Value>& params);

}  // namespace kpo::storage
