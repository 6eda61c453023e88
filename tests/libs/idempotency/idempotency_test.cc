#include "kpo/idempotency/idempotency.h"

#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"

namespace kpo::idempotency {
namespace {

using kpo::storage::Transaction;

google::protobuf::StringValue Text(const std::string& s) {
  google::protobuf::StringValue v;
  v.set_value(s);
  return v;
}

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::testing::OpenTestDatabase(dir_, "i");
    ASSERT_TRUE(db_->Migrate("idempotency", Migrations()).ok());
  }
  absl::StatusOr<bool> ReplayOf(const Key& key, google::protobuf::StringValue& out) {
    absl::StatusOr<bool> r;
    EXPECT_TRUE(db_->Read([&](Transaction& tx) {
                     r = Replay(tx, key, out);
                     return absl::OkStatus();
                   })
                    .ok());
    return r;
  }
  void RememberAt(const Key& key, const std::string& answer, absl::Time when) {
    ASSERT_TRUE(
        db_->Write([&](Transaction& tx) { return Remember(tx, key, Text(answer), when); }).ok());
  }
  kpo::testing::TempDir dir_;
  std::unique_ptr<kpo::storage::Database> db_;
};

TEST_F(IdempotencyTest, RemembersPerOrganizationAndMethod) {
  RememberAt({"acme", "req-1", "CreateThing", "f1"}, "first answer", absl::Now());
  google::protobuf::StringValue out;
  EXPECT_EQ(ReplayOf({"acme", "req-1", "CreateThing", "f1"}, out).value(), true);
  EXPECT_EQ(out.value(), "first answer");
  EXPECT_EQ(ReplayOf({"globex", "req-1", "CreateThing", "f1"}, out).value(), false)
      << "request ids are per organization";
  EXPECT_EQ(ReplayOf({"acme", "req-2", "CreateThing", "f1"}, out).value(), false);
  auto other = ReplayOf({"acme", "req-1", "DeleteThing", "f1"}, out);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(kpo::core::ErrorReason(other.status()), kRequestIdReused);
  EXPECT_EQ(kpo::core::FieldViolationsOf(other.status()).at(0).field, "request_id");
  EXPECT_EQ(ReplayOf({"acme", "", "CreateThing", "f1"}, out).value(), false)
      << "empty: not asked for";
}

TEST_F(IdempotencyTest, SameIdWithAnotherRequestIsRefused) {
  RememberAt({"acme", "req-1", "CreateThing", Fingerprint(Text("body A"))}, "A", absl::Now());
  google::protobuf::StringValue out;
  auto reused = ReplayOf({"acme", "req-1", "CreateThing", Fingerprint(Text("body B"))}, out);
  ASSERT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(kpo::core::ErrorReason(reused.status()), kRequestIdReused);
  EXPECT_NE(reused.status().message().find("different request"), std::string::npos)
      << reused.status();
  EXPECT_EQ(ReplayOf({"acme", "req-1", "CreateThing", Fingerprint(Text("body A"))}, out).value(),
            true);
  EXPECT_EQ(out.value(), "A");
}

TEST_F(IdempotencyTest, RecordsWithoutFingerprintAreNotCompared) {
  // Written before fingerprints existed (migration 0002 leaves them empty).
  RememberAt({"acme", "req-1", "CreateThing", ""}, "old", absl::Now());
  google::protobuf::StringValue out;
  EXPECT_EQ(ReplayOf({"acme", "req-1", "CreateThing", "anything"}, out).value(), true);
}

TEST(FingerprintTest, StableAndSensitive) {
  EXPECT_EQ(Fingerprint(Text("x")), Fingerprint(Text("x")));
  EXPECT_NE(Fingerprint(Text("x")), Fingerprint(Text("y")));
  EXPECT_EQ(Fingerprint(Text("x")).size(), 32u);
}

TEST_F(IdempotencyTest, RolledBackWorkIsNotRemembered) {
  EXPECT_FALSE(
      db_->Write([&](Transaction& tx) {
           EXPECT_TRUE(
               Remember(tx, {"acme", "req-1", "CreateThing", ""}, Text(""), absl::Now()).ok());
           return absl::AbortedError("the business change failed");
         })
          .ok());
  google::protobuf::StringValue out;
  EXPECT_EQ(ReplayOf({"acme", "req-1", "CreateThing", ""}, out).value(), false);
}

TEST_F(IdempotencyTest, DeleteExpiredRemovesOnlyOlderRecordsInBatches) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  for (int i = 0; i < 5; ++i) {
    RememberAt({"acme", "old-" + std::to_string(i), "M", ""}, "", now - absl::Hours(30));
  }
  RememberAt({"acme", "fresh", "M", ""}, "", now - absl::Hours(1));
  EXPECT_EQ(DeleteExpired(*db_, now - absl::Hours(24), 3).value(), 3);
  EXPECT_EQ(DeleteExpired(*db_, now - absl::Hours(24), 3).value(), 2);
  EXPECT_EQ(DeleteExpired(*db_, now - absl::Hours(24), 3).value(), 0);
  google::protobuf::StringValue out;
  EXPECT_EQ(ReplayOf({"acme", "old-0", "M", ""}, out).value(), false)
      << "a retry older than the window is a new request";
  EXPECT_EQ(ReplayOf({"acme", "fresh", "M", ""}, out).value(), true);
}

TEST(RequestIdTest, Shape) {
  EXPECT_TRUE(IsValidRequestId(""));
  EXPECT_TRUE(IsValidRequestId("0190f1c2-7d4e-7a4b-9b1e-3c2d1e0f9a8b"));
  EXPECT_FALSE(IsValidRequestId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidRequestId("has space"));
  EXPECT_FALSE(IsValidRequestId("tab\t"));
}

}  // namespace
}  // namespace kpo::idempotency
