#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "kpo/core/trace.h"
#include "kpo/storage/database.h"
#include "kpo/storage/postgres.h"
#include "src/migrations.h"
#include "src/writer_queue.h"

namespace kpo::storage {
namespace {

// Type OIDs of the built-in types (pg_type.h is not in libpq's headers).
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26, kFloat4 = 700,
              kFloat8 = 701, kNumeric = 1700;

// Session advisory lock key under which migrations run ("kpomigr" in ASCII).
constexpr int64_t kMigrationLock = 0x6b706f6d696772;
// Held shared by every write transaction, alone by one that conflicted kEscalateAfter
// times ("kpowrit").
constexpr int64_t kWriteLock = 0x6b706f77726974;
constexpr int kEscalateAfter = 2;
// Most writers one group commit carries. Each writer's savepoint that writes takes a
// subtransaction id, and a backend with more than 64 of them makes every other
// session's snapshots slower (the subxid cache overflows).
constexpr int kMaxGroup = 60;

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

bool StartsWith(const char* s, const char* prefix) {
  return s != nullptr && std::string_view(s).substr(0, std::string_view(prefix).size()) == prefix;
}

bool IsConflict(const char* state) {
  return state != nullptr &&
         (std::string_view(state) == "40001" || std::string_view(state) == "40P01");
}

absl::Status PgStatus(PGconn* conn, const PGresult* res, absl::string_view what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg(res != nullptr && *PQresultErrorMessage(res) != '\0' ? PQresultErrorMessage(res)
                                                                       : PQerrorMessage(conn));
  absl::StripTrailingAsciiWhitespace(&msg);
  msg = absl::StrCat(what, ": ", msg);
  if (PQstatus(conn) != CONNECTION_OK) return absl::UnavailableError(msg);
  if (state == nullptr) return absl::InternalError(msg);
  const std::string_view s(state);
  if (s == "23505") return absl::AlreadyExistsError(msg);
  if (IsConflict(state)) return absl::AbortedError(msg);
  if (StartsWith(state, "08") || s == "57P01" || s == "57P02" || s == "57P03" || s == "53300" ||
      s == "55P03") {
    return absl::UnavailableError(msg);
  }
  if (s == "57014") return absl::DeadlineExceededError(msg);
  return absl::InternalError(msg);
}

std::string Short(absl::string_view sql) { return std::string(sql.substr(0, 80)); }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea's text output (hex format, PostgreSQL's default since 9.0): \x0a1b...
Blob DecodeBytea(const char* v, int len) {
  Blob b;
  if (len >= 2 && v[0] == '\\' && v[1] == 'x') {
    b.bytes.reserve((len - 2) / 2);
    for (int i = 2; i + 1 < len; i += 2) {
      b.bytes.push_back(static_cast<char>(HexDigit(v[i]) * 16 + HexDigit(v[i + 1])));
    }
  } else {
    b.bytes.assign(v, len);
  }
  return b;
}

Value Decode(Oid type, const char* v, int len) {
  const absl::string_view text(v, len);
  switch (type) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid: {
      int64_t n = 0;
      if (absl::SimpleAtoi(text, &n)) return n;
      return std::string(text);
    }
    case kNumeric: {
      // SUM over BIGINT is NUMERIC: whole values read as integers, as SQLite's do.
      int64_t n = 0;
      if (text.find_first_of(".eEN") == absl::string_view::npos && absl::SimpleAtoi(text, &n)) {
        return n;
      }
      double d = 0;
      if (absl::SimpleAtod(text, &d)) return d;
      return std::string(text);
    }
    case kFloat4:
    case kFloat8: {
      double d = 0;
      if (absl::SimpleAtod(text, &d)) return d;
      return std::string(text);
    }
    case kBool:
      return int64_t{len > 0 && v[0] == 't' ? 1 : 0};
    case kBytea:
      return DecodeBytea(v, len);
    default:
      return std::string(text);
  }
}

