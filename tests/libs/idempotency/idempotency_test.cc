#include "kpo/idempotency/idempotency.h"

#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/testing/harness.h"

namespace kpo::idempotency {
namespace {

using kpo::storage::Transaction;

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::storage::OpenSqlite({.path = dir_.File("i.db")}).value();
    ASSERT_TRUE(db_->Migrate("idempotency", Migrations()).ok());
  }
  absl::StatusOr<bool> ReplayOf(const std::string& org, const std::string& id,
                                const std::string& method, google::protobuf::StringValue& out) {
    absl::StatusOr<bool> r;
    EXPECT_TRUE(db_->Read([&](Transaction& tx) {
                     r = Replay(tx, org, id, method, out);
                     return absl::OkStatus();
                   })
                    .ok());
    return r;
  }
  kpo::testing::TempDir dir_;
  std::unique_ptr<kpo::storage::Database> db_;
};

TEST_F(IdempotencyTest, RemembersPerOrganizationAndMethod) {
  google::protobuf::StringValue first;
  first.set_value("first answer");
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                   return Remember(tx, "acme", "req-1", "CreateThing", first, absl::Now());
                 })
                  .ok());
  google::protobuf::StringValue out;
  EXPECT_EQ(ReplayOf("acme", "req-1", "CreateThing", out).value(), true);
  EXPECT_EQ(out.value(), "first answer");
  EXPECT_EQ(ReplayOf("globex", "req-1", "CreateThing", out).value(), false)
      << "request ids are per organization";
  EXPECT_EQ(ReplayOf("acme", "req-2", "CreateThing", out).value(), false);
  auto other = ReplayOf("acme", "req-1", "DeleteThing", out);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(kpo::core::FieldViolationsOf(other.status()).at(0).field, "request_id");
  EXPECT_EQ(ReplayOf("acme", "", "CreateThing", out).value(), false) << "empty: not asked for";
}

TEST_F(IdempotencyTest, RolledBackWorkIsNotRemembered) {
  google::protobuf::StringValue answer;
  EXPECT_FALSE(db_->Write([&](Transaction& tx) {
                    EXPECT_TRUE(
                        Remember(tx, "acme", "req-1", "CreateThing", answer, absl::Now()).ok());
                    return absl::AbortedError("the business change failed");
                  })
                   .ok());
  google::protobuf::StringValue out;
  EXPECT_EQ(ReplayOf("acme", "req-1", "CreateThing", out).value(), false);
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
