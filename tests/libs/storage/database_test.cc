#include "kpo/storage/database.h"

#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <stdexcept>
#include <thread>

#include "absl/strings/str_split.h"
#include "absl/synchronization/barrier.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/trace.h"
#include "kpo/storage/postgres.h"
#include "kpo/testing/harness.h"

namespace kpo::storage {
namespace {

// The storage contract, the same from both drivers: DatabaseTest runs on SQLite (a file
// in a temp folder) and on PostgreSQL (a real server, one per test process, a fresh
// database per test). SqliteTest and PostgresTest hold what only one driver promises.
class DatabaseFixture {
 protected:
  explicit DatabaseFixture(Dialect dialect) : dialect_(dialect) {}

  std::unique_ptr<Database> OpenDatabase() {
    if (dialect_ == Dialect::kSqlite) {
      auto db = OpenSqlite({.path = dir_.File("test.db")});
      EXPECT_TRUE(db.ok()) << db.status();
      return db.ok() ? *std::move(db) : nullptr;
    }
    if (url_.empty()) url_ = kpo::testing::SharedPostgresServer().NewDatabase();
    auto db = OpenPostgres({.url = url_});
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? *std::move(db) : nullptr;
  }

  void Open() {
    db_ = OpenDatabase();
    ASSERT_NE(db_, nullptr);
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

  const Dialect dialect_;
  kpo::testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

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

// What only PostgreSQL does: several replicas, a server that restarts, a bounded pool.
class PostgresTest : public DatabaseFixture, public ::testing::Test {
 protected:
  PostgresTest() : DatabaseFixture(Dialect::kPostgres) {}
  void SetUp() override { Open(); }
  bool Insert(Database& db, const std::string& id) {
    return db
        .Write([&](Transaction& tx) {
          return tx.Exec("INSERT INTO items (id) VALUES (?)", {id}).status();
        })
        .ok();
  }
};

TEST_F(PostgresTest, ReplicasStartingAtOnceMigrateOnce) {
  const std::vector<Migration> migrations = {
      {1, "a", "CREATE TABLE a (id TEXT PRIMARY KEY, n INTEGER);"},
      {2, "b", "CREATE TABLE b (id TEXT PRIMARY KEY); CREATE INDEX b_id ON b (id);"},
      {3, "c", "ALTER TABLE a ADD COLUMN m INTEGER;"}};
  constexpr int kReplicas = 4;
  std::vector<absl::Status> told(kReplicas);
  std::vector<std::thread> replicas;
  for (int i = 0; i < kReplicas; ++i) {
    replicas.emplace_back([&, i] {
      auto db = OpenPostgres({.url = url_});
      told[i] = db.ok() ? (*db)->Migrate("replicated", migrations) : db.status();
    });
  }
  for (auto& r : replicas) r.join();
  for (int i = 0; i < kReplicas; ++i) EXPECT_TRUE(told[i].ok()) << i << ": " << told[i];
  ASSERT_TRUE(db_->Read([](Transaction& tx) -> absl::Status {
                   auto rows = tx.Query(
                       "SELECT version FROM schema_migrations WHERE component = ? ORDER BY version",
                       {std::string("replicated")});
                   if (!rows.ok()) return rows.status();
                   EXPECT_EQ(rows->size(), 3u);
                   return tx.Query("SELECT id, n, m FROM a").status();
                 })
                  .ok());
}

TEST_F(PostgresTest, ATwinMigrationRunsInsteadOfTheSqliteOne) {
  ASSERT_TRUE(db_->Migrate("twin", {{1, "seq",
                                     "CREATE TABLE seq (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                                     "v TEXT);",
                                     "CREATE TABLE seq (id BIGINT GENERATED BY DEFAULT AS "
                                     "IDENTITY PRIMARY KEY, v TEXT);"}})
                  .ok());
  int64_t id = 0;
  ASSERT_TRUE(db_->Write([&](Transaction& tx) -> absl::Status {
                   if (auto r = tx.Exec("INSERT INTO seq (v) VALUES ('x')"); !r.ok())
                     return r.status();
                   auto rows = tx.Query("SELECT id FROM seq WHERE v = 'x'");
                   if (!rows.ok()) return rows.status();
                   id = rows->at(0).Int(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(id, 1);
}

TEST_F(PostgresTest, AConflictingWriterIsRunAgainAndBothCount) {
  ASSERT_TRUE(db_->Write([](Transaction& tx) {
                   return tx.Exec("INSERT INTO items (id, n) VALUES ('c', 0)").status();
                 })
                  .ok());
  // Two replicas (a process runs its own writers one at a time): both read the counter
  // before either writes, so under SERIALIZABLE one of them must fail and run again,
  // reading the other's value.
  std::unique_ptr<Database> other = OpenDatabase();
  ASSERT_NE(other, nullptr);
  absl::Barrier* both_read = new absl::Barrier(2);
  std::atomic<int> runs{0};
  auto writer = [&](Database* db) {
    bool first = true;
    EXPECT_TRUE(db->Write([&](Transaction& tx) -> absl::Status {
                    ++runs;
                    auto rows = tx.Query("SELECT n FROM items WHERE id = 'c'");
                    if (!rows.ok()) return rows.status();
                    if (first) {
                      first = false;
                      if (both_read->Block()) delete both_read;
                    }
                    return tx
                        .Exec("UPDATE items SET n = ? WHERE id = 'c'", {rows->at(0).Int(0) + 1})
                        .status();
                  }).ok());
  };
  std::thread a(writer, db_.get()), b(writer, other.get());
  a.join();
  b.join();
  EXPECT_EQ(runs.load(), 3) << "exactly one of the two ran again";
  ASSERT_TRUE(db_->Read([](Transaction& tx) -> absl::Status {
                   auto rows = tx.Query("SELECT n FROM items WHERE id = 'c'");
                   if (!rows.ok()) return rows.status();
                   EXPECT_EQ(rows->at(0).Int(0), 2);
                   return absl::OkStatus();
                 })
                  .ok());
}

// A group's writers share one transaction: when it loses a serialization check against
// another replica's writer, every callback of the group runs again — also one that had
// run before the conflicting one — and each caller is told OK once, its rows there once.
TEST_F(PostgresTest, AGroupThatConflictsWithAnotherReplicaRunsAllItsWritersAgain) {
  ASSERT_TRUE(db_->Write([](Transaction& tx) {
                   return tx.Exec("INSERT INTO items (id, n) VALUES ('c', 0)").status();
                 })
                  .ok());
  std::unique_ptr<Database> other = OpenDatabase();
  ASSERT_NE(other, nullptr);
  const Database::WriteStats before = db_->write_stats();
  absl::Notification leader_running, queued, counter_read, other_committed;
  std::atomic<int> first_runs{0}, reader_runs{0}, last_runs{0};
  // A lone writer commits alone; the three queued behind it meanwhile form one group.
  std::thread leader([&] {
    EXPECT_TRUE(db_->Write([&](Transaction& tx) {
                     leader_running.Notify();
                     queued.WaitForNotification();
                     return tx.Exec("INSERT INTO items (id) VALUES ('leader')").status();
                   })
                    .ok());
  });
  leader_running.WaitForNotification();
  // The group, in queue order: one that writes, one that reads the counter, waits for
  // the other replica to change it, then writes it (the conflict), and one after it.
  std::thread first([&] {
    EXPECT_TRUE(db_->Write([&](Transaction& tx) {
                     ++first_runs;
                     return tx.Exec("INSERT INTO items (id) VALUES ('first')").status();
                   })
                    .ok());
  });
  absl::SleepFor(absl::Milliseconds(100));
  std::thread reader([&] {
    EXPECT_TRUE(db_->Write([&](Transaction& tx) -> absl::Status {
                     auto rows = tx.Query("SELECT n FROM items WHERE id = 'c'");
                     if (!rows.ok()) return rows.status();
                     if (++reader_runs == 1) {
                       counter_read.Notify();
                       other_committed.WaitForNotification();
                     }
                     return tx
                         .Exec("UPDATE items SET n = ? WHERE id = 'c'", {rows->at(0).Int(0) + 1})
                         .status();
                   })
                    .ok());
  });
  absl::SleepFor(absl::Milliseconds(100));
  std::thread last([&] {
    EXPECT_TRUE(db_->Write([&](Transaction& tx) {
                     ++last_runs;
                     return tx.Exec("INSERT INTO items (id) VALUES ('last')").status();
                   })
                    .ok());
  });
  absl::SleepFor(absl::Milliseconds(100));
  queued.Notify();
  counter_read.WaitForNotification();
  ASSERT_TRUE(other
                  ->Write([](Transaction& tx) {
                    return tx.Exec("UPDATE items SET n = n + 1 WHERE id = 'c'").status();
                  })
                  .ok());
  other_committed.Notify();
  leader.join();
  first.join();
  reader.join();
  last.join();
  EXPECT_EQ(first_runs.load(), 2) << "it ran before the conflict, in the same transaction: again";
  EXPECT_EQ(reader_runs.load(), 2);
  EXPECT_EQ(last_runs.load(), 1)
      << "not yet taken when the conflict broke the attempt off: a retry takes nobody new, "
         "so it runs once, in the next group";
  EXPECT_EQ(Count(), 4) << "the counter, and the leader's, the first's and the last's rows";
  ASSERT_TRUE(db_->Read([](Transaction& tx) -> absl::Status {
                   auto rows = tx.Query("SELECT n FROM items WHERE id = 'c'");
                   if (!rows.ok()) return rows.status();
                   EXPECT_EQ(rows->at(0).Int(0), 2) << "both increments, none lost";
                   return absl::OkStatus();
                 })
                  .ok());
  const Database::WriteStats after = db_->write_stats();
  EXPECT_EQ(after.conflicts - before.conflicts, 1);
  EXPECT_EQ(after.writes - before.writes, 4);
  EXPECT_EQ(after.commits - before.commits, 3) << "the leader's, the retried group's, the last's";
}

TEST_F(PostgresTest, ACallbackThatCarriesOnPastAFailedStatementIsToldItsError) {
  ASSERT_TRUE(Insert(*db_, "a"));
  absl::Status s = db_->Write([](Transaction& tx) -> absl::Status {
    if (auto r = tx.Exec("INSERT INTO items (id) VALUES ('b')"); !r.ok()) return r.status();
    (void)tx.Exec("INSERT INTO items (id) VALUES ('a')");  // fails; the callback ignores it
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_EQ(Count(), 1) << "'b' went with the transaction";
}

TEST_F(PostgresTest, ThePoolHealsAfterTheServerRestarts) {
  ASSERT_TRUE(Insert(*db_, "before"));
  kpo::testing::PostgresServer& server = kpo::testing::SharedPostgresServer();
  server.Stop();
  absl::Status down = db_->Write(
      [](Transaction& tx) { return tx.Exec("INSERT INTO items (id) VALUES ('down')").status(); });
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;
  EXPECT_EQ(db_->Ping().code(), absl::StatusCode::kUnavailable);
  server.Start();
  // The pooled connections died with the server: each is found broken and replaced.
  EXPECT_TRUE(db_->Ping().ok());
  EXPECT_TRUE(Insert(*db_, "after"));
  EXPECT_EQ(Count(), 2);
}

TEST_F(PostgresTest, ABusyPoolMakesCallersWaitThenRefuses) {
  auto db = OpenPostgres({.url = url_, .pool_size = 2, .pool_wait = absl::Milliseconds(300)});
  ASSERT_TRUE(db.ok()) << db.status();
  absl::Notification release;
  std::atomic<int> holding{0};
  std::vector<std::thread> holders;
  for (int i = 0; i < 2; ++i) {
    holders.emplace_back([&] {
      EXPECT_TRUE((*db)
                      ->Read([&](Transaction& tx) {
                        ++holding;
                        release.WaitForNotification();
                        return tx.Query("SELECT 1").status();
                      })
                      .ok());
    });
  }
  ASSERT_TRUE(kpo::testing::WaitFor([&] { return holding == 2; }));
  absl::Status refused = (*db)->Ping();
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("busy"));
  // A caller that waits less than pool_wait gets the connection freed meanwhile.
  std::thread freer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    release.Notify();
  });
  EXPECT_TRUE((*db)->Ping().ok());
  freer.join();
  for (auto& h : holders) h.join();
}

TEST_F(PostgresTest, UnreachableServersAndMissingSecretsAreClearErrors) {
  auto nowhere = OpenPostgres({.url = "postgresql://kpo@/none?host=" + dir_.path() + "&port=1",
                               .connect_timeout = absl::Seconds(1)});
  EXPECT_EQ(nowhere.status().code(), absl::StatusCode::kUnavailable) << nowhere.status();
  auto no_secret = OpenPostgres({.url = url_, .password_file = dir_.File("missing")});
  EXPECT_EQ(no_secret.status().code(), absl::StatusCode::kFailedPrecondition);
}

// Production's accounts sign in with a password from a mounted secret: the harness's
// server asks kPasswordRole for its password (SCRAM), whatever it trusts otherwise.
TEST_F(PostgresTest, APasswordFromTheSecretFileSignsInAndAWrongOneIsRefusedClearly) {
  const std::string role = kpo::testing::PostgresServer::kPasswordRole;
  for (const std::string& sql :
       {absl::StrCat("DO $$ BEGIN CREATE ROLE ", role,
                     " LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"),
        absl::StrCat("ALTER ROLE ", role, " PASSWORD 'right horse battery'"),
        absl::StrCat("GRANT ALL ON SCHEMA public TO ", role),
        absl::StrCat("GRANT ALL ON ALL TABLES IN SCHEMA public TO ", role)}) {
    ASSERT_TRUE(db_->Write([&](Transaction& tx) { return tx.Exec(sql).status(); }).ok()) << sql;
  }
  // postgresql://kpo@/<database>?host=...
  const std::string database =
      url_.substr(url_.find("@/") + 2, url_.find('?') - url_.find("@/") - 2);
  const std::string url = kpo::testing::SharedPostgresServer().UrlAs(database, role);
  auto secret = [&](const std::string& name, const std::string& password) {
    std::ofstream(dir_.File(name)) << password << "\n";
    return dir_.File(name);
  };

  auto signed_in =
      OpenPostgres({.url = url, .password_file = secret("right", "right horse battery")});
  ASSERT_TRUE(signed_in.ok()) << signed_in.status();
  absl::Status migrated =
      (*signed_in)->Migrate("secret", {{1, "t", "CREATE TABLE secret_t (id TEXT);"}});
  ASSERT_TRUE(migrated.ok()) << migrated;
  EXPECT_TRUE((*signed_in)
                  ->Write([](Transaction& tx) {
                    return tx.Exec("INSERT INTO secret_t (id) VALUES ('x')").status();
                  })
                  .ok());

  auto wrong = OpenPostgres({.url = url, .password_file = secret("wrong", "wrong horse")});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kUnavailable) << wrong.status();
  EXPECT_THAT(std::string(wrong.status().message()),
              ::testing::HasSubstr("password authentication failed"));
  EXPECT_THAT(std::string(wrong.status().message()),
              ::testing::Not(::testing::HasSubstr("wrong horse")))
      << "the password never appears in an error";
  auto none = OpenPostgres({.url = url});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnavailable) << none.status();
}

TEST_F(PostgresTest, ALeaseHasOneHolderAndPassesOnWhenTheHolderIsGone) {
  auto open = [&] {
    auto db = OpenPostgres({.url = url_, .lease_check = absl::Milliseconds(50)});
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? *std::move(db) : nullptr;
  };
  std::unique_ptr<Database> a = open(), b = open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::unique_ptr<Lease> held_by_a = a->NewLease("relay");
  std::unique_ptr<Lease> wanted_by_b = b->NewLease("relay");
  std::unique_ptr<Lease> other = b->NewLease("another");
  EXPECT_TRUE(held_by_a->Held());
  EXPECT_TRUE(other->Held()) << "leases of different names are independent";
  // However often b asks, a keeps it while a lives.
  const absl::Time until = absl::Now() + absl::Milliseconds(300);
  while (absl::Now() < until) {
    EXPECT_FALSE(wanted_by_b->Held());
    EXPECT_TRUE(held_by_a->Held());
    absl::SleepFor(absl::Milliseconds(20));
  }
  held_by_a.reset();  // a stopped or died: its lease's connection is closed
  EXPECT_TRUE(kpo::testing::WaitFor([&] { return wanted_by_b->Held(); }, absl::Seconds(5)));

  // A server restart ends every session: the holder finds out at its next check, and
  // the lease is taken again by one replica.
  std::unique_ptr<Lease> wanted_by_a = a->NewLease("relay");
  EXPECT_FALSE(wanted_by_a->Held());
  kpo::testing::SharedPostgresServer().Stop();
  kpo::testing::SharedPostgresServer().Start();
  EXPECT_TRUE(kpo::testing::WaitFor([&] { return wanted_by_b->Held() || wanted_by_a->Held(); },
                                    absl::Seconds(10)));
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_NE(wanted_by_a->Held(), wanted_by_b->Held()) << "exactly one holds it";
}

// TLS is chosen in database.url (libpq's sslmode and sslrootcert): the driver then
// talks to the server over TLS and checks its certificate against the CA it is given.
TEST(PostgresTlsTest, TheUrlChoosesTlsAndAServerTheCaDidNotSignIsRefused) {
  kpo::testing::PostgresServer server({.tls = true});
  server.NewDatabase();  // t1
  auto encrypted = [](Database& db) {
    int64_t ssl = -1;
    EXPECT_TRUE(db.Read([&](Transaction& tx) -> absl::Status {
                    auto rows =
                        tx.Query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
                    if (!rows.ok()) return rows.status();
                    ssl = rows->at(0).Int(0);
                    return absl::OkStatus();
                  }).ok());
    return ssl;
  };
  auto verified = OpenPostgres({.url = server.TlsUrl("t1")});
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(encrypted(**verified), 1) << "sslmode=verify-full: the session is encrypted";
  EXPECT_TRUE((*verified)
                  ->Write([](Transaction& tx) {
                    return tx.Exec("CREATE TABLE over_tls (id TEXT)").status();
                  })
                  .ok());

  auto impostor = OpenPostgres(
      {.url = server.TlsUrl("t1", server.OtherCaFile()), .connect_timeout = absl::Seconds(2)});
  EXPECT_EQ(impostor.status().code(), absl::StatusCode::kUnavailable) << impostor.status();
  EXPECT_THAT(std::string(impostor.status().message()), ::testing::HasSubstr("certificate"));

  // The same server without TLS in the URL: the check above is not vacuous.
  std::string plain = server.TlsUrl("t1");
  plain = plain.substr(0, plain.find('?')) + "?sslmode=disable";
  auto clear = OpenPostgres({.url = plain});
  ASSERT_TRUE(clear.ok()) << clear.status();
  EXPECT_EQ(encrypted(**clear), 0);
}

TEST(SqliteLeaseTest, ASqliteDatabaseAlwaysHoldsItsLeases) {
  kpo::testing::TempDir dir;
  auto db = OpenSqlite({.path = dir.File("l.db")});
  ASSERT_TRUE(db.ok());
  EXPECT_TRUE((*db)->NewLease("relay")->Held());
}

TEST(PostgresSqlTest, PlaceholdersSkipLiteralsIdentifiersAndComments) {
  int n = 0;
  EXPECT_EQ(
      ToPostgresPlaceholders(
          "SELECT '?', 'it''s ?', \"a?\", ? -- what?\nFROM t WHERE x = ? /* ? */ AND y = ?", &n),
      "SELECT '?', 'it''s ?', \"a?\", $1 -- what?\nFROM t WHERE x = $2 /* ? */ AND y = $3");
  EXPECT_EQ(n, 3);
  EXPECT_EQ(ToPostgresPlaceholders("SELECT 1", &n), "SELECT 1");
  EXPECT_EQ(n, 0);
}

TEST(PostgresSqlTest, SchemaTypesWidenToWhatTheyMeanInSqlite) {
  EXPECT_EQ(ToPostgresSchema("CREATE TABLE t (a INTEGER NOT NULL, b real, c Blob, "
                             "integer_count INTEGER, d TEXT DEFAULT 'INTEGER'); -- INTEGER"),
            "CREATE TABLE t (a BIGINT NOT NULL, b DOUBLE PRECISION, c BYTEA, "
            "integer_count BIGINT, d TEXT DEFAULT 'INTEGER'); -- INTEGER");
}

}  // namespace
}  // namespace kpo::storage