void IgnoreNotice(void*, const char*) {}

// One libpq connection and its prepared statements. Not thread-safe.
class PgConnection final : public Transaction {
 public:
  ~PgConnection() override {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  static absl::StatusOr<std::unique_ptr<PgConnection>> Open(const PostgresOptions& o,
                                                            const std::string& password) {
    auto c = std::unique_ptr<PgConnection>(new PgConnection());
    const std::string timeout =
        std::to_string(std::max<int64_t>(1, absl::ToInt64Seconds(o.connect_timeout)));
    // The URL first, expanded; the keywords after it override what it says.
    std::vector<const char*> keys = {"dbname", "connect_timeout", "application_name",
                                     "client_encoding"};
    std::vector<const char*> values = {o.url.c_str(), timeout.c_str(), o.application_name.c_str(),
                                       "UTF8"};
    if (!password.empty()) {
      keys.push_back("password");
      values.push_back(password.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    c->conn_ = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
    if (c->conn_ == nullptr || PQstatus(c->conn_) != CONNECTION_OK) {
      std::string msg = c->conn_ != nullptr ? PQerrorMessage(c->conn_) : "out of memory";
      absl::StripTrailingAsciiWhitespace(&msg);
      return absl::UnavailableError(absl::StrCat("postgres: cannot connect: ", msg));
    }
    PQsetNoticeProcessor(c->conn_, &IgnoreNotice, nullptr);
    if (!o.schema.empty()) {
      if (absl::Status s = c->Command(absl::StrCat("SET search_path TO ", o.schema)); !s.ok()) {
        return s;
      }
    }
    return c;
  }

  absl::StatusOr<int64_t> Exec(absl::string_view sql, const std::vector<Value>& params) override {
    auto res = Run(sql, params);
    if (!res.ok()) return res.status();
    const char* tuples = PQcmdTuples(res->get());
    int64_t n = 0;
    if (tuples != nullptr && *tuples != '\0') (void)absl::SimpleAtoi(tuples, &n);
    return n;
  }

  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                         const std::vector<Value>& params) override {
    auto res = Run(sql, params);
    if (!res.ok()) return res.status();
    PGresult* r = res->get();
    const int rows = PQntuples(r), cols = PQnfields(r);
    std::vector<Oid> types(cols);
    for (int c = 0; c < cols; ++c) types[c] = PQftype(r, c);
    std::vector<Row> out;
    out.reserve(rows);
    for (int i = 0; i < rows; ++i) {
      std::vector<Value> values;
      values.reserve(cols);
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(r, i, c)) {
          values.emplace_back(Null{});
        } else {
          values.push_back(Decode(types[c], PQgetvalue(r, i, c), PQgetlength(r, i, c)));
        }
      }
      out.emplace_back(std::move(values));
    }
    return out;
  }

