#include "portfolio_store.h"

#include "kpo/core/date.h"
#include "kpo/storage/sql.h"

namespace kpo::people::store {

using namespace kpo::storage::sql;  // NOLINT: the statement helpers

namespace pb = kpo::people::v1;
using kpo::storage::Blob;
using kpo::storage::Transaction;
using kpo::storage::Value;

absl::StatusOr<std::optional<EvidenceRow>> LoadEvidence(Transaction& tx, const std::string& org,
                                                        const std::string& name) {
  return LoadOne(tx, "evidence", org, name, &EvidenceRow::evidence);
}

absl::Status SaveEvidence(Transaction& tx, const std::string& org, const pb::Evidence& e,
                          int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO evidence (org, name, person, kind, state, day, revision, data) VALUES (?, "
          "?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET state = excluded.state, "
          "revision = excluded.revision, data = excluded.data",
          {org, e.name(), e.person(), static_cast<int64_t>(e.kind()),
           static_cast<int64_t>(e.state()), kpo::core::DateKey(e.date()), revision,
           Blob{e.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::Evidence>> ListEvidence(Transaction& tx, const std::string& org,
                                                       const EvidenceFilter& f,
                                                       const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "day";
  std::string sql = "SELECT data, name FROM evidence WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("person", f.person, sql, params);
  Equal("kind", int64_t{f.kind}, sql, params);
  Equal("state", int64_t{f.state}, sql, params);
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::Evidence>(tx.Query(sql, params), "evidence");
}

absl::StatusOr<std::vector<pb::Evidence>> PersonEvidence(Transaction& tx, const std::string& org,
                                                         const std::string& person) {
  return ParseAll<pb::Evidence>(
      tx.Query("SELECT data, name FROM evidence WHERE org = ? AND person = ?", {org, person}),
      "evidence");
}

}  // namespace kpo::people::store
