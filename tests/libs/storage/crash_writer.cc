// Helper of storage_test's crash test: many threads write rows through
// Database::Write (group commit, synchronous=FULL) and print each row's id on stdout
// only after Write returned OK for it, until killed. The test kills it with SIGKILL and
// checks that every printed id is in the database.

#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "kpo/storage/database.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <database file> <threads>\n", argv[0]);
    return 2;
  }
  auto db = kpo::storage::OpenSqlite({.path = argv[1]});
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(db.status().message()).c_str());
    return 1;
  }
  absl::Status migrated = (*db)->Migrate(
      "crash", {{1, "rows", "CREATE TABLE rows (id TEXT PRIMARY KEY, payload BLOB NOT NULL);"}});
  if (!migrated.ok()) {
    std::fprintf(stderr, "migrate: %s\n", std::string(migrated.message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "ready\n");
  const int threads = std::max(1, std::atoi(argv[2]));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&db, t] {
      const std::string payload(512, static_cast<char>('a' + t % 26));
      for (long i = 0;; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        absl::Status s = (*db)->Write([&](kpo::storage::Transaction& tx) {
          return tx
              .Exec("INSERT INTO rows (id, payload) VALUES (?, ?)",
                    {id, kpo::storage::Blob{payload}})
              .status();
        });
        if (!s.ok()) continue;  // not acknowledged: the test does not expect it
        const std::string line = id + "\n";
        // One write(2) per line: whole lines, never interleaved (shorter than PIPE_BUF).
        if (write(STDOUT_FILENO, line.data(), line.size()) < 0) return;
      }
    });
  }
  for (auto& w : workers) w.join();
  return 0;
}
