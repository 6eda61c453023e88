#include "kpo_office_store.h"

#include "kpo/storage/sql.h"

namespace kpo::people::store {

using namespace kpo::storage::sql;  // NOLINT: the statement helpers

namespace pb = kpo::people::v1;
using kpo::storage::Blob;
using kpo::storage::Transaction;
using kpo::storage::Value;

absl::StatusOr<std::optional<KpoMemberRow>> LoadKpoMember(Transaction& tx, const std::string& org,
                                                          const std::string& name) {
  return LoadOne(tx, "kpo_members", org, name, &KpoMemberRow::member);
}

absl::Status SaveKpoMember(Transaction& tx, const std::string& org, const pb::KpoMember& m,
                           int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO kpo_members (org, name, person, level, active, revision, data) VALUES (?, "
          "?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET level = excluded.level, active "
          "= excluded.active, revision = excluded.revision, data = excluded.data",
          {org, m.name(), m.person(), static_cast<int64_t>(m.level()),
           int64_t{m.state() == pb::ACTIVE}, revision, Blob{m.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::KpoMember>> ListKpoMembers(Transaction& tx, const std::string& org,
                                                          const KpoMemberFilter& f,
                                                          const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column.clear();
  std::string sql = "SELECT data, name FROM kpo_members WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("person", f.person, sql, params);
  Equal("level", int64_t{f.level}, sql, params);
  if (!f.show_inactive) sql += " AND active = 1";
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::KpoMember>(tx.Query(sql, params), "KPO member");
}

absl::StatusOr<pb::KpoLevel> ActiveKpoLevel(Transaction& tx, const std::string& org,
                                            const std::string& person) {
  auto rows =
      tx.Query("SELECT level FROM kpo_members WHERE org = ? AND person = ? AND active = 1 LIMIT 1",
               {org, person});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return pb::KPO_LEVEL_UNSPECIFIED;
  return static_cast<pb::KpoLevel>(rows->front().Int(0));
}

}  // namespace kpo::people::store
