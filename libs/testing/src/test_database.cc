#include "kpo/testing/test_database.h"

#include <cstdlib>
#include <stdexcept>

#include "kpo/storage/postgres.h"

namespace kpo::testing {

bool TestOnPostgres() {
  const char* which = std::getenv("KPO_TEST_DATABASE");
  return which != nullptr && std::string(which) == "postgres";
}

std::unique_ptr<kpo::storage::Database> OpenTestDatabase(const TempDir& dir,
                                                         const std::string& name) {
  auto db = TestOnPostgres()
                ? kpo::storage::OpenPostgres({.url = SharedPostgresServer().NewDatabase()})
                : kpo::storage::OpenSqlite({.path = dir.File(name + ".db")});
  if (!db.ok())
    throw std::runtime_error("cannot open the test database: " + db.status().ToString());
  return *std::move(db);
}

}  // namespace kpo::testing
