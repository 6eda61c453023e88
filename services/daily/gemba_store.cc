#include "gemba_store.h"

#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/storage/sql.h"

namespace kpo::daily::store {

using namespace kpo::storage::sql;  // NOLINT: the statement helpers

namespace pb = kpo::daily::v1;
using kpo::storage::Blob;
using kpo::storage::Value;

absl::StatusOr<std::optional<GembaWalkRow>> LoadGembaWalk(Transaction& tx, const std::string& org,
                                                          const std::string& name) {
  return LoadOne(tx, "gemba_walks", org, name, &GembaWalkRow::walk);
}

absl::Status SaveGembaWalk(Transaction& tx, const std::string& org, const pb::GembaWalk& w,
                           int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO gemba_walks (org, name, leader, site, area, day, revision, data) VALUES "
          "(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET area = excluded.area, "
          "day = excluded.day, revision = excluded.revision, data = excluded.data",
          {org, w.name(), w.leader(), w.site(), w.area(), kpo::core::DateKey(w.date()), revision,
           Blob{w.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::GembaWalk>> ListGembaWalks(Transaction& tx, const std::string& org,
                                                          const GembaWalkFilter& f,
                                                          const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "day";
  std::string sql = "SELECT data, name FROM gemba_walks WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("site", f.site, sql, params);
  Equal("area", f.area, sql, params);
  Equal("leader", f.leader, sql, params);
  DayRange("day", f.from_day, f.to_day, sql, params);
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::GembaWalk>(tx.Query(sql, params), "gemba walk");
}

absl::StatusOr<std::optional<FollowUpRow>> LoadFollowUp(Transaction& tx, const std::string& org,
                                                        const std::string& name) {
  return LoadOne(tx, "gemba_follow_ups", org, name, &FollowUpRow::follow_up);
}

absl::Status SaveFollowUp(Transaction& tx, const std::string& org, const std::string& walk,
                          const pb::GembaFollowUp& f, int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO gemba_follow_ups (org, name, walk, owner, site, status, due_day, "
          "revision, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE "
          "SET owner = excluded.owner, status = excluded.status, due_day = excluded.due_day, "
          "revision = excluded.revision, data = excluded.data",
          {org, f.name(), walk, f.owner(), f.site(), static_cast<int64_t>(f.status()),
           kpo::core::DateKey(f.due_date()), revision, Blob{f.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::GembaFollowUp>> ListFollowUps(
    Transaction& tx, const std::string& org, const FollowUpFilter& f,
    const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "due_day";
  std::string sql = "SELECT data, name FROM gemba_follow_ups WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("walk", f.walk, sql, params);
  Equal("owner", f.owner, sql, params);
  Equal("site", f.site, sql, params);
  if (f.status != pb::FOLLOW_UP_STATUS_UNSPECIFIED) {
    sql += " AND status = ?";
    params.emplace_back(static_cast<int64_t>(f.status));
  }
  if (f.due_before != 0) {
    sql += " AND due_day < ?";
    params.emplace_back(f.due_before);
  }
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::GembaFollowUp>(tx.Query(sql, params), "follow-up");
}

}  // namespace kpo::daily::store
