#include "certification_store.h"

#include "kpo/core/date.h"
#include "kpo/storage/sql.h"

namespace kpo::people::store {

using namespace kpo::storage::sql;  // NOLINT: the statement helpers

namespace pb = kpo::people::v1;
using kpo::storage::Blob;
using kpo::storage::Transaction;
using kpo::storage::Value;

absl::StatusOr<std::optional<RequirementsRow>> LoadRequirements(Transaction& tx,
                                                                const std::string& org,
                                                                pb::CertificationLevel level) {
  auto rows =
      tx.Query("SELECT revision, data FROM certification_requirements WHERE org = ? AND level = ?",
               {org, static_cast<int64_t>(level)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<RequirementsRow>();
  RequirementsRow row;
  row.revision = rows->front().Int(0);
  if (!row.requirements.ParseFromString(rows->front().Text(1))) {
    return absl::InternalError("corrupt certification requirements of " + org);
  }
  return std::optional<RequirementsRow>(std::move(row));
}

absl::Status SaveRequirements(Transaction& tx, const std::string& org,
                              const pb::CertificationRequirements& r, int64_t revision) {
  return tx
      .Exec(
          "INSERT INTO certification_requirements (org, level, revision, data) VALUES (?, ?, ?, "
          "?) ON CONFLICT (org, level) DO UPDATE SET revision = excluded.revision, data = "
          "excluded.data",
          {org, static_cast<int64_t>(r.level()), revision, Blob{r.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::optional<CertificateRow>> LoadCertificate(Transaction& tx,
                                                              const std::string& org,
                                                              const std::string& name) {
  auto rows = tx.Query(
      "SELECT revision, data, due_day FROM certificates WHERE org = ? AND name = ?", {org, name});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<CertificateRow>();
  CertificateRow row;
  row.revision = rows->front().Int(0);
  row.due_day = rows->front().Int(2);
  if (!row.certificate.ParseFromString(rows->front().Text(1))) {
    return absl::InternalError("corrupt certificate " + name);
  }
  return std::optional<CertificateRow>(std::move(row));
}

absl::Status SaveCertificate(Transaction& tx, const std::string& org, const pb::Certificate& c,
                             int64_t revision, int64_t due_day) {
  return tx
      .Exec(
          "INSERT INTO certificates (org, name, person, level, state, day, expire_day, due_day, "
          "revision, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO "
          "UPDATE SET state = excluded.state, expire_day = excluded.expire_day, due_day = "
          "excluded.due_day, revision = excluded.revision, data = excluded.data",
          {org, c.name(), c.person(), static_cast<int64_t>(c.level()),
           static_cast<int64_t>(c.state()), kpo::core::DateKey(c.award_date()),
           c.has_expire_date() ? kpo::core::DateKey(c.expire_date()) : int64_t{0}, due_day,
           revision, Blob{c.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::vector<pb::Certificate>> PersonCertificates(Transaction& tx,
                                                                const std::string& org,
                                                                const std::string& person) {
  return ParseAll<pb::Certificate>(
      tx.Query("SELECT data, name FROM certificates WHERE org = ? AND person = ? ORDER BY day, "
               "name",
               {org, person}),
      "certificate");
}

absl::StatusOr<std::vector<pb::Certificate>> ListCertificates(
    Transaction& tx, const std::string& org, const CertificateFilter& f,
    const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "day";
  std::string sql = "SELECT data, name FROM certificates WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("person", f.person, sql, params);
  Equal("level", int64_t{f.level}, sql, params);
  Equal("state", int64_t{f.state}, sql, params);
  if (f.expire_before != 0) {
    sql += " AND expire_day > 0 AND expire_day < ?";
    params.emplace_back(f.expire_before);
  }
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::Certificate>(tx.Query(sql, params), "certificate");
}

absl::StatusOr<std::vector<DueCertificate>> DueCertificates(Transaction& tx, int64_t day,
                                                            const DueCertificate& after,
                                                            int limit) {
  auto rows = tx.Query(
      "SELECT due_day, org, name FROM certificates WHERE due_day > 0 AND due_day <= ? AND "
      "(due_day, org, name) > (?, ?, ?) ORDER BY due_day, org, name LIMIT ?",
      {day, after.due_day, after.org, after.name, int64_t{limit}});
  if (!rows.ok()) return rows.status();
  std::vector<DueCertificate> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back({r.Int(0), r.Text(1), r.Text(2)});
  return out;
}

absl::StatusOr<std::optional<ApplicationRow>> LoadApplication(Transaction& tx,
                                                              const std::string& org,
                                                              const std::string& name) {
  return LoadOne(tx, "certification_applications", org, name, &ApplicationRow::application);
}

absl::Status SaveApplication(Transaction& tx, const std::string& org,
                             const pb::CertificationApplication& a, int64_t revision,
                             int64_t created) {
  return tx
      .Exec(
          "INSERT INTO certification_applications (org, name, person, level, state, created, "
          "revision, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET "
          "state = excluded.state, revision = excluded.revision, data = excluded.data",
          {org, a.name(), a.person(), static_cast<int64_t>(a.level()),
           static_cast<int64_t>(a.state()), created, revision, Blob{a.SerializeAsString()}})
      .status();
}

absl::StatusOr<std::optional<std::string>> OpenApplication(Transaction& tx, const std::string& org,
                                                           const std::string& person,
                                                           pb::CertificationLevel level) {
  auto rows = tx.Query(
      "SELECT name FROM certification_applications WHERE org = ? AND person = ? AND level = ? "
      "AND state = ? LIMIT 1",
      {org, person, static_cast<int64_t>(level),
       static_cast<int64_t>(pb::CERTIFICATION_APPLICATION_STATE_SUBMITTED)});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->front().Text(0));
}

absl::StatusOr<std::vector<pb::CertificationApplication>> ListApplications(
    Transaction& tx, const std::string& org, const ApplicationFilter& f,
    const kpo::storage::KeysetPage& keyset) {
  kpo::storage::KeysetPage page = keyset;
  page.sort_column = "created";
  std::string sql = "SELECT data, name FROM certification_applications WHERE org = ?";
  std::vector<Value> params = {org};
  Equal("person", f.person, sql, params);
  Equal("level", int64_t{f.level}, sql, params);
  Equal("state", int64_t{f.state}, sql, params);
  kpo::storage::AppendKeyset(page, sql, params);
  return ParseAll<pb::CertificationApplication>(tx.Query(sql, params), "certification application");
}

}  // namespace kpo::people::store
