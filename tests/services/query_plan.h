#pragma once

// Checking the stores' SQL against SQLite's query plan: a Database that records every
// distinct statement (with its parameters) its callers send, and the costly steps of a
// statement's plan — "SCAN" of a whole table or index, "USE TEMP B-TREE" to sort every
// match — whose cost grows with the organization. Used by each service's
// query_plan_test, which records what the store sends while the application works.

#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "kpo/auth/auth.h"
#include "kpo/core/clock.h"
#include "kpo/core/page_token.h"
#include "kpo/events/outbox.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/storage/database.h"
#include "kpo/testing/harness.h"

namespace kpo::testing {

using kpo::storage::Row;
using kpo::storage::Transaction;
using kpo::storage::Value;

// Passes statements through and remembers each distinct one with its parameters.
class RecordingTransaction final : public Transaction {
 public:
  RecordingTransaction(Transaction& inner, std::map<std::string, std::vector<Value>>& seen)
      : inner_(inner), seen_(seen) {}
  absl::StatusOr<int64_t> Exec(absl::string_view sql, const std::vector<Value>& params) override {
    seen_.emplace(std::string(sql), params);
    return inner_.Exec(sql, params);
  }
  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                         const std::vector<Value>& params) override {
    seen_.emplace(std::string(sql), params);
    return inner_.Query(sql, params);
  }

 private:
  Transaction& inner_;
  std::map<std::string, std::vector<Value>>& seen_;
};

class RecordingDatabase final : public kpo::storage::Database {
 public:
  explicit RecordingDatabase(kpo::storage::Database& inner) : inner_(inner) {}
  absl::Status Migrate(absl::string_view component,
                       const std::vector<kpo::storage::Migration>& migrations) override {
    return inner_.Migrate(component, migrations);
  }
  absl::Status Write(absl::FunctionRef<absl::Status(Transaction&)> fn) override {
    return inner_.Write([&](Transaction& tx) {
      RecordingTransaction recording(tx, seen);
      return fn(recording);
    });
  }
  absl::Status Read(absl::FunctionRef<absl::Status(Transaction&)> fn) override {
    return inner_.Read([&](Transaction& tx) {
      RecordingTransaction recording(tx, seen);
      return fn(recording);
    });
  }
  absl::Status Ping() override { return inner_.Ping(); }
  WriteStats write_stats() const override { return inner_.write_stats(); }
  kpo::storage::Dialect dialect() const override { return inner_.dialect(); }
  std::unique_ptr<kpo::storage::Lease> NewLease(absl::string_view name) override {
    return inner_.NewLease(name);
  }

  std::map<std::string, std::vector<Value>> seen;

 private:
  kpo::storage::Database& inner_;
};

// "SCAN ..." (a whole table or index) and "USE TEMP B-TREE" (sorting every match) in
// a statement's plan.
// The columns a statement's WHERE clause compares with "= ?" (single-table statements;
// empty for joins and subqueries, which only get the SCAN / TEMP B-TREE check).
inline std::set<std::string> EqualityColumns(const std::string& sql) {
  std::set<std::string> columns;
  const size_t where = sql.find(" WHERE ");
  if (where == std::string::npos || sql.find(" JOIN ") != std::string::npos ||
      sql.find("(SELECT") != std::string::npos) {
    return columns;
  }
  static const std::regex kEquality(R"(([A-Za-z_][A-Za-z_0-9]*) = \?)");
  const std::string clause = sql.substr(where);
  for (std::sregex_iterator it(clause.begin(), clause.end(), kEquality), end; it != end; ++it) {
    columns.insert((*it)[1].str());
  }
  return columns;
}

// "SCAN ..." (a whole table or index), "USE TEMP B-TREE" (sorting every match), and a
// SEARCH that leaves an equality column of the WHERE clause out of its index (it reads
// every row of the prefix it does use: a cost that grows with the organization).
inline std::vector<std::string> CostlySteps(kpo::storage::Database& db, const std::string& sql,
                                            const std::vector<Value>& params) {
  std::vector<std::string> costly;
  const std::set<std::string> equalities = EqualityColumns(sql);
  EXPECT_TRUE(db.Read([&](Transaction& tx) -> absl::Status {
                  auto plan = tx.Query("EXPLAIN QUERY PLAN " + sql, params);
                  if (!plan.ok()) return plan.status();
                  for (const Row& step : *plan) {
                    const std::string detail = step.Text(3);
                    if (detail.rfind("SCAN ", 0) == 0 ||
                        detail.find("USE TEMP B-TREE") != std::string::npos) {
                      costly.push_back(detail);
                      continue;
                    }
                    if (detail.rfind("SEARCH ", 0) != 0) continue;
                    // The rowid itself (an INTEGER PRIMARY KEY such as outbox.seq).
                    if (detail.find("INTEGER PRIMARY KEY (rowid=?)") != std::string::npos) {
                      continue;
                    }
                    for (const std::string& column : equalities) {
                      if (detail.find(column + "=?") == std::string::npos) {
                        costly.push_back(detail + " (without " + column + ")");
                      }
                    }
                  }
                  return absl::OkStatus();
                }).ok())
      << sql;
  return costly;
}

// Expects no costly step in the plan of any statement `recording` saw.
inline void ExpectEveryStatementUsesAnIndex(kpo::storage::Database& db,
                                            const RecordingDatabase& recording) {
  ASSERT_FALSE(recording.seen.empty());
  for (const auto& [sql, params] : recording.seen) {
    EXPECT_TRUE(CostlySteps(db, sql, params).empty())
        << sql << "\n  plan: " << ::testing::PrintToString(CostlySteps(db, sql, params));
  }
}

// What each service's query_plan_test starts from: a SQLite file migrated with the
// common components and the service's own, a RecordingDatabase over it, and the parts
// an application needs (clock, outbox, page tokens, an org_admin of "acme").
class QueryPlanFixture : public ::testing::Test {
 protected:
  void Open(const char* component, const std::vector<kpo::storage::Migration>& migrations) {
    db_ = kpo::storage::OpenSqlite({.path = dir_.File("plans.db")}).value();
    ASSERT_TRUE(db_->Migrate("events", kpo::events::Migrations()).ok());
    ASSERT_TRUE(db_->Migrate(component, migrations).ok()) << component;
    ASSERT_TRUE(db_->Migrate("idempotency", kpo::idempotency::Migrations()).ok());
    recording_ = std::make_unique<RecordingDatabase>(*db_);
  }

  void ExpectEveryStatementUsesAnIndex() {
    kpo::testing::ExpectEveryStatementUsesAnIndex(*db_, *recording_);
  }

  TempDir dir_;
  std::unique_ptr<kpo::storage::Database> db_;
  std::unique_ptr<RecordingDatabase> recording_;
  kpo::core::FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  kpo::events::Outbox outbox_{{"//kpo.platform/test", "kpo.test.v1"}, clock_};
  kpo::core::PageTokenCodec tokens_ = kpo::core::PageTokenCodec::Random();
  kpo::auth::Principal admin_{"p-admin", "acme", {kpo::auth::kOrgAdmin}};
};

}  // namespace kpo::testing
