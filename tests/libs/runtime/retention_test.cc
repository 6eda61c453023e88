#include "kpo/runtime/retention.h"

#include <atomic>

#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "kpo/events/outbox.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/runtime/periodic.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"

namespace kpo::runtime {
namespace {

using kpo::storage::Transaction;

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::testing::OpenTestDatabase(dir_, "r");
    ASSERT_TRUE(db_->Migrate("events", kpo::events::Migrations()).ok());
    ASSERT_TRUE(db_->Migrate("idempotency", kpo::idempotency::Migrations()).ok());
  }

  void Inbox(const std::string& id, absl::Time processed) {
    ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                     return tx
                         .Exec(
                             "INSERT INTO inbox (consumer, source, event_id, event_type, "
                             "organization, processed_at_us) VALUES ('c', 's', ?, 't', "
                             "'organizations/acme', ?)",
                             {id, absl::ToUnixMicros(processed)})
                         .status();
                   })
                    .ok());
  }
  void Request(const std::string& id, absl::Time created) {
    ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                     return kpo::idempotency::Remember(tx, {"acme", id, "M", ""},
                                                       google::protobuf::StringValue(), created);
                   })
                    .ok());
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

  kpo::testing::TempDir dir_;
  std::unique_ptr<kpo::storage::Database> db_;
  kpo::core::FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
};

TEST_F(RetentionTest, EachJobDeletesWhatIsOlderThanItsWindowInBatches) {
  const absl::Time now = clock_.Now();
  for (int i = 0; i < 7; ++i) Inbox("old-" + std::to_string(i), now - absl::Hours(24 * 15));
  Inbox("recent", now - absl::Hours(24 * 13));
  for (int i = 0; i < 4; ++i) Request("old-" + std::to_string(i), now - absl::Hours(25));
  Request("recent", now - absl::Hours(23));
  kpo::storage::Database* db = db_.get();
  RetentionSweeper sweeper({{"idempotency", absl::Hours(24),
                             [db](absl::Time before, int limit) {
                               return kpo::idempotency::DeleteExpired(*db, before, limit);
                             }},
                            {"inbox", absl::Hours(24 * 14),
                             [db](absl::Time before, int limit) {
                               return kpo::events::DeleteInboxBefore(*db, before, limit);
                             }}},
                           {.interval = absl::Hours(1), .batch = 3}, clock_);
  EXPECT_EQ(sweeper.SweepOnce(), 11) << "batches of 3 until a short one";
  EXPECT_EQ(Count("inbox"), 1);
  EXPECT_EQ(Count("idempotency"), 1);
  EXPECT_EQ(sweeper.SweepOnce(), 0);
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(sweeper.SweepOnce(), 1) << "the recent request record has now expired";
}

TEST_F(RetentionTest, AFailingJobDoesNotStopTheOthers) {
  Request("old", clock_.Now() - absl::Hours(48));
  kpo::storage::Database* db = db_.get();
  RetentionSweeper sweeper({{"broken", absl::Hours(1),
                             [](absl::Time, int) -> absl::StatusOr<int64_t> {
                               return absl::UnavailableError("database is locked");
                             }},
                            {"idempotency", absl::Hours(24),
                             [db](absl::Time before, int limit) {
                               return kpo::idempotency::DeleteExpired(*db, before, limit);
                             }}},
                           {}, clock_);
  EXPECT_EQ(sweeper.SweepOnce(), 1);
  sweeper.Start();
  sweeper.Stop();  // returns promptly although the interval is a minute
}

// Work done once per service, not once per replica: the sweeper and the periodic jobs
// run only while the replica holds the service's lease, and take up again when it does.
TEST(OnceAcrossReplicasTest, SweepsAndPeriodicJobsRunOnlyWhileTheLeaseIsHeld) {
  std::atomic<bool> held{false};
  std::atomic<int> sweeps{0}, runs{0};
  RetentionSweeper sweeper(
      {{"count", absl::Hours(1),
        [&](absl::Time, int) -> absl::StatusOr<int64_t> {
          ++sweeps;
          return 0;
        }}},
      {.interval = absl::Milliseconds(10), .active = [&] { return held.load(); }},
      kpo::core::Clock::Real());
  PeriodicJobs periodic;
  periodic.Add({"count", absl::Milliseconds(10), [&] {
                  ++runs;
                  return absl::OkStatus();
                }});
  periodic.OnlyWhile([&] { return held.load(); });
  sweeper.Start();
  periodic.Start();
  absl::SleepFor(absl::Milliseconds(200));  // some 20 turns of each, none while not held
  EXPECT_EQ(sweeps.load(), 0);
  EXPECT_EQ(runs.load(), 0);
  held = true;
  EXPECT_TRUE(kpo::testing::WaitFor([&] { return sweeps > 2 && runs > 2; }));
  held = false;
  absl::SleepFor(absl::Milliseconds(50));  // a turn under way may finish
  const int sweeps_then = sweeps.load(), runs_then = runs.load();
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(sweeps.load(), sweeps_then);
  EXPECT_EQ(runs.load(), runs_then);
  sweeper.Stop();
  periodic.Stop();
}

}  // namespace
}  // namespace kpo::runtime
