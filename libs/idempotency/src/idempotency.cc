#include "kpo/idempotency/idempotency.h"

#include <sodium.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "kpo/core/errors.h"

namespace kpo::idempotency {

bool IsValidRequestId(absl::string_view id) {
  if (id.size() > 64) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

void CheckRequestId(absl::string_view request_id, kpo::core::FieldViolations& v) {
  if (!IsValidRequestId(request_id)) {
    v.Add("request_id", "must be at most 64 printable characters (a UUID is ideal)");
  }
}

absl::Status ValidateRequestId(absl::string_view request_id) {
  kpo::core::FieldViolations v;
  CheckRequestId(request_id, v);
  return v.ToStatus();
}

std::string Fingerprint(const google::protobuf::Message& request) {
  static const bool kSodiumReady = sodium_init() >= 0;
  (void)kSodiumReady;
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&out);
  }
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

namespace {

absl::Status Reused(absl::string_view description) {
  kpo::core::FieldViolations v;
  v.Add("request_id", std::string(description));
  return v.ToStatus(kRequestIdReused);
}

}  // namespace

absl::StatusOr<bool> Replay(kpo::storage::Transaction& tx, const Key& key,
                            google::protobuf::Message& response) {
  if (key.request_id.empty()) return false;
  auto rows = tx.Query(
      "SELECT method, fingerprint, response FROM idempotency WHERE org = ? AND request_id = ?",
      {key.organization_id, key.request_id});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return false;
  const kpo::storage::Row& row = rows->front();
  if (row.Text(0) != key.method) {
    return Reused(absl::StrCat("was already used for ", row.Text(0),
                               "; use a new request_id for each distinct request"));
  }
  const std::string stored = row.Text(1);
  if (!stored.empty() && !key.fingerprint.empty() && stored != key.fingerprint) {
    return Reused(
        "was already used for a different request; a retry must repeat the request "
        "exactly, and a new request needs a new request_id");
  }
  if (!response.ParseFromString(row.Text(2))) {
    return absl::InternalError("stored idempotent response is corrupt");
  }
  return true;
}

absl::Status Remember(kpo::storage::Transaction& tx, const Key& key,
                      const google::protobuf::Message& response, absl::Time now) {
  if (key.request_id.empty()) return absl::OkStatus();
  return tx
      .Exec(
          "INSERT INTO idempotency (org, request_id, method, fingerprint, response, created_us) "
          "VALUES (?, ?, ?, ?, ?, ?)",
          {key.organization_id, key.request_id, key.method, key.fingerprint,
           kpo::storage::Blob{response.SerializeAsString()}, absl::ToUnixMicros(now)})
      .status();
}

absl::StatusOr<int64_t> DeleteExpired(kpo::storage::Database& db, absl::Time before, int limit) {
  int64_t deleted = 0;
  absl::Status s = db.Write([&](kpo::storage::Transaction& tx) -> absl::Status {
    auto n = tx.Exec(
        "DELETE FROM idempotency WHERE (org, request_id) IN (SELECT org, request_id FROM "
        "idempotency WHERE created_us < ? ORDER BY created_us LIMIT ?)",
        {absl::ToUnixMicros(before), static_cast<int64_t>(limit)});
    if (!n.ok()) return n.status();
    deleted = *n;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return deleted;
}

}  // namespace kpo::idempotency
