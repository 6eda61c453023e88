#include "yokoten_store.h"

#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/storage/sql.h"

namespace kpo::daily::store {

using namespace kpo::storage::sql;  // NOLINT: the statement helpers

namespace pb = kpo::daily::v1;
using kpo::storage::Blob;
using kpo::storage::Value;

absl::StatusOr<std::optional<PracticeRow>> LoadPractice(Transaction& tx, const std::string& org,
                                                        const std::string& name) {
  return LoadOne(tx, "practices", org, name, &PracticeRow::practice);
}

absl::Status SavePractice(Transaction& tx, const std::string& org, const pb::Practice& p,
                          int64_t revision) {
  pb::Practice stored = p;  // the task counts are read from the tasks
  stored.clear_open_tasks();
  stored.clear_adopted_tasks();
  stored.clear_adapted_tasks();
  stored.clear_not_applicable_tasks();
  return tx
      .Exec(
          "INSERT INTO practices (org, name, idea, origin_site, strategic_objective, revision, "
          "data) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET revision = "
          "excluded.revision, data = excluded.data",
          {org, p.name(), p.idea(), p.origin_site(), p.strategic_objective(), revision,
           Blob{stored.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::Practice>> ListPractices(Transaction& tx, const std::string& org,
                                                        const PracticeFilter& f,
                                                        const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column.clear();
  std::string sql = "SELECT data, name FROM practices WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("origin_site", f.origin_site, sql, params);
  Equal("idea", f.idea, sql, params);
  Equal("strategic_objective", f.strategic_objective, sql, params);
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::Practice>(tx.Query(sql, params), "practice");
}

absl::StatusOr<std::map<pb::DeploymentState, int32_t>> CountTasks(Transaction& tx,
                                                                  const std::string& org,
                                                                  const std::string& practice) {
  auto rows = tx.Query(
      "SELECT state, COUNT(*) FROM deployment_tasks WHERE org = ? AND practice = ? GROUP BY "
      "state",
      {org, practice});
  if (!rows.ok()) return rows.status();
  std::map<pb::DeploymentState, int32_t> counts;
  for (const auto& r : *rows) {
    counts[static_cast<pb::DeploymentState>(r.Int(0))] = static_cast<int32_t>(r.Int(1));
  }
  return counts;
}

absl::StatusOr<std::optional<TaskRow>> LoadTask(Transaction& tx, const std::string& org,
                                                const std::string& name) {
  return LoadOne(tx, "deployment_tasks", org, name, &TaskRow::task);
}

absl::Status SaveTask(Transaction& tx, const std::string& org, const std::string& practice,
                      const pb::DeploymentTask& t, int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO deployment_tasks (org, name, practice, owner, site, state, due_day, "
          "revision, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE "
          "SET owner = excluded.owner, state = excluded.state, due_day = excluded.due_day, "
          "revision = excluded.revision, data = excluded.data",
          {org, t.name(), practice, t.owner(), t.site(), static_cast<int64_t>(t.state()),
           kpo::core::DateKey(t.due_date()), revision, Blob{t.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::DeploymentTask>> ListTasks(Transaction& tx, const std::string& org,
                                                          const TaskFilter& f,
                                                          const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "due_day";
  std::string sql = "SELECT data, name FROM deployment_tasks WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("practice", f.practice, sql, params);
  Equal("owner", f.owner, sql, params);
  Equal("site", f.site, sql, params);
  if (f.state != pb::DEPLOYMENT_STATE_UNSPECIFIED) {
    sql += " AND state = ?";
    params.emplace_back(static_cast<int64_t>(f.state));
  }
  if (f.due_before != 0) {
    sql += " AND due_day < ?";
    params.emplace_back(f.due_before);
  }
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::DeploymentTask>(tx.Query(sql, params), "deployment task");
}

}  // namespace kpo::daily::store
