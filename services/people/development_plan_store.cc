#include "development_plan_store.h"

#include "google/protobuf/util/time_util.h"
#include "kpo/storage/sql.h"

namespace kpo::people::store {

using namespace kpo::storage::sql;  // NOLINT: the statement helpers

namespace pb = kpo::people::v1;
using kpo::storage::Blob;
using kpo::storage::Transaction;
using kpo::storage::Value;

absl::StatusOr<std::optional<PlanRow>> LoadPlan(Transaction& tx, const std::string& org,
                                                const std::string& person) {
  auto rows = tx.Query("SELECT revision, data FROM development_plans WHERE org = ? AND person = ?",
                       {org, person});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<PlanRow>();
  PlanRow row;
  row.revision = rows->front().Int(0);
  if (!row.plan.ParseFromString(rows->front().Text(1))) {
    return absl::InternalError("corrupt development plan of " + person);
  }
  return std::optional<PlanRow>(std::move(row));
}

absl::Status SavePlan(Transaction& tx, const std::string& org, const pb::DevelopmentPlan& plan,
                      int64_t revision) {
  pb::DevelopmentPlan stored = plan;
  stored.clear_planned_items();
  stored.clear_in_progress_items();
  stored.clear_done_items();
  return tx
      .Exec(
          "INSERT INTO development_plans (org, person, revision, data) VALUES (?, ?, ?, ?) ON "
          "CONFLICT (org, person) DO UPDATE SET revision = excluded.revision, data = "
          "excluded.data",
          {org, plan.person(), revision, Blob{stored.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::optional<StudyItemRow>> LoadStudyItem(Transaction& tx, const std::string& org,
                                                          const std::string& name) {
  return LoadOne(tx, "study_items", org, name, &StudyItemRow::item);
}

absl::Status SaveStudyItem(Transaction& tx, const std::string& org, const pb::StudyItem& item,
                           int64_t revision, int64_t created) {
  return tx
      .Exec(
          "INSERT INTO study_items (org, name, person, status, kind, created, revision, data) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET status = "
          "excluded.status, kind = excluded.kind, revision = excluded.revision, data = "
          "excluded.data",
          {org, item.name(), item.person(), static_cast<int64_t>(item.status()),
           static_cast<int64_t>(item.kind()), created, revision, Blob{item.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::StudyItem>> ListStudyItems(Transaction& tx, const std::string& org,
                                                          const StudyItemFilter& f,
                                                          const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "created";
  std::string sql = "SELECT data, name FROM study_items WHERE org = ? AND person = ?";
  std::vector<Value> params = {org, f.person};
  Equal("status", int64_t{f.status}, sql, params);
  Equal("kind", int64_t{f.kind}, sql, params);
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::StudyItem>(tx.Query(sql, params), "study item");
}

absl::StatusOr<std::map<int, int64_t>> CountStudyItems(Transaction& tx, const std::string& org,
                                                       const std::string& person) {
  auto rows = tx.Query(
      "SELECT status, COUNT(*) FROM study_items WHERE org = ? AND person = ? GROUP BY status",
      {org, person});
  if (!rows.ok()) return rows.status();
  std::map<int, int64_t> out;
  for (const auto& r : *rows) out[static_cast<int>(r.Int(0))] = r.Int(1);
  return out;
}

}  // namespace kpo::people::store
