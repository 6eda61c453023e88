#include "kpo/command/command.h"

#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"

namespace kpo::command {
namespace {

using google::protobuf::StringValue;
using kpo::storage::Transaction;

StringValue Text(const std::string& s) {
  StringValue v;
  v.set_value(s);
  return v;
}

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::testing::OpenTestDatabase(dir_, "c");
    ASSERT_TRUE(db_->Migrate("events", kpo::events::Migrations()).ok());
    ASSERT_TRUE(db_->Migrate("idempotency", kpo::idempotency::Migrations()).ok());
    ASSERT_TRUE(db_->Write([](Transaction& tx) {
                     return tx.Exec("CREATE TABLE things (name TEXT PRIMARY KEY)").status();
                   })
                    .ok());
    runner_ = std::make_unique<Runner>(*db_, outbox_, clock_);
  }

  int64_t Count(const char* table) {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](Transaction& tx) {
                     auto rows = tx.Query(std::string("SELECT COUNT(*) FROM ") + table);
                     if (!rows.ok()) return rows.status();
                     n = rows->front().Int(0);
                     return absl::OkStatus();
                   })
                    .ok());
    return n;
  }

  // A command that creates a thing named after the request and publishes one event.
  absl::StatusOr<StringValue> Create(const std::string& request_id, const StringValue& request,
                                     bool validate_only = false) {
    return runner_->Run<StringValue>(
        {"acme", "CreateThing", request_id, &request, validate_only},
        [&](Context& c) -> absl::StatusOr<StringValue> {
          ++work_runs_;
          auto n = c.tx().Exec("INSERT INTO things (name) VALUES (?)", {request.value()});
          if (!n.ok()) return n.status();
          if (absl::Status s = c.Publish("organizations/acme/things/" + request.value(), request);
              !s.ok()) {
            return s;
          }
          return Text("created " + request.value() + " at " +
                      std::to_string(absl::ToUnixSeconds(c.now())));
        });
  }

  kpo::testing::TempDir dir_;
  kpo::core::FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  int wakes_ = 0;
  int work_runs_ = 0;
  kpo::events::Outbox outbox_{{"//kpo.platform/test", "kpo.test.v1", [this] { ++wakes_; }}, clock_};
  std::unique_ptr<kpo::storage::Database> db_;
  std::unique_ptr<Runner> runner_;
};

TEST_F(RunnerTest, CommitsRowsEventsAndResponseTogetherAndWakesTheRelayOnce) {
  auto first = Create("req-1", Text("a"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->value(), "created a at 1800000000");
  EXPECT_EQ(Count("things"), 1);
  EXPECT_EQ(Count("outbox"), 1);
  EXPECT_EQ(wakes_, 1);
}

TEST_F(RunnerTest, RetryReturnsTheFirstAnswerWithoutRunningTheWork) {
  ASSERT_TRUE(Create("req-1", Text("a")).ok());
  clock_.Advance(absl::Seconds(5));
  auto retry = Create("req-1", Text("a"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->value(), "created a at 1800000000") << "the first answer, not a new one";
  EXPECT_EQ(work_runs_, 1);
  EXPECT_EQ(Count("outbox"), 1);
  EXPECT_EQ(wakes_, 1) << "nothing new committed, nothing to wake";
}

TEST_F(RunnerTest, RequestIdReusedWithAnotherRequestIsRefused) {
  ASSERT_TRUE(Create("req-1", Text("a")).ok());
  auto reused = Create("req-1", Text("b"));
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(kpo::core::ErrorReason(reused.status()), kpo::idempotency::kRequestIdReused);
  EXPECT_EQ(kpo::core::FieldViolationsOf(reused.status()).at(0).field, "request_id");
  EXPECT_EQ(Count("things"), 1) << "b was not created";
  EXPECT_EQ(work_runs_, 1);
}

TEST_F(RunnerTest, WithoutRequestIdEveryCallRuns) {
  ASSERT_TRUE(Create("", Text("a")).ok());
  EXPECT_EQ(Create("", Text("a")).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(work_runs_, 2);
}

TEST_F(RunnerTest, FailedWorkLeavesNothingBehind) {
  ASSERT_TRUE(Create("", Text("a")).ok());
  const int wakes = wakes_;
  // The work writes a row, publishes and registers a hook, then refuses.
  bool hook_ran = false;
  auto failed = runner_->Run<StringValue>(
      {"acme", "CreateThing", "req-2", nullptr}, [&](Context& c) -> absl::StatusOr<StringValue> {
        EXPECT_TRUE(c.tx().Exec("INSERT INTO things (name) VALUES ('z')").ok());
        EXPECT_TRUE(c.Publish("organizations/acme/things/z", Text("z")).ok());
        c.tx().OnCommit([&hook_ran] { hook_ran = true; });
        return absl::FailedPreconditionError("refused after writing");
      });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count("things"), 1);
  EXPECT_EQ(Count("outbox"), 1);
  EXPECT_EQ(Count("idempotency"), 0);
  EXPECT_EQ(wakes_, wakes) << "a rolled-back transaction wakes nobody";
  EXPECT_FALSE(hook_ran);
}

TEST_F(RunnerTest, ValidateOnlyRunsTheWorkAndRollsBack) {
  auto checked = Create("req-1", Text("a"), /*validate_only=*/true);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->value(), "created a at 1800000000");
  EXPECT_EQ(Count("things"), 0);
  EXPECT_EQ(Count("outbox"), 0);
  EXPECT_EQ(Count("idempotency"), 0) << "the request_id stays free for the real request";
  EXPECT_EQ(wakes_, 0);
  ASSERT_TRUE(Create("req-1", Text("a")).ok());
  EXPECT_EQ(Count("things"), 1);
  // Validating again after the real request ran: its answer, nothing checked or run.
  auto after = Create("req-1", Text("a part of a"), /*validate_only=*/true);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->value(), "created a at 1800000000");
  EXPECT_EQ(work_runs_, 2);
}

TEST_F(RunnerTest, CommandsWithoutEventsDoNotWakeTheRelay) {
  auto quiet = runner_->Run<StringValue>(
      {"acme", "Touch", "", nullptr},
      [&](Context& c) -> absl::StatusOr<StringValue> { return Text("no change"); });
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(wakes_, 0);
}

TEST_F(RunnerTest, ManyEventsInOneCommandWakeOnceAndHooksRunAfterCommit) {
  std::vector<std::string> order;
  auto many = runner_->Run<StringValue>(
      {"acme", "Batch", "", nullptr}, [&](Context& c) -> absl::StatusOr<StringValue> {
        for (int i = 0; i < 50; ++i) {
          if (absl::Status s = c.Publish("organizations/acme/things/t", Text("t")); !s.ok()) {
            return s;
          }
        }
        c.tx().OnCommit([&order, this] {
          order.push_back("hook sees " + std::to_string(Count("outbox")) + " rows");
        });
        return Text("ok");
      });
  ASSERT_TRUE(many.ok()) << many.status();
  EXPECT_EQ(wakes_, 1);
  ASSERT_EQ(order.size(), 1u);
  EXPECT_EQ(order[0], "hook sees 50 rows") << "hooks run after the commit, outside the lock";
}

TEST_F(RunnerTest, MalformedRequestIdIsRefusedBeforeAnyWork) {
  auto bad = Create("has space", Text("a"));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(kpo::core::FieldViolationsOf(bad.status()).at(0).field, "request_id");
  EXPECT_EQ(work_runs_, 0);
}

}  // namespace
}  // namespace kpo::command