  // A command without parameters, or a script of several (simple query protocol).
  absl::Status Command(const std::string& sql) {
    Result res(PQexec(conn_, sql.c_str()), &PQclear);
    const ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      return Note(res.get(), PgStatus(conn_, res.get(), Short(sql)));
    }
    return absl::OkStatus();
  }

  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  bool InTransaction() const {
    const PGTransactionStatusType t = PQtransactionStatus(conn_);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
  }
  bool Failed() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }

  // Forgets the errors of an earlier transaction on this connection.
  void StartAttempt() {
    first_error_ = absl::OkStatus();
    conflict_ = false;
  }
  const absl::Status& first_error() const { return first_error_; }
  // A statement of this transaction hit a serialization failure or deadlock: whatever
  // the callback made of it, the transaction is to be run again.
  bool conflict() const { return conflict_; }
  std::vector<std::function<void()>> TakeHooks() { return TakeCommitHooks(); }

 private:
  // The statements prepared for one SQL text: its rewrite, and a name per signature of
  // parameter types (a NULL's type is left to the server, so it has its own).
  struct Prepared {
    std::string text;
    int count = 0;
    std::vector<std::pair<std::string, std::string>> names;  // signature -> name
  };

  PgConnection() = default;

  absl::Status Note(const PGresult* res, absl::Status s) {
    if (res != nullptr && IsConflict(PQresultErrorField(res, PG_DIAG_SQLSTATE))) conflict_ = true;
    if (first_error_.ok()) first_error_ = s;
    return s;
  }

  absl::StatusOr<Result> Run(absl::string_view sql, const std::vector<Value>& params) {
    auto [it, added] = prepared_.try_emplace(std::string(sql));
    Prepared& p = it->second;
    if (added) p.text = ToPostgresPlaceholders(sql, &p.count);
    if (static_cast<int>(params.size()) != p.count) {
      return absl::InternalError(absl::StrCat("statement expects ", p.count, " parameters, got ",
                                              params.size(), ": ", Short(sql)));
    }
    const size_t n = params.size();
    std::vector<Oid> types(n, 0);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0), formats(n, 0);
    std::vector<std::string> numbers;
    numbers.reserve(n);
    std::string signature(n, 'n');
    for (size_t i = 0; i < n; ++i) {
      const Value& v = params[i];
      if (auto* i64 = std::get_if<int64_t>(&v)) {
        types[i] = kInt8;
        values[i] = numbers.emplace_back(std::to_string(*i64)).c_str();
        signature[i] = 'i';
      } else if (auto* d = std::get_if<double>(&v)) {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), *d);
        types[i] = kFloat8;
        values[i] = numbers.emplace_back(buf, ec == std::errc() ? end : buf).c_str();
        signature[i] = 'd';
      } else if (auto* s = std::get_if<std::string>(&v)) {
        // Text of no declared type: the server takes the column's or operator's, as
        // SQLite's affinity would (a text "42" compared with an integer column).
        values[i] = s->c_str();
        lengths[i] = static_cast<int>(s->size());
        signature[i] = 's';
      } else if (auto* b = std::get_if<Blob>(&v)) {
        types[i] = kBytea;
        values[i] = b->bytes.data();
        lengths[i] = static_cast<int>(b->bytes.size());
        formats[i] = 1;  // binary: the bytes as they are
        signature[i] = 'b';
      }
    }
    const std::string* name = nullptr;
    for (const auto& [sig, nm] : p.names) {
      if (sig == signature) name = &nm;
    }
    if (name == nullptr) {
      std::string nm = absl::StrCat("k", next_statement_++);
      Result prep(PQprepare(conn_, nm.c_str(), p.text.c_str(), static_cast<int>(n), types.data()),
                  &PQclear);
      if (!prep || PQresultStatus(prep.get()) != PGRES_COMMAND_OK) {
        return Note(prep.get(), PgStatus(conn_, prep.get(), absl::StrCat("prepare ", Short(sql))));
      }
      name = &p.names.emplace_back(std::move(signature), std::move(nm)).second;
    }
    Result res(PQexecPrepared(conn_, name->c_str(), static_cast<int>(n), values.data(),
                              lengths.data(), formats.data(), /*resultFormat=*/0),
               &PQclear);
    const ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      return Note(res.get(), PgStatus(conn_, res.get(), Short(sql)));
    }
    return res;
  }

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, Prepared> prepared_;
  int64_t next_statement_ = 0;
  absl::Status first_error_;
  bool conflict_ = false;
};

