#include "competency_store.h"

#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/storage/sql.h"

namespace kpo::people::store {

using namespace kpo::storage::sql;  // NOLINT: the statement helpers

namespace pb = kpo::people::v1;
using kpo::storage::Blob;
using kpo::storage::Value;

absl::StatusOr<std::optional<CompetencyRow>> LoadCompetency(Transaction& tx, const std::string& org,
                                                            const std::string& name) {
  return LoadOne(tx, "competencies", org, name, &CompetencyRow::competency);
}

absl::Status SaveCompetency(Transaction& tx, const std::string& org, const pb::Competency& c,
                            int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO competencies (org, name, revision, active, kind, data) VALUES (?, ?, ?, ?, "
          "?, ?) ON CONFLICT (org, name) DO UPDATE SET revision = excluded.revision, active = "
          "excluded.active, kind = excluded.kind, data = excluded.data",
          {org, c.name(), revision, int64_t{c.state() == pb::ACTIVE},
           static_cast<int64_t>(c.kind()), Blob{c.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::Competency>> StoredCompetencies(Transaction& tx,
                                                               const std::string& org) {
  return ParseAll<pb::Competency>(
      tx.Query("SELECT data, name FROM competencies WHERE org = ? ORDER BY name", {org}),
      "competency");
}

absl::StatusOr<int64_t> CountStoredCompetencies(Transaction& tx, const std::string& org) {
  auto rows = tx.Query("SELECT COUNT(*) FROM competencies WHERE org = ?", {org});
  if (!rows.ok()) return rows.status();
  return rows->front().Int(0);
}

absl::StatusOr<std::optional<TargetProfileRow>> LoadTargetProfile(Transaction& tx,
                                                                  const std::string& org,
                                                                  const std::string& name) {
  return LoadOne(tx, "target_profiles", org, name, &TargetProfileRow::profile);
}

absl::Status SaveTargetProfile(Transaction& tx, const std::string& org, const pb::TargetProfile& t,
                               int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO target_profiles (org, name, role, active, revision, data) VALUES (?, ?, ?, "
          "?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET role = excluded.role, active = "
          "excluded.active, revision = excluded.revision, data = excluded.data",
          {org, t.name(), static_cast<int64_t>(t.role()), int64_t{t.state() == pb::ACTIVE},
           revision, Blob{t.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::TargetProfile>> ListTargetProfiles(
    Transaction& tx, const std::string& org, int role, bool show_inactive,
    const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column.clear();
  std::string sql = "SELECT data, name FROM target_profiles WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("role", int64_t{role}, sql, params);
  if (!show_inactive) sql += " AND active = 1";
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::TargetProfile>(tx.Query(sql, params), "target profile");
}

absl::StatusOr<std::vector<pb::TargetProfile>> ActiveTargetProfiles(Transaction& tx,
                                                                    const std::string& org) {
  return ParseAll<pb::TargetProfile>(
      tx.Query("SELECT data, name FROM target_profiles WHERE org = ? AND active = 1 ORDER BY name",
               {org}),
      "target profile");
}

absl::StatusOr<std::optional<pb::Assessment>> LoadAssessment(Transaction& tx,
                                                             const std::string& org,
                                                             const std::string& name) {
  auto rows = ParseAll<pb::Assessment>(
      tx.Query("SELECT data, name FROM assessments WHERE org = ? AND name = ?", {org, name}),
      "assessment");
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<pb::Assessment>();
  return std::optional<pb::Assessment>(std::move(rows->front()));
}

absl::Status InsertAssessment(Transaction& tx, const std::string& org, const pb::Assessment& a) {
  return tx
      .Exec(
          "INSERT INTO assessments (org, name, person, competency, assessor, day, data) VALUES "
          "(?, ?, ?, ?, ?, ?, ?)",
          {org, a.name(), a.person(), a.competency(), a.assessor(),
           kpo::core::DateKey(a.assess_date()), Blob{a.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::Assessment>> ListAssessments(
    Transaction& tx, const std::string& org, const AssessmentFilter& f,
    const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "day";
  std::string sql = "SELECT data, name FROM assessments WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("person", f.person, sql, params);
  Equal("competency", f.competency, sql, params);
  Equal("assessor", f.assessor, sql, params);
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::Assessment>(tx.Query(sql, params), "assessment");
}

absl::StatusOr<std::vector<Level>> Levels(Transaction& tx, const std::string& org,
                                          const std::string& person) {
  auto rows = tx.Query(
      "SELECT competency, level, assessment, day FROM competency_levels WHERE org = ? AND "
      "person = ? ORDER BY competency",
      {org, person});
  if (!rows.ok()) return rows.status();
  std::vector<Level> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    out.push_back({r.Text(0), static_cast<int>(r.Int(1)), r.Text(2), r.Int(3)});
  }
  return out;
}

absl::StatusOr<LevelChange> RecordLevel(Transaction& tx, const std::string& org,
                                        const pb::Assessment& a, int64_t day) {
  auto rows = tx.Query(
      "SELECT level, day FROM competency_levels WHERE org = ? AND person = ? AND competency = ?",
      {org, a.person(), a.competency()});
  if (!rows.ok()) return rows.status();
  LevelChange change;
  if (!rows->empty()) {
    change.previous = static_cast<int>(rows->front().Int(0));
    // Recorded now, so a same-day assessment is the later one.
    if (day < rows->front().Int(1)) return change;
  }
  change.latest = true;
  if (absl::Status s =
          tx.Exec("INSERT INTO competency_levels (org, person, competency, level, assessment, day) "
                  "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org, person, competency) DO UPDATE SET "
                  "level = excluded.level, assessment = excluded.assessment, day = excluded.day",
                  {org, a.person(), a.competency(), int64_t{a.level()}, a.name(), day})
              .status();
      !s.ok()) {
    return s;
  }
  return change;
}

absl::StatusOr<std::vector<std::string>> ProfilesTargeting(Transaction& tx, const std::string& org,
                                                           const std::string& competency) {
  auto profiles = ActiveTargetProfiles(tx, org);
  if (!profiles.ok()) return profiles.status();
  std::vector<std::string> out;
  for (const auto& p : *profiles) {
    for (const auto& t : p.targets()) {
      if (t.competency() == competency) {
        out.push_back(p.name());
        break;
      }
    }
  }
  return out;
}

}  // namespace kpo::people::store
