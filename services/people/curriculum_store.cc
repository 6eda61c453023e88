#include "curriculum_store.h"

#include "absl/strings/str_cat.h"
#include "kpo/storage/sql.h"

namespace kpo::people::store {

using namespace kpo::storage::sql;  // NOLINT: the statement helpers

namespace pb = kpo::people::v1;
using kpo::storage::Blob;
using kpo::storage::Transaction;
using kpo::storage::Value;

namespace {

absl::Status SaveCurriculum(Transaction& tx, const std::string& org, const std::string& name,
                            const char* kind, int64_t key, bool active, int64_t revision,
                            const google::protobuf::Message& data) {
  return tx
      .Exec(
          "INSERT INTO curriculum (org, name, kind, key, active, revision, data) VALUES (?, ?, ?, "
          "?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET key = excluded.key, active = "
          "excluded.active, revision = excluded.revision, data = excluded.data",
          {org, name, std::string(kind), key, int64_t{active}, revision,
           Blob{data.SerializeAsString()}})
      .status();
}

// Replaces the rows of `table` (org, <column>, <owner column>) owned by `owner`.
absl::Status ReplaceIndex(Transaction& tx, const char* table, const char* column,
                          const char* owner_column, const std::string& org,
                          const std::string& owner,
                          const google::protobuf::RepeatedPtrField<std::string>& values) {
  if (auto s =
          tx.Exec(absl::StrCat("DELETE FROM ", table, " WHERE org = ? AND ", owner_column, " = ?"),
                  {org, owner});
      !s.ok()) {
    return s.status();
  }
  for (const std::string& value : values) {
    if (auto s = tx.Exec(absl::StrCat("INSERT INTO ", table, " (org, ", column, ", ", owner_column,
                                      ") VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
                         {org, value, owner});
        !s.ok()) {
      return s.status();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Names(
    absl::StatusOr<std::vector<kpo::storage::Row>> rows) {
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (const auto& r : *rows) out.push_back(r.Text(0));
  return out;
}

absl::StatusOr<std::vector<EnrolmentRow>> ParseEnrolments(
    absl::StatusOr<std::vector<kpo::storage::Row>> rows) {
  if (!rows.ok()) return rows.status();
  std::vector<EnrolmentRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    EnrolmentRow& row = out.emplace_back();
    if (!row.enrolment.ParseFromString(r.Text(0))) {
      return absl::InternalError("corrupt enrolment " + r.Text(1));
    }
    row.seq = r.Int(2);
    row.revision = r.Int(3);
  }
  return out;
}

}  // namespace

template <class T>
absl::StatusOr<std::optional<CurriculumRow<T>>> LoadCurriculum(Transaction& tx,
                                                               const std::string& org,
                                                               const std::string& name) {
  return LoadOne(tx, "curriculum", org, name, &CurriculumRow<T>::resource);
}
template absl::StatusOr<std::optional<CurriculumRow<pb::TrainingModule>>> LoadCurriculum(
    Transaction&, const std::string&, const std::string&);
template absl::StatusOr<std::optional<CurriculumRow<pb::LearningPath>>> LoadCurriculum(
    Transaction&, const std::string&, const std::string&);

absl::Status SaveModule(Transaction& tx, const std::string& org, const pb::TrainingModule& m,
                        int64_t revision) {
  if (absl::Status s =
          SaveCurriculum(tx, org, m.name(), kModuleKind, 0, m.state() == pb::ACTIVE, revision, m);
      !s.ok()) {
    return s;
  }
  return ReplaceIndex(tx, "module_competencies", "competency", "module", org, m.name(),
                      m.competencies());
}

absl::Status SavePath(Transaction& tx, const std::string& org, const pb::LearningPath& p,
                      int64_t revision) {
  if (absl::Status s = SaveCurriculum(tx, org, p.name(), kPathKind, p.role(),
                                      p.state() == pb::ACTIVE, revision, p);
      !s.ok()) {
    return s;
  }
  return ReplaceIndex(tx, "path_modules", "module", "path", org, p.name(), p.modules());
}

absl::StatusOr<std::vector<pb::TrainingModule>> ListModules(
    Transaction& tx, const std::string& org, const std::string& competency, bool show_inactive,
    const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column.clear();
  std::string sql;
  std::vector<Value> params = {org};
  if (!competency.empty()) {
    page.name_column = "m.module";
    sql =
        "SELECT c.data, c.name FROM module_competencies m JOIN curriculum c ON c.org = m.org AND "
        "c.name = m.module WHERE m.org = ? AND m.competency = ?";
    params.emplace_back(competency);
    if (!show_inactive) sql += " AND c.active = 1";
  } else {
    sql = "SELECT data, name FROM curriculum WHERE org = ? AND kind = 'module'";
    if (!show_inactive) sql += " AND active = 1";
  }
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::TrainingModule>(tx.Query(sql, params), "training module");
}

absl::StatusOr<std::vector<pb::LearningPath>> ListPaths(Transaction& tx, const std::string& org,
                                                        int role, bool show_inactive,
                                                        const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column.clear();
  std::string sql = "SELECT data, name FROM curriculum WHERE org = ? AND kind = 'path'";
  std::vector<Value> params = {org};
  Equal("key", int64_t{role}, sql, params);
  if (!show_inactive) sql += " AND active = 1";
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::LearningPath>(tx.Query(sql, params), "learning path");
}

absl::StatusOr<std::vector<std::string>> ActivePathsOfRole(Transaction& tx, const std::string& org,
                                                           int role) {
  return Names(tx.Query(
      "SELECT name FROM curriculum WHERE org = ? AND kind = 'path' AND key = ? AND active = 1 "
      "ORDER BY name",
      {org, int64_t{role}}));
}

absl::StatusOr<std::vector<std::string>> ActivePathsNaming(Transaction& tx, const std::string& org,
                                                           const std::string& module) {
  return Names(tx.Query(
      "SELECT p.path FROM path_modules p JOIN curriculum c ON c.org = p.org AND c.name = p.path "
      "WHERE p.org = ? AND p.module = ? AND c.active = 1 ORDER BY p.path",
      {org, module}));
}

absl::StatusOr<std::optional<SessionRow>> LoadSession(Transaction& tx, const std::string& org,
                                                      const std::string& name) {
  return LoadOne(tx, "training_sessions", org, name, &SessionRow::session);
}

absl::Status SaveSession(Transaction& tx, const std::string& org, const pb::TrainingSession& s,
                         int64_t revision) {
  pb::TrainingSession stored = s;
  stored.clear_enrolled_count();
  stored.clear_waitlisted_count();
  const int64_t start = s.start_time().seconds() * 1'000'000 + s.start_time().nanos() / 1000;
  return tx
      .Exec(
          "INSERT INTO training_sessions (org, name, module, site, start, cancelled, revision, "
          "data) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET start = "
          "excluded.start, cancelled = excluded.cancelled, revision = excluded.revision, data = "
          "excluded.data",
          {org, s.name(), s.module(), s.site(), start,
           int64_t{s.state() == pb::TRAINING_SESSION_STATE_CANCELLED}, revision,
           Blob{stored.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::TrainingSession>> ListSessions(
    Transaction& tx, const std::string& org, const SessionFilter& f,
    const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "start";
  std::string sql = "SELECT data, name FROM training_sessions WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("site", f.site, sql, params);
  Equal("module", f.module, sql, params);
  if (!f.show_cancelled) sql += " AND cancelled = 0";
  if (f.start_after != 0) {
    sql += " AND start >= ?";
    params.emplace_back(f.start_after);
  }
  if (f.start_before != 0) {
    sql += " AND start < ?";
    params.emplace_back(f.start_before);
  }
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::TrainingSession>(tx.Query(sql, params), "training session");
}

absl::StatusOr<std::optional<EnrolmentRow>> LoadEnrolment(Transaction& tx, const std::string& org,
                                                          const std::string& name) {
  auto rows = ParseEnrolments(tx.Query(
      "SELECT data, name, seq, revision FROM enrolments WHERE org = ? AND name = ?", {org, name}));
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<EnrolmentRow>();
  return std::optional<EnrolmentRow>(std::move(rows->front()));
}

absl::Status SaveEnrolment(Transaction& tx, const std::string& org, const std::string& session,
                           const pb::Enrolment& e, int64_t revision, int64_t seq) {
  pb::Enrolment stored = e;
  stored.clear_waitlist_position();
  return tx
      .Exec(
          "INSERT INTO enrolments (org, name, session, person, state, seq, revision, data) VALUES "
          "(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET state = excluded.state, "
          "seq = excluded.seq, revision = excluded.revision, data = excluded.data",
          {org, e.name(), session, e.person(), static_cast<int64_t>(e.state()), seq, revision,
           Blob{stored.SerializeAsString()}})
      .status();
}

absl::StatusOr<int64_t> CountEnrolments(Transaction& tx, const std::string& org,
                                        const std::string& session, pb::EnrolmentState state) {
  auto rows =
      tx.Query("SELECT COUNT(*) FROM enrolments WHERE org = ? AND session = ? AND state = ?",
               {org, session, static_cast<int64_t>(state)});
  if (!rows.ok()) return rows.status();
  return rows->front().Int(0);
}

absl::StatusOr<int64_t> CountSeats(Transaction& tx, const std::string& org,
                                   const std::string& session) {
  auto rows = tx.Query(
      "SELECT COUNT(*) FROM enrolments WHERE org = ? AND session = ? AND state IN (?, ?, ?, ?)",
      {org, session, static_cast<int64_t>(pb::ENROLMENT_STATE_ENROLLED),
       static_cast<int64_t>(pb::ENROLMENT_STATE_ATTENDED),
       static_cast<int64_t>(pb::ENROLMENT_STATE_COMPLETED),
       static_cast<int64_t>(pb::ENROLMENT_STATE_NO_SHOW)});
  if (!rows.ok()) return rows.status();
  return rows->front().Int(0);
}

absl::StatusOr<std::vector<EnrolmentRow>> EnrolmentsInState(Transaction& tx, const std::string& org,
                                                            const std::string& session,
                                                            pb::EnrolmentState state, int limit) {
  return ParseEnrolments(tx.Query(
      "SELECT data, name, seq, revision FROM enrolments WHERE org = ? AND session = ? AND state = "
      "? ORDER BY seq, name LIMIT ?",
      {org, session, static_cast<int64_t>(state), int64_t{limit}}));
}

absl::StatusOr<std::vector<EnrolmentRow>> ListEnrolments(Transaction& tx, const std::string& org,
                                                         const EnrolmentFilter& f,
                                                         const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "seq";
  std::string sql = "SELECT data, name, seq, revision FROM enrolments WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("session", f.session, sql, params);
  Equal("person", f.person, sql, params);
  Equal("state", int64_t{f.state}, sql, params);
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseEnrolments(tx.Query(sql, params));
}

absl::StatusOr<int64_t> WaitingBefore(Transaction& tx, const std::string& org,
                                      const std::string& session, int64_t seq) {
  auto rows = tx.Query(
      "SELECT COUNT(*) FROM enrolments WHERE org = ? AND session = ? AND state = ? AND seq < ?",
      {org, session, static_cast<int64_t>(pb::ENROLMENT_STATE_WAITLISTED), seq});
  if (!rows.ok()) return rows.status();
  return rows->front().Int(0);
}

}  // namespace kpo::people::store