// The key of lease `name` in PostgreSQL's advisory lock space (FNV-1a, 64 bits).
int64_t LeaseKey(absl::string_view name) {
  uint64_t h = 14695981039346656037ull;
  for (char c : absl::StrCat("kpo.lease:", name)) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

// A session advisory lock held on a connection outside the pool, for as long as that
// connection lives.
class PgLease final : public Lease {
 public:
  PgLease(const PostgresOptions& options, std::string password, absl::string_view name)
      : options_(options), password_(std::move(password)), key_(LeaseKey(name)) {}

  bool Held() override {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    if (now < next_check_) return held_;
    next_check_ = now + options_.lease_check;
    if (held_) {
      if (conn_->Command("SELECT 1").ok()) return true;
      // The session, and the lock with it, is gone: another replica may hold it now.
      held_ = false;
      conn_.reset();
    }
    if (conn_ == nullptr) {
      auto c = PgConnection::Open(options_, password_);
      if (!c.ok()) return false;
      conn_ = *std::move(c);
    }
    auto rows = conn_->Query("SELECT pg_try_advisory_lock(?)", {key_});
    if (!rows.ok() || rows->empty()) {
      conn_.reset();
      return false;
    }
    held_ = rows->front().Int(0) == 1;
    return held_;
  }

 private:
  const PostgresOptions options_;
  const std::string password_;
  const int64_t key_;
  absl::Mutex mu_;
  std::unique_ptr<PgConnection> conn_ ABSL_GUARDED_BY(mu_);
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time next_check_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

class PostgresDatabase final : public Database {
 public:
  static absl::StatusOr<std::unique_ptr<Database>> Open(const PostgresOptions& options) {
    auto db = std::unique_ptr<PostgresDatabase>(new PostgresDatabase(options));
    if (!options.password_file.empty()) {
      std::ifstream in(options.password_file);
      if (!in) {
        return absl::FailedPreconditionError(
            absl::StrCat("postgres: cannot read the password file ", options.password_file));
      }
      std::getline(in, db->password_);
      absl::StripTrailingAsciiWhitespace(&db->password_);
    }
    for (char ch : options.schema) {
      if (!(absl::ascii_islower(ch) || absl::ascii_isdigit(ch) || ch == '_')) {
        return absl::InvalidArgumentError(absl::StrCat(
            "postgres: schema '", options.schema, "' must be lower-case letters, digits and '_'"));
      }
    }
    // Fail at start, not at the first request, when the database cannot be reached.
    auto lease = db->Acquire();
    if (!lease.ok()) return lease.status();
    if (!options.schema.empty()) {
      // Under the migration lock: replicas starting at once would race to create it.
      absl::Status s = (*lease)->Command(absl::StrCat(
          "SELECT pg_advisory_lock(", kMigrationLock, "); CREATE SCHEMA IF NOT EXISTS ",
          options.schema, "; SELECT pg_advisory_unlock(", kMigrationLock, ")"));
      if (!s.ok()) return s;
    }
    db->Release(*std::move(lease));
    return std::unique_ptr<Database>(std::move(db));
  }

  ~PostgresDatabase() override = default;

  absl::Status Migrate(absl::string_view component,
                       const std::vector<Migration>& migrations) override {
    auto known = internal::KnownVersion(component, migrations);
    if (!known.ok()) return known.status();
    auto lease = Acquire();
    if (!lease.ok()) return lease.status();
    PgConnection& c = **lease;
    // Replicas starting together queue here; each then finds what the first applied.
    absl::Status s = c.Command(absl::StrCat("SELECT pg_advisory_lock(", kMigrationLock, ")"));
    if (s.ok()) {
      s = MigrateLocked(c, component, migrations, *known);
      absl::Status unlock =
          c.Command(absl::StrCat("SELECT pg_advisory_unlock(", kMigrationLock, ")"));
      if (s.ok()) s = unlock;
    }
    Release(*std::move(lease));
    return s;
  }

  // Group commit, as SQLite's driver does it (decision 0009): writers of this process
  // queue; the first leads, takes a connection and runs, in one SERIALIZABLE transaction,
  // its own callback and those of the writers queued behind it or arriving meanwhile (up
  // to max_group), each in a savepoint so that one failure undoes only its own changes;
  // then one COMMIT, and each writer is told its own outcome. The writers of one group
  // cannot fail each other's serializable checks (they run one after another in one
  // transaction); a conflict with another replica's writers rolls the whole group back
  // and runs every callback of it again.
  absl::Status Write(absl::FunctionRef<absl::Status(Transaction&)> fn) override {
    Writer me(fn);
    if (!options_.serialize_writes) {
      // Each writer on its own connection, at once: a group of one that takes nobody.
      std::vector<Writer*> group = {&me};
      RunGroup(group, /*take_queued=*/false);
    } else {
      queue_.Enter(me);
      if (!me.done) Lead();
    }
    return me.Complete();
  }

  absl::Status Read(absl::FunctionRef<absl::Status(Transaction&)> fn) override {
    for (int attempt = 1;; ++attempt) {
      auto lease = Acquire();
      if (!lease.ok()) return lease.status();
      PgConnection& c = **lease;
      c.StartAttempt();
      absl::Status s = c.Command("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      if (s.ok()) {
        s = fn(c);
        if (c.InTransaction()) (void)c.Command(c.Failed() ? "ROLLBACK" : "COMMIT");
      }
      (void)c.TakeHooks();
      const bool lost = !c.healthy();
      Release(*std::move(lease));
      // A connection the server dropped (a restart, a failover) is replaced once: a read
      // changes nothing, so running it again is safe.
      if (s.ok() || !lost || attempt >= 2) return s;
    }
  }

  absl::Status Ping() override {
    return Read([](Transaction& tx) { return tx.Query("SELECT 1").status(); });
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  std::unique_ptr<Lease> NewLease(absl::string_view name) override {
    return std::make_unique<PgLease>(options_, password_, name);
  }

  WriteStats write_stats() const override {
    absl::MutexLock lock(&stats_mu_);
    return stats_;
  }

 private:
  using Writer = internal::QueuedWriter;

  // What one callback's run left of the group's transaction.
  enum class Outcome {
    kKept,      // its changes stay in the transaction
    kUndone,    // it failed; its changes are gone, the others' remain
    kConflict,  // a serialization failure or deadlock: the whole group runs again
    kLost,      // the connection broke before COMMIT: nothing was written
    kBroken,    // the transaction can no longer commit (the callback ended it)
  };
  // How one attempt at a group's transaction ended.
  enum class End {
    kDone,    // every writer's result is set
    kRetry,   // nothing was written, and running the group again may succeed
    kFailed,  // nothing was written, for a reason every writer is told
  };

  explicit PostgresDatabase(const PostgresOptions& o)
      : options_(o),
        max_attempts_(std::max(1, o.max_attempts)),
        max_group_(std::clamp(o.max_group, 1, kMaxGroup)) {}

  absl::StatusOr<std::unique_ptr<PgConnection>> Acquire() {
    {
      absl::MutexLock lock(&pool_mu_);
      auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(pool_mu_) {
        return !free_.empty() || open_ < std::max(1, options_.pool_size);
      };
      if (!pool_mu_.AwaitWithTimeout(absl::Condition(&available), options_.pool_wait)) {
        return absl::UnavailableError(absl::StrCat("postgres: all ", options_.pool_size,
                                                   " connections stayed busy for ",
                                                   absl::FormatDuration(options_.pool_wait)));
      }
      if (!free_.empty()) {
        std::unique_ptr<PgConnection> c = std::move(free_.back());
        free_.pop_back();
        return c;
      }
      ++open_;  // a slot for the connection opened below, outside the lock
    }
    auto c = PgConnection::Open(options_, password_);
    if (!c.ok()) {
      absl::MutexLock lock(&pool_mu_);
      --open_;
    }
    return c;
  }

  // Back to the pool if it can serve the next caller as it is; closed otherwise.
  void Release(std::unique_ptr<PgConnection> c) {
    const bool keep = c->healthy() && !c->InTransaction();
    if (!keep) c.reset();
    absl::MutexLock lock(&pool_mu_);
    if (keep) {
      free_.push_back(std::move(c));
    } else {
      --open_;
    }
  }

  // The leader's turn: a group from the queue, its outcome, the next leader.
  void Lead() {
    std::vector<Writer*> group;
    RunGroup(group, /*take_queued=*/true);
    queue_.Finish(group);
  }

  // Runs `group` (and, when `take_queued`, writers taken from the queue as it goes) in
  // one transaction, again after a conflict, and sets each writer's result.
  void RunGroup(std::vector<Writer*>& group, bool take_queued) {
    int conflicts = 0;
    for (int attempt = 1;; ++attempt) {
      // Only the first attempt takes writers from the queue; a retry runs those it has.
      const bool taking = take_queued && (attempt == 1 || group.empty());
      absl::Status why;
      bool conflict = false;
      End end = End::kFailed;
      if (auto lease = Acquire(); !lease.ok()) {
        why = lease.status();
      } else {
        end = RunAttempt(**lease, group, taking, conflicts >= kEscalateAfter, why, conflict);
        Release(*std::move(lease));
      }
      if (end == End::kDone) return;
      if (end == End::kRetry) {
        if (conflict) {
          ++conflicts;
          absl::MutexLock lock(&stats_mu_);
          stats_.conflicts += 1;
        }
        if (attempt < max_attempts_) {
          Backoff(attempt);
          continue;
        }
        if (conflict) {
          why = absl::AbortedError(absl::StrCat("gave up after ", attempt,
                                                " conflicting attempts; retry: ", why.message()));
        }
      }
      if (take_queued && group.empty()) {
        // The group could not start: the writers queued now are told why at once, rather
        // than each waiting out the same unreachable server in turn.
        while (static_cast<int>(group.size()) < max_group_) {
          Writer* w = queue_.Take();
          if (w == nullptr) break;
          group.push_back(w);
        }
      }
      for (Writer* w : group) {
        w->result = why;
        w->hooks.clear();
      }
      return;
    }
  }

  // One attempt at the group's transaction on `c`: kDone when it ended with each
  // writer's result set (committed, or failed each for its own reason); otherwise
  // nothing was written and `why` says why (`conflict` if a serialization failure).
  End RunAttempt(PgConnection& c, std::vector<Writer*>& group, bool taking, bool alone_lock,
                 absl::Status& why, bool& conflict) {
    const absl::Time started = absl::Now();
    // Every group holds the write lock shared; one that lost kEscalateAfter conflicts
    // takes it alone: it waits for the writers of every replica under way, keeps new
    // ones out, and its snapshot, taken after, overlaps no other writer's — so it cannot
    // lose again, however hot the data (progress, not only retries). Two statements,
    // lock then BEGIN: in one, the lock would join the transaction and its snapshot
    // would be taken before the lock was granted.
    const std::string unlock = absl::StrCat(
        alone_lock ? "SELECT pg_advisory_unlock(" : "SELECT pg_advisory_unlock_shared(", kWriteLock,
        ")");
    c.StartAttempt();
    why = c.Command(
        absl::StrCat(alone_lock ? "SELECT pg_advisory_lock(" : "SELECT pg_advisory_lock_shared(",
                     kWriteLock, ")"));
    if (why.ok()) why = c.Command("BEGIN ISOLATION LEVEL SERIALIZABLE");
    if (!why.ok()) {
      if (!c.healthy()) return End::kRetry;  // a pooled connection the server had dropped
      (void)c.Command(unlock);
      return End::kFailed;
    }
    // A writer alone needs no savepoint: if it fails, the whole transaction goes, and
    // writers that queue meanwhile wait for the next group.
    bool lone = false;
    bool savepoint = false;  // one is open
    size_t kept = 0;
    size_t breaker = group.size();
    Outcome broke = Outcome::kKept;
    for (size_t i = 0;; ++i) {
      if (i == group.size()) {
        if (!taking || lone || static_cast<int>(group.size()) >= max_group_) break;
        bool last = false;
        Writer* next = queue_.Take(&last);
        if (next == nullptr) break;
        group.push_back(next);
        if (i == 0) lone = last;
      } else if (i == 0) {
        lone = group.size() == 1 && !taking;
      }
      Writer& w = *group[i];
      w.own = absl::OkStatus();
      w.hooks.clear();
      Outcome o;
      if (!lone) {
        // RELEASE and SAVEPOINT in one round trip: savepoints stay one level deep.
        w.own = c.Command(savepoint ? "RELEASE SAVEPOINT kpo_writer; SAVEPOINT kpo_writer"
                                    : "SAVEPOINT kpo_writer");
        savepoint = true;
      }
      if (!w.own.ok()) {
        o = !c.healthy() ? Outcome::kLost : c.conflict() ? Outcome::kConflict : Outcome::kBroken;
      } else {
        o = RunOne(c, w, lone);
      }
      if (o == Outcome::kKept) ++kept;
      if (o == Outcome::kKept || o == Outcome::kUndone) continue;
      broke = o;
      breaker = i;
      why = w.own;
      break;
    }
    absl::Duration committing;
    bool committed = false;
    End end = End::kDone;
    if (broke == Outcome::kConflict || broke == Outcome::kLost) {
      conflict = broke == Outcome::kConflict;
      end = End::kRetry;
    } else if (broke == Outcome::kBroken) {
      for (size_t i = 0; i < group.size(); ++i) {
        group[i]->result = i == breaker
                               ? group[i]->own
                               : absl::AbortedError(
                                     "another writer sharing this commit ended the transaction; "
                                     "nothing was written, retry");
      }
    } else if (kept == 0) {
      for (Writer* w : group) w->result = w->own;  // nothing to keep: no commit to wait for
    } else {
      // COMMIT and the unlock in one round trip; a failed COMMIT stops the script there.
      const absl::Time commit_started = absl::Now();
      const absl::Status commit = c.Command(absl::StrCat("COMMIT; ", unlock));
      committing = absl::Now() - commit_started;
      if (commit.ok()) {
        for (Writer* w : group) w->result = w->own;
      } else if (c.conflict()) {
        // A serialization failure found at commit: nothing was written, run it again.
        why = commit;
        conflict = true;
        end = End::kRetry;
      } else {
        // A connection lost during COMMIT leaves the outcome unknown, and the callers are
        // told so (UNAVAILABLE).
        for (Writer* w : group) w->result = w->own.ok() ? commit : w->own;
      }
      committed = commit.ok();
    }
    if (!committed && c.healthy()) {
      if (c.InTransaction()) (void)c.Command("ROLLBACK");
      (void)c.Command(unlock);
    }
    for (Writer* w : group) {
      if (end != End::kDone || !w->result.ok()) w->hooks.clear();
    }
    absl::MutexLock stats_lock(&stats_mu_);
    stats_.busy_us += absl::ToInt64Microseconds(absl::Now() - started);
    stats_.commit_us += absl::ToInt64Microseconds(committing);
    if (committed) {
      stats_.commits += 1;
      for (Writer* w : group) stats_.writes += w->result.ok() ? 1 : 0;
    }
    return end;
  }

  // Runs one writer's callback in the open transaction (in the savepoint just taken,
  // unless `lone`).
  Outcome RunOne(PgConnection& c, Writer& w, bool lone) {
    c.StartAttempt();
    absl::Status s;
    {
      kpo::core::ScopedTrace scoped(w.trace);
      try {
        s = w.fn(c);
      } catch (const std::exception& e) {
        s = absl::InternalError(absl::StrCat("the write callback threw: ", e.what()));
      } catch (...) {
        s = absl::InternalError("the write callback threw");
      }
    }
    std::vector<std::function<void()>> hooks = c.TakeHooks();
    if (!c.healthy()) {
      w.own = s.ok() ? c.first_error() : s;
      if (w.own.ok()) w.own = absl::UnavailableError("postgres: connection lost");
      return Outcome::kLost;
    }
    if (c.conflict()) {
      w.own = c.first_error();
      return Outcome::kConflict;
    }
    if (!c.InTransaction()) {
      w.own = s.ok() ? absl::InternalError("the write callback ended the transaction itself") : s;
      return Outcome::kBroken;
    }
    if (!s.ok() || c.Failed()) {
      // A callback that carried on past a failed statement is told that statement's
      // error: PostgreSQL rolled its work back at it.
      w.own = !s.ok() ? s : c.first_error();
      if (lone) return Outcome::kUndone;
      if (absl::Status undo = c.Command("ROLLBACK TO SAVEPOINT kpo_writer"); !undo.ok()) {
        return !c.healthy() ? Outcome::kLost : Outcome::kBroken;
      }
      return Outcome::kUndone;
    }
    w.own = absl::OkStatus();
    w.hooks = std::move(hooks);
    return Outcome::kKept;
  }

  absl::Status MigrateLocked(PgConnection& c, absl::string_view component,
                             const std::vector<Migration>& migrations, int64_t known) {
    absl::Status s = c.Command(
        "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, "
        "version BIGINT NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL, "
        "PRIMARY KEY (component, version))");
    if (!s.ok()) return s;
    auto rows =
        c.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?",
                {std::string(component)});
    if (!rows.ok()) return rows.status();
    const int64_t current = rows->at(0).Int(0);
    if (absl::Status newer = internal::RefuseNewer(component, current, known); !newer.ok()) {
      return newer;
    }
    for (const Migration& m : migrations) {
      if (m.version <= current) continue;
      const std::string script = m.postgres_sql.empty() ? ToPostgresSchema(m.sql) : m.postgres_sql;
      s = c.Command("BEGIN");
      if (s.ok()) s = c.Command(script);
      if (s.ok()) {
        s = c.Exec(
                 "INSERT INTO schema_migrations (component, version, name, applied_at) "
                 "VALUES (?, ?, ?, ?)",
                 {std::string(component), static_cast<int64_t>(m.version), m.name,
                  absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())})
                .status();
      }
      if (s.ok()) s = c.Command("COMMIT");
      if (!s.ok()) {
        if (c.InTransaction()) (void)c.Command("ROLLBACK");
        return absl::InternalError(absl::StrCat("migration ", component, " ", m.version, " (",
                                                m.name, ") failed: ", s.message()));
      }
    }
    return absl::OkStatus();
  }

  // Conflicting writers retry after a random pause that grows with the attempt, so
  // that the same two do not collide again in lockstep.
  static void Backoff(int attempt) {
    thread_local std::minstd_rand rng(
        static_cast<unsigned>(std::hash<std::thread::id>()(std::this_thread::get_id())) ^
        static_cast<unsigned>(absl::ToUnixNanos(absl::Now())));
    const int64_t ceiling_us = int64_t{200} << std::min(attempt, 7);
    absl::SleepFor(absl::Microseconds(std::uniform_int_distribution<int64_t>(0, ceiling_us)(rng)));
  }

  const PostgresOptions options_;
  const int max_attempts_;
  std::string password_;

  // Writers waiting for a leader (serialize_writes).
  internal::WriterQueue queue_;
  const int max_group_;
  absl::Mutex pool_mu_;
  std::vector<std::unique_ptr<PgConnection>> free_ ABSL_GUARDED_BY(pool_mu_);
  int open_ ABSL_GUARDED_BY(pool_mu_) = 0;  // connections in use or free

  mutable absl::Mutex stats_mu_;
  WriteStats stats_ ABSL_GUARDED_BY(stats_mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<Database>> OpenPostgres(const PostgresOptions& options) {
  if (options.url.empty()) return absl::InvalidArgumentError("postgres: url is empty");
  return PostgresDatabase::Open(options);
}

}  // namespace kpo::storage
