#pragma once

// The PostgreSQL driver of kpo/storage/database.h: for production, where several
// replicas of a service share one database that outlives any pod.
//
// - Connections: a pool of at most `pool_size`, opened on demand; a caller that finds
//   none free waits up to `pool_wait`, then gets UNAVAILABLE. A connection that broke
//   (the server restarted, the network dropped it) is closed instead of returned, and
//   the next caller opens a fresh one: the pool heals without a restart.
// - Statements: `?` placeholders become $1..$n; each connection prepares a statement
//   once per parameter-type signature and reuses it.
// - Writes: SERIALIZABLE transactions with group commit, as on SQLite (decision 0009):
//   the writers of one process queue (`serialize_writes`), and the first runs, on one
//   connection and in one transaction, the callbacks of those queued behind it (up to
//   `max_group`), each in a savepoint, then commits once — one lock, BEGIN and COMMIT
//   round trip and one log flush for the group. Writers of different replicas run at
//   once, each group holding an advisory write lock shared. A serialization failure or
//   deadlock rolls the group back and runs its callbacks again; after two such failures
//   it runs alone, holding the write lock exclusively (no other writer of any replica
//   under way), so that it cannot lose again; ABORTED only after `max_attempts`. A
//   connection lost before COMMIT was sent is retried on a fresh one (nothing was
//   written); lost during COMMIT, the outcome is unknown: UNAVAILABLE.
// - Reads: REPEATABLE READ, READ ONLY — one snapshot per Read, as on SQLite.
// - Errors (SQLSTATE): 23505 ALREADY_EXISTS; 40001/40P01 ABORTED once retries are
//   spent; class 08, 57P01-03, 53300 UNAVAILABLE; 57014 DEADLINE_EXCEEDED; else INTERNAL.
// - Leases (Database::NewLease): a session advisory lock on a connection of their own,
//   tried or checked every `lease_check`.
// - Migrations: under a session advisory lock, so that of several replicas starting at
//   once one migrates and the others then find the schema current.
// - Security: the password comes from `password_file` (a mounted secret), never from
//   configuration; TLS is libpq's, chosen in the URL (sslmode=verify-full, sslrootcert).

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kpo/storage/database.h"

namespace kpo::storage {

struct PostgresOptions {
  // A libpq connection URI or key=value string, e.g.
  // postgresql://kpo@db.example:5432/people?sslmode=verify-full&sslrootcert=/etc/ca.pem
  std::string url;
  // The password, read from this file's first line (a mounted secret); "" = none, or
  // libpq's own sources (~/.pgpass, PGPASSWORD).
  std::string password_file;
  int pool_size = 8;
  absl::Duration pool_wait = absl::Seconds(5);
  absl::Duration connect_timeout = absl::Seconds(5);
  // Runs of a write's callback after serialization failures before ABORTED.
  int max_attempts = 10;
  // One write transaction of this process at a time, its writers sharing it (group
  // commit), as SQLite's single writer: the writers of one replica then never fail each
  // other's SERIALIZABLE checks (measured: 32 concurrent creates of one organization,
  // whose ids fill the same index pages, conflicted about 5 times per write and some
  // gave up), and only writers of different replicas can. false lets each writer run
  // alone at once on the pool (for workloads that touch disjoint data).
  bool serialize_writes = true;
  // Most writers one commit carries (at most 60: a savepoint that writes takes a
  // subtransaction id, and more than 64 in one transaction slow every other session's
  // snapshots); 1 commits each writer alone.
  int max_group = 32;
  // Shown in pg_stat_activity.
  std::string application_name = "kpo";
  // Tables live in this schema (lower-case letters, digits, '_'; created if missing);
  // "" = the server's search_path (normally public). One database can so hold several
  // (a service's rebuilt projections beside the ones being served).
  std::string schema;
  // How often a lease (Database::NewLease) is tried by a replica that does not hold
  // it, and checked by the one that does: about the time a standby needs to take over
  // from a holder that died.
  absl::Duration lease_check = absl::Seconds(1);
};

// Opens a pool and checks that one connection works (UNAVAILABLE when it does not).
absl::StatusOr<std::unique_ptr<Database>> OpenPostgres(const PostgresOptions& options);

// `?` placeholders outside literals, quoted identifiers and comments rewritten as
// $1..$n; `count` gets n.
std::string ToPostgresPlaceholders(absl::string_view sql, int* count);

// A migration written for SQLite in the shared subset, with its column types widened to
// what they mean there: INTEGER (64-bit in SQLite) -> BIGINT, REAL (double) -> DOUBLE
// PRECISION, BLOB -> BYTEA. Words inside literals, quoted identifiers and comments, and
// longer words (integer_count), are left alone.
std::string ToPostgresSchema(absl::string_view sql);

}  // namespace kpo::storage
