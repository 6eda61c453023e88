#pragma once

// Pieces stores build their statements from: an optional equality or day range
// appended to a WHERE clause, a list of serialized resources parsed, one
// (revision, data) row loaded by name.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "kpo/storage/database.h"

namespace kpo::storage::sql {

// Adds " AND <column> = ?" when `value` is set (not empty, not 0).
inline void Equal(const std::string& column, const std::string& value, std::string& where,
                  std::vector<Value>& params) {
  if (value.empty()) return;
  absl::StrAppend(&where, " AND ", column, " = ?");
  params.emplace_back(value);
}
inline void Equal(const std::string& column, int64_t value, std::string& where,
                  std::vector<Value>& params) {
  if (value == 0) return;
  absl::StrAppend(&where, " AND ", column, " = ?");
  params.emplace_back(value);
}

// Adds the bounds of a YYYYMMDD range that are set (0: open), inclusive.
inline void DayRange(const std::string& column, int64_t from, int64_t to, std::string& where,
                     std::vector<Value>& params) {
  if (from != 0) {
    absl::StrAppend(&where, " AND ", column, " >= ?");
    params.emplace_back(from);
  }
  if (to != 0) {
    absl::StrAppend(&where, " AND ", column, " <= ?");
    params.emplace_back(to);
  }
}

// Rows of (data, name) parsed as `T`; INTERNAL naming a row that does not parse.
template <class T>
absl::StatusOr<std::vector<T>> ParseAll(absl::StatusOr<std::vector<Row>> rows, const char* what) {
  if (!rows.ok()) return rows.status();
  std::vector<T> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    if (!out.emplace_back().ParseFromString(r.Text(0))) {
      return absl::InternalError(absl::StrCat("corrupt ", what, " ", r.Text(1)));
    }
  }
  return out;
}

// The (revision, data) row of `name` in `table`, as a Row {revision, <field>}.
template <class Row, class T>
absl::StatusOr<std::optional<Row>> LoadOne(Transaction& tx, const char* table,
                                           const std::string& org, const std::string& name,
                                           T Row::*field) {
  auto rows =
      tx.Query(absl::StrCat("SELECT revision, data FROM ", table, " WHERE org = ? AND name = ?"),
               {org, name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Row>();
  Row row;
  row.revision = rows->front().Int(0);
  if (!(row.*field).ParseFromString(rows->front().Text(1))) {
    return absl::InternalError(absl::StrCat("corrupt ", table, " row ", name));
  }
  return std::optional<Row>(std::move(row));
}

}  // namespace kpo::storage::sql
