#pragma once

// The database a test's stores run on. KPO_TEST_DATABASE=postgres (set by ctest for the
// ".postgres." copies of the suites registered with kpo_test(... POSTGRES)) gives a
// fresh database on the test process's PostgreSQL server; otherwise a SQLite file
// `<name>.db` in `dir`. Tests that need one or the other open it themselves.

#include <memory>
#include <string>

#include "kpo/storage/database.h"
#include "kpo/testing/harness.h"

namespace kpo::testing {

// Whether this run's stores are on PostgreSQL.
bool TestOnPostgres();

// Opens (never null: a failure throws std::runtime_error naming it) the test database.
std::unique_ptr<kpo::storage::Database> OpenTestDatabase(const TempDir& dir,
                                                         const std::string& name);

}  // namespace kpo::testing
