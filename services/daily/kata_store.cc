#include "kata_store.h"

#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/storage/sql.h"

namespace kpo::daily::store {

using namespace kpo::storage::sql;  // NOLINT: the statement helpers

namespace pb = kpo::daily::v1;
using kpo::storage::Blob;
using kpo::storage::Value;

namespace {

constexpr char kStoryboardColumns[] =
    "SELECT revision, next_obstacle, experiment_count, cycle_count, last_cycle_day, data, name "
    "FROM storyboards WHERE org = ?";

absl::StatusOr<StoryboardRow> StoryboardOf(const kpo::storage::Row& r) {
  StoryboardRow row{r.Int(0), r.Int(1), {}};
  if (!row.storyboard.ParseFromString(r.Text(5))) {
    return absl::InternalError("corrupt storyboard " + r.Text(6));
  }
  row.storyboard.set_experiment_count(static_cast<int32_t>(r.Int(2)));
  row.storyboard.set_coaching_cycle_count(static_cast<int32_t>(r.Int(3)));
  if (const int64_t day = r.Int(4); day != 0) {
    *row.storyboard.mutable_last_coaching_date() =
        kpo::core::FromCivil(kpo::core::CivilFromKey(day));
  }
  return row;
}

}  // namespace

absl::StatusOr<std::optional<StoryboardRow>> LoadStoryboard(Transaction& tx, const std::string& org,
                                                            const std::string& name) {
  auto rows = tx.Query(absl::StrCat(kStoryboardColumns, " AND name = ?"), {org, name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<StoryboardRow>();
  auto row = StoryboardOf(rows->front());
  if (!row.ok()) return row.status();
  return std::optional<StoryboardRow>(*std::move(row));
}

absl::Status SaveStoryboard(Transaction& tx, const std::string& org, const pb::Storyboard& s,
                            int64_t revision, int64_t next_obstacle) {
  // The counters are output of the child tables, not part of the stored resource.
  pb::Storyboard stored = s;
  stored.clear_experiment_count();
  stored.clear_coaching_cycle_count();
  stored.clear_last_coaching_date();
  return tx
      .Exec(
          "INSERT INTO storyboards (org, name, learner, coach, site, state, strategic_objective, "
          "revision, data, next_obstacle) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
          "(org, name) DO UPDATE SET coach = excluded.coach, state = excluded.state, "
          "strategic_objective = excluded.strategic_objective, revision = excluded.revision, "
          "data = excluded.data, next_obstacle = excluded.next_obstacle",
          {org, s.name(), s.learner(), s.coach(), s.site(), static_cast<int64_t>(s.state()),
           s.strategic_objective(), revision, Blob{stored.SerializeAsString()}, next_obstacle})
      .status();
}

absl::StatusOr<std::vector<StoryboardRow>> ListStoryboards(Transaction& tx, const std::string& org,
                                                           const StoryboardFilter& f,
                                                           const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column.clear();
  std::string sql = kStoryboardColumns;
  std::vector<Value> params = {org};
  Equal("learner", f.learner, sql, params);
  Equal("coach", f.coach, sql, params);
  Equal("site", f.site, sql, params);
  Equal("strategic_objective", f.strategic_objective, sql, params);
  if (f.state != pb::STORYBOARD_STATE_UNSPECIFIED) {
    sql += " AND state = ?";
    params.emplace_back(static_cast<int64_t>(f.state));
  }
  kpo::storage::AppendKeyset(page, sql, params);
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<StoryboardRow> out;
  for (const auto& r : *rows) {
    auto row = StoryboardOf(r);
    if (!row.ok()) return row.status();
    out.push_back(*std::move(row));
  }
  return out;
}

absl::StatusOr<std::optional<ExperimentRow>> LoadExperiment(Transaction& tx, const std::string& org,
                                                            const std::string& name) {
  return LoadOne(tx, "experiments", org, name, &ExperimentRow::experiment);
}

absl::Status SaveExperiment(Transaction& tx, const std::string& org, const std::string& storyboard,
                            const pb::Experiment& e, int64_t revision) {
  absl::Status s =
      tx.Exec(
            "INSERT INTO experiments (org, name, storyboard, day, revision, data) VALUES (?, ?, "
            "?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET day = excluded.day, revision = "
            "excluded.revision, data = excluded.data",
            {org, e.name(), storyboard, kpo::core::DateKey(e.date()), revision,
             Blob{e.SerializeAsString()}})
          .status();
  if (!s.ok() || revision != 1) return s;
  return tx
      .Exec(
          "UPDATE storyboards SET experiment_count = experiment_count + 1 WHERE org = ? AND "
          "name = ?",
          {org, storyboard})
      .status();
}

absl::StatusOr<std::vector<ExperimentRow>> ListExperiments(Transaction& tx, const std::string& org,
                                                           const std::string& storyboard,
                                                           const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "day";
  std::string sql = "SELECT revision, data, name FROM experiments WHERE org = ? AND storyboard = ?";
  std::vector<Value> params = {org, storyboard};
  kpo::storage::AppendKeyset(page, sql, params);
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<ExperimentRow> out;
  for (const auto& r : *rows) {
    ExperimentRow row{r.Int(0), {}};
    if (!row.experiment.ParseFromString(r.Text(1))) {
      return absl::InternalError("corrupt experiment " + r.Text(2));
    }
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> LatestExperiment(Transaction& tx, const std::string& org,
                                                            const std::string& storyboard) {
  auto rows = tx.Query(
      "SELECT name FROM experiments WHERE org = ? AND storyboard = ? ORDER BY day DESC, name "
      "DESC LIMIT 1",
      {org, storyboard});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->front().Text(0));
}

absl::StatusOr<std::optional<pb::CoachingCycle>> LoadCoachingCycle(Transaction& tx,
                                                                   const std::string& org,
                                                                   const std::string& name) {
  auto rows = tx.Query("SELECT data FROM coaching_cycles WHERE org = ? AND name = ?", {org, name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<pb::CoachingCycle>();
  pb::CoachingCycle c;
  if (!c.ParseFromString(rows->front().Text(0))) {
    return absl::InternalError("corrupt coaching cycle " + name);
  }
  return std::optional<pb::CoachingCycle>(std::move(c));
}

absl::Status InsertCoachingCycle(Transaction& tx, const std::string& org,
                                 const std::string& storyboard, const pb::CoachingCycle& c) {
  const int64_t day = kpo::core::DateKey(c.date());
  absl::Status s =
      tx.Exec(
            "INSERT INTO coaching_cycles (org, name, storyboard, learner, coach, site, day, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {org, c.name(), storyboard, c.learner(), c.coach(), c.site(), day,
             Blob{c.SerializeAsString()}})
          .status();
  if (!s.ok()) return s;
  return tx
      .Exec(
          "UPDATE storyboards SET cycle_count = cycle_count + 1, last_cycle_day = CASE WHEN "
          "last_cycle_day < ? THEN ? ELSE last_cycle_day END WHERE org = ? AND name = ?",
          {day, day, org, storyboard})
      .status();
}

absl::StatusOr<std::vector<pb::CoachingCycle>> ListCoachingCycles(
    Transaction& tx, const std::string& org, const CoachingCycleFilter& f,
    const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "day";
  std::string sql = "SELECT data, name FROM coaching_cycles WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("storyboard", f.storyboard, sql, params);
  Equal("learner", f.learner, sql, params);
  Equal("coach", f.coach, sql, params);
  Equal("site", f.site, sql, params);
  if (f.from_day != 0) {
    sql += " AND day >= ?";
    params.emplace_back(f.from_day);
  }
  if (f.to_day != 0) {
    sql += " AND day <= ?";
    params.emplace_back(f.to_day);
  }
  kpo::storage::AppendKeyset(page, sql, params);
  auto rows = tx.Query(sql, params);
  if (!rows.ok()) return rows.status();
  std::vector<pb::CoachingCycle> out;
  for (const auto& r : *rows) {
    if (!out.emplace_back().ParseFromString(r.Text(0))) {
      return absl::InternalError("corrupt coaching cycle " + r.Text(1));
    }
  }
  return out;
}

absl::StatusOr<PairCycles> CyclesOfPair(Transaction& tx, const std::string& org,
                                        const std::string& learner, const std::string& coach,
                                        int64_t from_day) {
  PairCycles out;
  auto last =
      tx.Query("SELECT MAX(day) FROM coaching_cycles WHERE org = ? AND learner = ? AND coach = ?",
               {org, learner, coach});
  if (!last.ok()) return last.status();
  if (!last->empty() && !last->front().IsNull(0)) out.last_day = last->front().Int(0);
  if (out.last_day < from_day) return out;
  auto rows = tx.Query(
      "SELECT day FROM coaching_cycles WHERE org = ? AND learner = ? AND coach = ? AND day >= ?",
      {org, learner, coach, from_day});
  if (!rows.ok()) return rows.status();
  for (const auto& r : *rows) out.days.push_back(r.Int(0));
  return out;
}

}  // namespace kpo::daily::store
