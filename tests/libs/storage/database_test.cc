#include "kpo/storage/database.h"

#include <signal.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <set>
#include <stdexcept>
#include <thread>

#include "absl/strings/str_split.h"
#include "absl/synchronization/barrier.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "database_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/trace.h"
#include "kpo/testing/harness.h"

namespace kpo::storage {
namespace {

using test::DatabaseFixture;

class DatabaseTest : public DatabaseFixture, public ::testing::TestWithParam<Dialect> {
 protected:
  DatabaseTest() : DatabaseFixture(GetParam()) {}
  void SetUp() override { Open(); }
};

INSTANTIATE_TEST_SUITE_P(Drivers, DatabaseTest,
                         ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const ::testing::TestParamInfo<Dialect>& p) {
                           return p.param == Dialect::kSqlite ? "Sqlite" : "Postgres";
                         });

class SqliteTest : public DatabaseFixture, public ::testing::Test {
 protected:
  SqliteTest() : DatabaseFixture(Dialect::kSqlite) {}
  void SetUp() override { Open(); }
};

TEST_P(DatabaseTest, WriteCommitsAndValuesRoundTrip) {
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

TEST_P(DatabaseTest, FailingCallbackRollsBackEverything) {
  absl::Status s = db_->Write([](Transaction& tx) {
    EXPECT_TRUE(tx.Exec("INSERT INTO items (id) VALUES ('a')").ok());
    return absl::InvalidArgumentError("nope");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count(), 0);
}

TEST_P(DatabaseTest, UniqueViolationIsAlreadyExistsAndRollsBack) {
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

TEST_P(DatabaseTest, ParameterCountMismatchIsAnError) {
  absl::Status s = db_->Write(
      [](Transaction& tx) { return tx.Exec("INSERT INTO items (id) VALUES (?)").status(); });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
}

TEST_P(DatabaseTest, MigrationsApplyOnceAndRefuseNewerSchema) {
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

TEST_P(DatabaseTest, DataSurvivesReopen) {
  ASSERT_TRUE(db_->Write([](Transaction& tx) {
                   return tx.Exec("INSERT INTO items (id) VALUES ('a')").status();
                 })
                  .ok());
  db_.reset();
  db_ = OpenDatabase();
  ASSERT_NE(db_, nullptr);
  EXPECT_EQ(Count(), 1);
}

TEST_P(DatabaseTest, ConcurrentWritersAreSerializedAndReadersSeeCommittedRows) {
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

TEST_P(DatabaseTest, CommitHooksRunAfterCommitOnlyOncePerKeyAndNeverOnRollback) {
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

// Group commit. Timing decides which writers share a commit, so these tests hold each
// writer on the connection for a moment (others queue meanwhile) and assert what must
// hold whatever the grouping: a writer told OK has all its rows, a writer told anything
// else has none, and each is told its own outcome.

absl::Status InsertSlowly(Transaction& tx, const std::string& id) {
  absl::SleepFor(absl::Microseconds(300));  // others queue for the connection meanwhile
  return tx.Exec("INSERT INTO items (id) VALUES (?)", {id}).status();
}

bool Has(Database& db, const std::string& id) {
  bool found = false;
  EXPECT_TRUE(db.Read([&](Transaction& tx) {
                  auto rows = tx.Query("SELECT 1 FROM items WHERE id = ?", {id});
                  if (!rows.ok()) return rows.status();
                  found = !rows->empty();
                  return absl::OkStatus();
                }).ok());
  return found;
}

// Starts `threads` writers at once (a barrier) and returns what each was told.
std::vector<absl::Status> WriteConcurrently(
    Database& db, int threads, const std::function<absl::Status(Transaction&, int)>& fn) {
  absl::Barrier* start = new absl::Barrier(threads);
  std::vector<absl::Status> told(threads);
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      if (start->Block()) delete start;
      told[t] = db.Write([&](Transaction& tx) { return fn(tx, t); });
    });
  }
  for (auto& th : running) th.join();
  return told;
}

TEST_P(DatabaseTest, ConcurrentWritersShareCommits) {
  const Database::WriteStats before = db_->write_stats();
  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        EXPECT_TRUE(db_->Write([&](Transaction& tx) { return InsertSlowly(tx, id); }).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(Count(), kThreads * kEach);
  const Database::WriteStats after = db_->write_stats();
  EXPECT_EQ(after.writes - before.writes, kThreads * kEach);
  EXPECT_LT(after.commits - before.commits, kThreads * kEach)
      << "8 writers, each holding the connection for 300 us, never shared a commit";
  // Every callback slept 300 us inside a transaction: the writer was busy at least that
  // long, and committing is a part of its busy time.
  const int64_t busy = after.busy_us - before.busy_us;
  const int64_t committing = after.commit_us - before.commit_us;
  EXPECT_GE(busy, int64_t{kThreads} * kEach * 300);
  EXPECT_GT(committing, 0);
  EXPECT_LT(committing, busy);
}

TEST_P(DatabaseTest, AFailingWriterAmongManyUndoesOnlyItsOwnChanges) {
  constexpr int kThreads = 12, kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const std::vector<absl::Status> told =
        WriteConcurrently(*db_, kThreads, [&](Transaction& tx, int t) -> absl::Status {
          const std::string id = absl::StrCat(round, "-", t);
          if (absl::Status s = InsertSlowly(tx, id); !s.ok()) return s;
          if (t % 4 == 1) {
            // Writes a second row, then fails: both rows must go.
            if (auto r = tx.Exec("INSERT INTO items (id) VALUES (?)", {id + "-extra"}); !r.ok())
              return r.status();
            return absl::FailedPreconditionError("writer " + id + " refuses");
          }
          if (t % 4 == 2) {
            // A unique violation in the middle of a group (the row of writer 0).
            return tx.Exec("INSERT INTO items (id) VALUES (?)", {absl::StrCat(round, "-0")})
                .status();
          }
          return absl::OkStatus();
        });
    for (int t = 0; t < kThreads; ++t) {
      const std::string id = absl::StrCat(round, "-", t);
      if (t % 4 == 1) {
        EXPECT_EQ(told[t].code(), absl::StatusCode::kFailedPrecondition) << id << told[t];
        EXPECT_THAT(std::string(told[t].message()), ::testing::HasSubstr(id)) << "its own error";
        EXPECT_FALSE(Has(*db_, id)) << id;
        EXPECT_FALSE(Has(*db_, id + "-extra")) << id;
      } else if (t % 4 == 2) {
        // Before writer 0 ran, the insert of its id succeeds and writer 0 then fails;
        // either way exactly one of the two holds the row.
        EXPECT_TRUE(told[t].ok() || told[t].code() == absl::StatusCode::kAlreadyExists) << told[t];
        EXPECT_EQ(Has(*db_, id), told[t].ok()) << id;
      } else if (t != 0) {
        EXPECT_TRUE(told[t].ok()) << id << ": " << told[t];
        EXPECT_TRUE(Has(*db_, id)) << id;
      }
    }
  }
  const Database::WriteStats stats = db_->write_stats();
  EXPECT_LT(stats.commits, stats.writes) << "no round ever shared a commit";
}

TEST_P(DatabaseTest, AWriterThatEndsTheSharedTransactionFailsItsGroupAndNoOneIsToldOk) {
  constexpr int kThreads = 10, kRounds = 10;
  int aborted = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::vector<absl::Status> told =
        WriteConcurrently(*db_, kThreads, [&](Transaction& tx, int t) -> absl::Status {
          if (absl::Status s = InsertSlowly(tx, absl::StrCat(round, "-", t)); !s.ok()) return s;
          // A callback must never end the transaction itself; one that does takes the
          // group's uncommitted work with it.
          if (t == kThreads / 2) return tx.Exec("ROLLBACK").status();
          return absl::OkStatus();
        });
    for (int t = 0; t < kThreads; ++t) {
      const std::string id = absl::StrCat(round, "-", t);
      if (t == kThreads / 2) {
        EXPECT_EQ(told[t].code(), absl::StatusCode::kInternal) << told[t];
        EXPECT_FALSE(Has(*db_, id));
        continue;
      }
      if (!told[t].ok()) {
        EXPECT_EQ(told[t].code(), absl::StatusCode::kAborted) << told[t];
        ++aborted;
      }
      EXPECT_EQ(Has(*db_, id), told[t].ok()) << id << ": " << told[t];
    }
  }
  // Not asserted: whether a round grouped writers before the breaker (timing).
  std::printf("writers aborted with the breaker's group: %d\n", aborted);
}

// The leader of a group runs the queued writers' callbacks on its own thread: each must
// still see its caller's trace context (logs and outbox envelopes carry it), and one
// that throws fails alone.
TEST_P(DatabaseTest, QueuedCallbacksRunWithTheirCallersTraceAndAThrowFailsOnlyItsWriter) {
  constexpr int kQueued = 8;
  absl::Notification leader_running, release;
  std::atomic<int> about_to_write{0};
  std::thread leader([&] {
    EXPECT_TRUE(db_->Write([&](Transaction& tx) {
                     leader_running.Notify();
                     release.WaitForNotification();
                     return tx.Exec("INSERT INTO items (id) VALUES ('leader')").status();
                   })
                    .ok());
  });
  leader_running.WaitForNotification();
  struct Outcome {
    std::string caller_trace, seen_trace;
    std::thread::id caller_thread, run_thread;
    absl::Status told;
  };
  std::vector<Outcome> out(kQueued);
  std::vector<std::thread> queued;
  for (int i = 0; i < kQueued; ++i) {
    queued.emplace_back([&, i] {
      kpo::core::ScopedTrace trace(kpo::core::TraceContext::NewRoot());
      out[i].caller_trace = kpo::core::CurrentTrace().trace_id;
      out[i].caller_thread = std::this_thread::get_id();
      ++about_to_write;
      out[i].told = db_->Write([&](Transaction& tx) -> absl::Status {
        out[i].seen_trace = kpo::core::CurrentTrace().trace_id;
        out[i].run_thread = std::this_thread::get_id();
        if (auto r = tx.Exec("INSERT INTO items (id) VALUES (?)", {absl::StrCat("q", i)}); !r.ok())
          return r.status();
        if (i == 3) throw std::runtime_error("callback bug");
        return absl::OkStatus();
      });
    });
  }
  ASSERT_TRUE(kpo::testing::WaitFor([&] { return about_to_write == kQueued; }));
  absl::SleepFor(absl::Milliseconds(100));  // let them queue behind the leader
  release.Notify();
  leader.join();
  int ran_elsewhere = 0;
  for (int i = 0; i < kQueued; ++i) {
    queued[i].join();
    EXPECT_EQ(out[i].seen_trace, out[i].caller_trace) << "writer " << i;
    if (out[i].run_thread != out[i].caller_thread) ++ran_elsewhere;
    if (i == 3) {
      EXPECT_EQ(out[i].told.code(), absl::StatusCode::kInternal) << out[i].told;
      EXPECT_THAT(out[i].told.message(), ::testing::HasSubstr("callback bug"));
      EXPECT_FALSE(Has(*db_, "q3"));
    } else {
      EXPECT_TRUE(out[i].told.ok()) << out[i].told;
      EXPECT_TRUE(Has(*db_, absl::StrCat("q", i)));
    }
  }
  EXPECT_GT(ran_elsewhere, 0) << "no callback was run by a group's leader";
}

// Writes that never pause (a consumer catching up on a backlog) must not grow the
// write-ahead log without bound: the background checkpoint restarts it.
TEST_F(SqliteTest, TheLogStaysBoundedUnderWritesThatNeverPause) {
  auto db = OpenSqlite({.path = dir_.File("busy.db"), .checkpoint_pages = 50}).value();
  ASSERT_TRUE(db->Write([](Transaction& tx) {
                  return tx.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)").status();
                }).ok());
  // About 80 MB through the log: 20,000 transactions of one 4 KiB row each.
  const std::string value(4000, 'x');
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE(
        db->Write([&](Transaction& tx) {
            return tx.Exec("INSERT INTO t (k, v) VALUES (?, ?)", {int64_t{i}, value}).status();
          }).ok());
  }
  // About the restart threshold (4 x 50 pages, under a megabyte) plus what arrives while
  // a restart waits: far below the 80 MB that went through it (before the restart, the
  // log held all of it).
  const auto wal = std::filesystem::file_size(dir_.File("busy.db-wal"));
  EXPECT_LT(wal, 8u * 1024 * 1024) << wal;
  int64_t rows = 0;
  ASSERT_TRUE(db->Read([&](Transaction& tx) -> absl::Status {
                  auto r = tx.Query("SELECT COUNT(*) FROM t");
                  if (!r.ok()) return r.status();
                  rows = (*r)[0].Int(0);
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(rows, 20000);
}

TEST_F(SqliteTest, AKilledWriterProcessLosesNoAcknowledgedWrite) {
  const std::string path = dir_.File("crash.db");
  const std::string log = dir_.File("crash.log");
  const std::string err = dir_.File("crash.err");
  std::set<std::string> acknowledged;
  for (int run = 0; run < 5; ++run) {
    kpo::testing::Process writer(
        {"sh", "-c", "exec \"$0\" \"$1\" 16 2>>\"$2\"",
         kpo::testing::BinaryPath("tests/storage_crash_writer"), path, err},
        {}, log);
    // Kill it mid-stream, at a different point each run.
    const size_t want = acknowledged.size() + 200 + 150 * run;
    ASSERT_TRUE(kpo::testing::WaitFor(
        [&] {
          const std::string lines = kpo::testing::ReadFile(log);
          return static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n')) >= want;
        },
        absl::Seconds(60)))
        << kpo::testing::ReadFile(err);
    writer.Signal(SIGKILL);
    ASSERT_TRUE(kpo::testing::WaitFor([&] { return !writer.Running(); }));
    for (absl::string_view line : absl::StrSplit(kpo::testing::ReadFile(log), '\n')) {
      if (!line.empty()) acknowledged.insert(std::string(line));
    }
  }
  auto db = OpenSqlite({.path = path});
  ASSERT_TRUE(db.ok()) << db.status();
  std::set<std::string> stored;
  ASSERT_TRUE((*db)
                  ->Read([&](Transaction& tx) {
                    auto check = tx.Query("PRAGMA integrity_check");
                    if (!check.ok()) return check.status();
                    EXPECT_EQ(check->at(0).Text(0), "ok");
                    auto rows = tx.Query("SELECT id FROM rows");
                    if (!rows.ok()) return rows.status();
                    for (const Row& r : *rows) stored.insert(r.Text(0));
                    return absl::OkStatus();
                  })
                  .ok());
  size_t lost = 0;
  for (const std::string& id : acknowledged) lost += stored.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(lost, 0u) << "of " << acknowledged.size() << " acknowledged writes";
  EXPECT_GE(stored.size(), acknowledged.size());
}

TEST_P(DatabaseTest, ValuesOfEveryTypeRoundTrip) {
  const int64_t big = int64_t{1} << 40;  // microseconds since 1970 are past 32 bits
  const std::string text = "na\xc3\xafve \xe6\x94\xb9\xe5\x96\x84 'quoted' ?";
  const std::string bytes("\0\xff\x01?'", 5);
  ASSERT_TRUE(db_->Migrate("v", {{1, "values",
                                  "CREATE TABLE vals (id INTEGER PRIMARY KEY, n INTEGER, "
                                  "r REAL, t TEXT, b BLOB);"}})
                  .ok());
  ASSERT_TRUE(db_->Write([&](Transaction& tx) -> absl::Status {
                   if (auto r = tx.Exec("INSERT INTO vals VALUES (?, ?, ?, ?, ?)",
                                        {int64_t{1}, big, 0.1, text, Blob{bytes}});
                       !r.ok())
                     return r.status();
                   return tx
                       .Exec("INSERT INTO vals VALUES (?, ?, ?, ?, ?)",
                             {int64_t{2}, -big, Null{}, Null{}, Null{}})
                       .status();
                 })
                  .ok());
  ASSERT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                   auto rows = tx.Query("SELECT n, r, t, b FROM vals WHERE id = ?", {int64_t{1}});
                   if (!rows.ok()) return rows.status();
                   EXPECT_EQ(rows->at(0).Int(0), big);
                   EXPECT_DOUBLE_EQ(rows->at(0).Real(1), 0.1);
                   EXPECT_EQ(rows->at(0).Text(2), text);
                   EXPECT_EQ(rows->at(0).Text(3), bytes);
                   rows = tx.Query("SELECT n, r, t, b FROM vals WHERE id = ?", {int64_t{2}});
                   if (!rows.ok()) return rows.status();
                   EXPECT_EQ(rows->at(0).Int(0), -big);
                   for (size_t i = 1; i < 4; ++i) EXPECT_TRUE(rows->at(0).IsNull(i)) << i;
                   // Aggregates of integers read as integers on both (PostgreSQL's SUM of
                   // BIGINT is NUMERIC).
                   rows = tx.Query("SELECT SUM(n), COUNT(*), MAX(t) FROM vals WHERE n > ?",
                                   {int64_t{0}});
                   if (!rows.ok()) return rows.status();
                   EXPECT_TRUE(std::holds_alternative<int64_t>(rows->at(0)[0]));
                   EXPECT_EQ(rows->at(0).Int(0), big);
                   EXPECT_EQ(rows->at(0).Int(1), 1);
                   EXPECT_EQ(rows->at(0).Text(2), text);
                   return absl::OkStatus();
                 })
                  .ok());
}

// Read-modify-write by many writers at once: none may lose another's update (SQLite
// serializes writers; PostgreSQL runs them SERIALIZABLE and retries the losers).
TEST_P(DatabaseTest, ConcurrentReadModifyWritesNeverLoseAnUpdate) {
  ASSERT_TRUE(db_->Write([](Transaction& tx) {
                   return tx.Exec("INSERT INTO items (id, n) VALUES ('counter', 0)").status();
                 })
                  .ok());
  constexpr int kThreads = 8, kEach = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        absl::Status s = db_->Write([](Transaction& tx) -> absl::Status {
          auto rows = tx.Query("SELECT n FROM items WHERE id = 'counter'");
          if (!rows.ok()) return rows.status();
          return tx.Exec("UPDATE items SET n = ? WHERE id = 'counter'", {rows->at(0).Int(0) + 1})
              .status();
        });
        if (!s.ok()) {
          ++failed;
          ADD_FAILURE() << s;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  int64_t n = -1;
  ASSERT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                   auto rows = tx.Query("SELECT n FROM items WHERE id = 'counter'");
                   if (!rows.ok()) return rows.status();
                   n = rows->at(0).Int(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(n, kThreads * kEach - failed.load());
}

TEST_P(DatabaseTest, AThrowingCallbackFailsAloneAndWritesNothing) {
  absl::Status s = db_->Write([](Transaction& tx) -> absl::Status {
    if (auto r = tx.Exec("INSERT INTO items (id) VALUES ('a')"); !r.ok()) return r.status();
    throw std::runtime_error("callback bug");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_THAT(s.message(), ::testing::HasSubstr("callback bug"));
  EXPECT_EQ(Count(), 0);
  EXPECT_TRUE(db_->Write([](Transaction& tx) {
                   return tx.Exec("INSERT INTO items (id) VALUES ('b')").status();
                 })
                  .ok())
      << "the database works after it";
}

TEST_P(DatabaseTest, AReadCannotWriteAndSeesOneSnapshot) {
  absl::Status s = db_->Read(
      [](Transaction& tx) { return tx.Exec("INSERT INTO items (id) VALUES ('a')").status(); });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Count(), 0);
  ASSERT_TRUE(db_->Read([&](Transaction& tx) -> absl::Status {
                   auto before = tx.Query("SELECT COUNT(*) FROM items");
                   if (!before.ok()) return before.status();
                   std::thread([&] {
                     EXPECT_TRUE(db_->Write([](Transaction& w) {
                                      return w.Exec("INSERT INTO items (id) VALUES ('b')").status();
                                    })
                                     .ok());
                   }).join();
                   auto after = tx.Query("SELECT COUNT(*) FROM items");
                   if (!after.ok()) return after.status();
                   EXPECT_EQ(before->at(0).Int(0), after->at(0).Int(0))
                       << "a write committed during a read is not in its snapshot";
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(Count(), 1);
}

TEST(SqliteLeaseTest, ASqliteDatabaseAlwaysHoldsItsLeases) {
  kpo::testing::TempDir dir;
  auto db = OpenSqlite({.path = dir.File("l.db")});
  ASSERT_TRUE(db.ok());
  EXPECT_TRUE((*db)->NewLease("relay")->Held());
}

}  // namespace
}  // namespace kpo::storage
