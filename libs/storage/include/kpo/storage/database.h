#pragma once

// The narrow storage interface every service store is written against. SQL is kept to
// the subset SQLite and PostgreSQL share; parameters are positional `?` (the PostgreSQL
// driver rewrites them to $n). Two drivers implement the same three classes: SQLite
// (below: the embedded default) and PostgreSQL (kpo/storage/postgres.h: production,
// several replicas against one database); nothing in the services changes.
//
// Thread-safety: Database is thread-safe. A Transaction belongs to the callback it is
// passed to and must not escape it.
// Errors, the same from both drivers: constraint violations on unique keys come back as
// ALREADY_EXISTS; a database that cannot be reached, or stays locked past its timeout,
// as UNAVAILABLE; writers that conflicted and could not be retried as ABORTED; anything
// else as INTERNAL. A statement that failed may leave its transaction unusable
// (PostgreSQL aborts it): a callback returns the error instead of going on, and writes
// that may collide use INSERT ... ON CONFLICT rather than catching ALREADY_EXISTS.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpo::storage {

struct Blob {
  std::string bytes;
};
struct Null {};

using Value = std::variant<Null, int64_t, double, std::string, Blob>;

// One result row. Accessors check the column index and type; a NULL reads as 0 / "".
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<Null>(values_.at(i)); }
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
  // Text or blob bytes.
  std::string Text(size_t i) const;
  const Value& operator[](size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

class Transaction {
 public:
  virtual ~Transaction() = default;
  // Runs a statement; returns the number of rows it changed.
  virtual absl::StatusOr<int64_t> Exec(absl::string_view sql,
                                       const std::vector<Value>& params = {}) = 0;
  virtual absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                                 const std::vector<Value>& params = {}) = 0;

  // Runs `fn` after this write transaction commits, outside the database's locks, on
  // the committing thread; never if it rolls back. A later registration with the same
  // non-null `key` is ignored (one wake-up per transaction, however many rows).
  // Hooks of a read transaction never run.
  void OnCommit(std::function<void()> fn, const void* key = nullptr);

 protected:
  // For drivers: the hooks of the transaction that just ended (and forgets them).
  std::vector<std::function<void()>> TakeCommitHooks();

 private:
  std::vector<std::function<void()>> on_commit_;
  std::vector<const void*> on_commit_keys_;  // few: one per kind of keyed hook
};

// A named lease that at most one process among those sharing a database holds at a time:
// what must run once per service, not once per replica (the outbox relay, whose events
// must leave in order; background jobs). SQLite's database belongs to one process, so
// there it is always held. On PostgreSQL it is a session advisory lock on a connection
// of its own: released when the holder stops or dies (its connection closes), and taken
// by another replica at its next Held() after that.
//
// Thread-safety: Held() may be called from any thread.
class Lease {
 public:
  virtual ~Lease() = default;
  // Whether this process holds the lease now. Cheap enough to call before each unit of
  // work: it tries to take a lease it does not hold, and checks one it holds, at most
  // once per check interval; a holder whose connection broke has lost it.
  virtual bool Held() = 0;
};

// A numbered schema change. Versions of one component start at 1 and have no gaps.
// `sql` is written for SQLite in the subset both databases share; the PostgreSQL driver
// widens its column types (kpo/storage/postgres.h: ToPostgresSchema). A migration that
// cannot be written in that subset has a PostgreSQL twin in `postgres_sql`.
struct Migration {
  int version;
  std::string name;
  std::string sql;
  std::string postgres_sql = {};
};

enum class Dialect { kSqlite, kPostgres };

class Database {
 public:
  virtual ~Database() = default;

  // Applies the not yet applied migrations of `component` in order, each in its own
  // transaction, recording them in schema_migrations. Refuses a database that has a
  // version of the component this binary does not know (a newer binary ran on it).
  virtual absl::Status Migrate(absl::string_view component,
                               const std::vector<Migration>& migrations) = 0;

  // Runs `fn` in a write transaction: its changes are committed if `fn` returns OK,
  // rolled back otherwise (and fn's status is returned). Writers see each other's
  // changes as if run one after another. On PostgreSQL that is SERIALIZABLE isolation:
  // a writer that conflicted with another is rolled back and `fn` runs again (a few
  // times, then ABORTED), so `fn` must act only through the transaction and set, not
  // accumulate, what it hands out. Concurrent writers may share one commit (group
  // commit): each `fn` runs alone on the connection, in its own savepoint, so that one
  // writer's failure undoes only its own changes; every writer returns only after the
  // shared commit is durable, and gets an error (ABORTED when another writer broke the
  // shared transaction) if it is not. After the commit the writer's OnCommit hooks run,
  // in registration order, on the writer's own thread. `fn` itself may run on another
  // writer's thread (the group's leader runs the callbacks of the group): it must not
  // depend on thread-local state other than the trace context (carried over), nor wait
  // for anything its caller holds.
  virtual absl::Status Write(absl::FunctionRef<absl::Status(Transaction&)> fn) = 0;

  // Runs `fn` in a read-only snapshot; runs concurrently with writers and readers.
  virtual absl::Status Read(absl::FunctionRef<absl::Status(Transaction&)> fn) = 0;

  // OK if the database answers a trivial query.
  virtual absl::Status Ping() = 0;

  // Which SQL the database speaks, for the few statements that differ (query plans).
  virtual Dialect dialect() const = 0;

  // The lease `name` among the processes sharing this database (see Lease).
  virtual std::unique_ptr<Lease> NewLease(absl::string_view name) = 0;

  // Counters since open: Write calls whose changes committed, and the commits that
  // carried them (fewer when writers shared commits); the time the writer connection
  // was busy (transactions from their start to their commit or rollback) and the part
  // of it spent committing (writing and syncing the log). Their rates tell how close
  // the single writer is to saturation and whether the disk or the work limits it.
  // On PostgreSQL, busy and commit time add up over the connections writing at once, and
  // `conflicts` counts the attempts rolled back by a serialization failure or deadlock
  // and run again (always 0 on SQLite, whose writers never conflict).
  struct WriteStats {
    int64_t writes = 0;
    int64_t commits = 0;
    int64_t busy_us = 0;
    int64_t commit_us = 0;
    int64_t conflicts = 0;
  };
  virtual WriteStats write_stats() const = 0;
};

struct SqliteOptions {
  // File path. Created with its folder's permissions if missing.
  std::string path;
  absl::Duration busy_timeout = absl::Seconds(5);
  // Read connections for concurrent readers.
  int read_connections = 4;
  // synchronous=FULL: a committed transaction survives power loss, not only a crash.
  bool synchronous_full = true;
  // Most writers one commit carries (group commit); 1 commits every writer alone.
  int max_group = 64;
  // WAL size (pages) at which a background thread checkpoints; 0 leaves it to SQLite's
  // automatic checkpoint inside the committing writer's COMMIT.
  int checkpoint_pages = 1000;
  // Page cache of each connection, MiB (SQLite's own default is about 2).
  int cache_mib = 2;
  // Bytes of the file each connection reads through a memory map instead of read()
  // calls, MiB; 0 = none.
  int mmap_mib = 0;
};

// Opens (creating if needed) a SQLite database in WAL mode.
absl::StatusOr<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options);

}  // namespace kpo::storage
