#include <atomic>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/storage/database.h"
#include "kpo/testing/harness.h"

namespace kpo::storage {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenSqlite({.path = dir_.File("test.db")});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(
        db_->Migrate("t",
                     {{1, "items", "CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER, b BLOB);"}})
            .ok());
  }
  int64_t Count() {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](Transaction& tx) {
                     auto rows = tx.Query("SELECT COUNT(*) FROM items");
                     if (!rows.ok()) return rows.status();
                     n = rows->at(0).Int(0);
                     return absl::OkStatus();
                   })
                    .ok());
    return n;
  }
  kpo::testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(SqliteTest, WriteCommitsAndValuesRoundTrip) {
  ASSERT_TRUE(db_->Write([](Transaction& tx) {
                   return tx
                       .Exec("INSERT INTO items VALUES (?, ?, ?)",
                             {std::string("a"), int64_t{42}, Blob{std::string("\0x\1", 3)}})
                       .status();
                 })
                  .ok());
  ASSERT_TRUE(db_->Read([](Transaction& tx) {
                   auto rows =
                       tx.Query("SELECT id, n, b FROM items WHERE id = ?", {std::string("a")});
                   EXPECT_TRUE(rows.ok());
                   EXPECT_EQ(rows->size(), 1u);
                   EXPECT_EQ(rows->at(0).Text(0), "a");
                   EXPECT_EQ(rows->at(0).Int(1), 42);
                   EXPECT_EQ(rows->at(0).Text(2), std::string("\0x\1", 3));
                   return absl::OkStatus();
                 })
                  .ok());
}

TEST_F(SqliteTest, FailingCallbackRollsBackEverything) {
  absl::Status s = db_->Write([](Transaction& tx) {
    EXPECT_TRUE(tx.Exec("INSERT INTO items (id) VALUES ('a')").ok());
    return absl::InvalidArgumentError("nope");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count(), 0);
}

TEST_F(SqliteTest, UniqueViolationIsAlreadyExistsAndRollsBack) {
  ASSERT_TRUE(db_->Write([](Transaction& tx) {
                   return tx.Exec("INSERT INTO items (id) VALUES ('a')").status();
                 })
                  .ok());
  absl::Status s = db_->Write([](Transaction& tx) {
    if (auto r = tx.Exec("INSERT INTO items (id) VALUES ('b')"); !r.ok()) return r.status();
    return tx.Exec("INSERT INTO items (id) VALUES ('a')").status();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Count(), 1);
}

TEST_F(SqliteTest, ParameterCountMismatchIsAnError) {
  absl::Status s = db_->Write(
      [](Transaction& tx) { return tx.Exec("INSERT INTO items (id) VALUES (?)").status(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
}

TEST_F(SqliteTest, MigrationsApplyOnceAndRefuseNewerSchema) {
  std::vector<Migration> v2 = {
      {1, "items", "CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER, b BLOB);"},
      {2, "more", "CREATE TABLE more (x INTEGER);"}};
  ASSERT_TRUE(db_->Migrate("t", v2).ok());
  ASSERT_TRUE(db_->Migrate("t", v2).ok()) << "second run applies nothing";
  absl::Status older = db_->Migrate("t", {v2[0]});
  EXPECT_EQ(older.code(), absl::StatusCode::kFailedPrecondition);
  absl::Status gap = db_->Migrate("u", {{2, "x", "SELECT 1;"}});
  EXPECT_FALSE(gap.ok());
  absl::Status bad = db_->Migrate("w", {{1, "broken", "CREATE TABLE oops (;"}});
  EXPECT_FALSE(bad.ok());
}

TEST_F(SqliteTest, DataSurvivesReopen) {
  ASSERT_TRUE(db_->Write([](Transaction& tx) {
                   return tx.Exec("INSERT INTO items (id) VALUES ('a')").status();
                 })
                  .ok());
  db_.reset();
  auto db = OpenSqlite({.path = dir_.File("test.db")});
  ASSERT_TRUE(db.ok());
  db_ = *std::move(db);
  EXPECT_EQ(Count(), 1);
}

TEST_F(SqliteTest, ConcurrentWritersAreSerializedAndReadersSeeCommittedRows) {
  std::vector<std::thread> threads;
  std::atomic<int> stale_reads{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t, &stale_reads] {
      int64_t last_seen = 0;
      for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                         return tx
                             .Exec("INSERT INTO items (id, n) VALUES (?, ?)",
                                   {std::to_string(t) + "-" + std::to_string(i), int64_t{i}})
                             .status();
                       })
                        .ok());
        // A read after a commit sees at least that commit (this thread's i + 1 rows)
        // and never less than an earlier read of the same thread.
        const int64_t seen = Count();
        if (seen < i + 1 || seen < last_seen) ++stale_reads;
        last_seen = seen;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(stale_reads.load(), 0);
  EXPECT_EQ(Count(), 200);
}

TEST_F(SqliteTest, CommitHooksRunAfterCommitOnlyOncePerKeyAndNeverOnRollback) {
  std::vector<std::string> ran;
  int key = 0;
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                   tx.OnCommit([&] { ran.push_back("wake"); }, &key);
                   tx.OnCommit([&] { ran.push_back("wake again"); }, &key);  // same key: ignored
                   tx.OnCommit([&] { ran.push_back("rows=" + std::to_string(Count())); });
                   return tx.Exec("INSERT INTO items (id, n) VALUES ('a', 1)").status();
                 })
                  .ok());
  EXPECT_THAT(ran, ::testing::ElementsAre("wake", "rows=1"))
      << "in order, after the commit (a reader sees the row), outside the write lock";
  ran.clear();
  EXPECT_FALSE(db_->Write([&](Transaction& tx) {
                    tx.OnCommit([&] { ran.push_back("never"); });
                    return absl::AbortedError("rolled back");
                  })
                   .ok());
  EXPECT_TRUE(ran.empty());
  ASSERT_TRUE(db_->Write([&](Transaction& tx) {
                   tx.OnCommit([&] { ran.push_back("next transaction"); }, &key);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_THAT(ran, ::testing::ElementsAre("next transaction"))
      << "hooks and keys do not leak into the next transaction";
}

}  // namespace
}  // namespace kpo::storage
