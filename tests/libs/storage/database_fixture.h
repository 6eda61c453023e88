#pragma once

// What the storage driver tests share: a fixture that opens a database of either
// driver — SQLite (a file in a temp folder) or PostgreSQL (a real server, one per test
// process, a fresh database per test).

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "kpo/storage/database.h"
#include "kpo/storage/postgres.h"
#include "kpo/testing/harness.h"

namespace kpo::storage::test {

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

}  // namespace kpo::storage::test
