#include "kpo/storage/keyset.h"

#include "absl/strings/str_cat.h"

namespace kpo::storage {

void AppendKeyset(const KeysetPage& page, std::string& sql, std::vector<Value>& params) {
  const std::string& k = page.sort_column;
  const std::string& n = page.name_column;
  if (page.after.has_value()) {
    const auto& [key, name] = *page.after;
    if (k.empty()) {
      absl::StrAppend(&sql, " AND ", n, " > ?");
      params.emplace_back(name);
    } else {
      // A row-value comparison (SQLite >= 3.15, PostgreSQL): an index on (..., k, n)
      // seeks straight to the position instead of filtering every row before it.
      absl::StrAppend(&sql, " AND (", k, ", ", n, ") > (?, ?)");
      params.emplace_back(key);
      params.emplace_back(name);
    }
  }
  absl::StrAppend(&sql, " ORDER BY ", k.empty() ? "" : k + ", ", n, " LIMIT ?");
  params.emplace_back(static_cast<int64_t>(page.limit + 1));
}

}  // namespace kpo::storage
