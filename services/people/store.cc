#include "store.h"

namespace kpo::people::store {

using kpo::storage::Blob;
using kpo::storage::Value;

absl::StatusOr<std::optional<Row>> Load(Transaction& tx, const std::string& org,
                                        const std::string& kind, const std::string& name) {
  auto rows = tx.Query(
      "SELECT revision, active, data, create_us FROM directory WHERE org = ? AND kind = ? AND "
      "name = ?",
      {org, kind, name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Row>();
  const auto& r = rows->front();
  return std::optional<Row>(Row{r.Int(0), r.Int(1) != 0, r.Text(2), r.Int(3)});
}

absl::Status Insert(Transaction& tx, const std::string& org, const std::string& kind,
                    const std::string& name, const std::string& parent, const std::string& data,
                    int64_t revision, bool active, int64_t create_us, int64_t update_us) {
  return tx
      .Exec(
          "INSERT INTO directory (org, kind, name, parent, revision, active, data, create_us, "
          "update_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {org, kind, name, parent, revision, int64_t{active}, Blob{data}, create_us, update_us})
      .status();
}

absl::Status Update(Transaction& tx, const std::string& org, const std::string& kind,
                    const std::string& name, const std::string& data, int64_t revision, bool active,
                    int64_t update_us) {
  return tx
      .Exec(
          "UPDATE directory SET revision = ?, active = ?, data = ?, update_us = ? WHERE org = ? "
          "AND kind = ? AND name = ?",
          {revision, int64_t{active}, Blob{data}, update_us, org, kind, name})
      .status();
}

absl::Status ReplaceIndex(Transaction& tx, const std::string& org, const std::string& kind,
                          const std::string& name, const Entries& entries) {
  if (auto r = tx.Exec("DELETE FROM directory_index WHERE org = ? AND kind = ? AND name = ?",
                       {org, kind, name});
      !r.ok()) {
    return r.status();
  }
  return InsertIndex(tx, org, kind, name, entries);
}

absl::Status InsertIndex(Transaction& tx, const std::string& org, const std::string& kind,
                         const std::string& name, const Entries& entries) {
  for (const auto& [key, value] : entries) {
    if (value.empty()) continue;
    auto r = tx.Exec(
        "INSERT INTO directory_index (org, kind, key, value, name) VALUES (?, ?, ?, ?, ?) ON "
        "CONFLICT DO NOTHING",
        {org, kind, key, value, name});
    if (!r.ok()) return r.status();
  }
  return absl::OkStatus();
}

absl::Status ClearUnique(Transaction& tx, const std::string& org, const std::string& kind,
                         const std::string& name) {
  return tx
      .Exec("DELETE FROM directory_unique WHERE org = ? AND kind = ? AND name = ?",
            {org, kind, name})
      .status();
}

absl::StatusOr<std::optional<std::string>> ClaimUnique(Transaction& tx, const std::string& org,
                                                       const std::string& kind,
                                                       const std::string& key,
                                                       const std::string& value,
                                                       const std::string& name) {
  auto inserted = tx.Exec(
      "INSERT INTO directory_unique (org, kind, key, value, name) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (org, kind, key, value) DO NOTHING",
      {org, kind, key, value, name});
  if (!inserted.ok()) return inserted.status();
  if (*inserted == 1) return std::optional<std::string>();
  auto rows = tx.Query(
      "SELECT name FROM directory_unique WHERE org = ? AND kind = ? AND key = ? AND value = ?",
      {org, kind, key, value});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::InternalError("unique claim neither inserted nor held");
  return std::optional<std::string>(rows->front().Text(0));
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> List(
    Transaction& tx, const std::string& org, const ListQuery& q, kpo::storage::KeysetPage page) {
  std::string sql = "SELECT d.name, d.data FROM directory d WHERE d.org = ? AND d.kind = ?";
  std::vector<Value> params = {org, q.kind};
  if (!q.parent.empty()) {
    sql += " AND d.parent = ?";
    params.emplace_back(q.parent);
  }
  if (!q.show_inactive) sql += " AND d.active = 1";
  for (const auto& [key, value] : q.filters) {
    sql +=
        " AND EXISTS (SELECT 1 FROM directory_index i WHERE i.org = d.org AND i.kind = d.kind AND "
        "i.name = d.name AND i.key = ? AND i.value = ?)";
    params.emplace_back(key);
    params.emplace_back(value);
  }
  page.sort_column.clear();
  page.name_column = "d.name";
  kpo::storage::AppendKeyset(page, sql, params);
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : *rows) out.emplace_back(r.Text(0), r.Text(1));
  return out;
}

absl::StatusOr<std::vector<std::pair<std::string, Row>>> ActiveWithEntry(Transaction& tx,
                                                                         const std::string& org,
                                                                         const std::string& kind,
                                                                         const std::string& key,
                                                                         const std::string& value) {
  auto rows = tx.Query(
      "SELECT d.name, d.revision, d.active, d.data, d.create_us FROM directory d JOIN "
      "directory_index i ON i.org = d.org AND i.kind = d.kind AND i.name = d.name WHERE d.org = "
      "? AND d.kind = ? AND d.active = 1 AND i.key = ? AND i.value = ? ORDER BY d.name",
      {org, kind, key, value});
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<std::string, Row>> out;
  for (const auto& r : *rows) {
    out.emplace_back(r.Text(0), Row{r.Int(1), r.Int(2) != 0, r.Text(3), r.Int(4)});
  }
  return out;
}

absl::StatusOr<int64_t> CountActiveChildren(Transaction& tx, const std::string& org,
                                            const std::string& kind, const std::string& parent) {
  auto rows = tx.Query(
      "SELECT COUNT(*) FROM directory WHERE org = ? AND kind = ? AND parent = ? AND active = 1",
      {org, kind, parent});
  if (!rows.ok()) return rows.status();
  return rows->front().Int(0);
}

}  // namespace kpo::people::store
