#include <sqlite3.h>

#include <exception>
#include <thread>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "kpo/core/trace.h"
#include "kpo/storage/database.h"
#include "src/migrations.h"
#include "src/writer_queue.h"

namespace kpo::storage {

int64_t Row::Int(size_t i) const {
  const Value& v = values_.at(i);
  if (auto* p = std::get_if<int64_t>(&v)) return *p;
  if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  return 0;
}

double Row::Real(size_t i) const {
  const Value& v = values_.at(i);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  return 0;
}

std::string Row::Text(size_t i) const {
  const Value& v = values_.at(i);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* b = std::get_if<Blob>(&v)) return b->bytes;
  if (auto* p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  return "";
}

namespace {

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  const int primary = rc & 0xFF;
  std::string msg = absl::StrCat(what, ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return absl::AlreadyExistsError(msg);
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

// One SQLite connection and its prepared-statement cache. Not thread-safe.
class Connection final : public Transaction {
 public:
  ~Connection() override {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }

  static absl::StatusOr<std::unique_ptr<Connection>> Open(const SqliteOptions& o, bool read_only) {
    auto c = std::unique_ptr<Connection>(new Connection());
    const int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
        SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(o.path.c_str(), &c->db_, flags, nullptr);
    if (rc != SQLITE_OK) return SqliteError(c->db_, rc, absl::StrCat("open ", o.path));
    sqlite3_extended_result_codes(c->db_, 1);
    sqlite3_busy_timeout(c->db_, static_cast<int>(absl::ToInt64Milliseconds(o.busy_timeout)));
    // temp_store=MEMORY keeps savepoint and statement journals in memory: on disk each
    // writer's savepoint of a shared commit would create and delete a temp file.
    std::vector<std::string> pragmas = {
        "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY",
        absl::StrCat("PRAGMA cache_size=-", int64_t{o.cache_mib} * 1024),
        absl::StrCat("PRAGMA mmap_size=", int64_t{o.mmap_mib} * 1024 * 1024)};
    if (!read_only) {
      pragmas.push_back("PRAGMA journal_mode=WAL");
      // A log restarted from its beginning is cut back to this size.
      pragmas.push_back("PRAGMA journal_size_limit=67108864");
      pragmas.push_back(o.synchronous_full ? "PRAGMA synchronous=FULL"
                                           : "PRAGMA synchronous=NORMAL");
    }
    for (const auto& p : pragmas) {
      rc = sqlite3_exec(c->db_, p.c_str(), nullptr, nullptr, nullptr);
      if (rc != SQLITE_OK) return SqliteError(c->db_, rc, p);
    }
    return c;
  }

  absl::StatusOr<int64_t> Exec(absl::string_view sql, const std::vector<Value>& params) override {
    auto stmt = Prepare(sql, params);
    if (!stmt.ok()) return stmt.status();
    int rc;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
    }
    sqlite3_reset(*stmt);
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, Short(sql));
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  absl::StatusOr<std::vector<Row>> Query(absl::string_view sql,
                                         const std::vector<Value>& params) override {
    auto stmt = Prepare(sql, params);
    if (!stmt.ok()) return stmt.status();
    std::vector<Row> rows;
    int rc;
    while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
      const int n = sqlite3_column_count(*stmt);
      std::vector<Value> values;
      values.reserve(n);
      for (int i = 0; i < n; ++i) {
        switch (sqlite3_column_type(*stmt, i)) {
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(*stmt, i)));
            break;
          case SQLITE_FLOAT:
            values.emplace_back(sqlite3_column_double(*stmt, i));
            break;
          case SQLITE_TEXT:
            values.emplace_back(
                std::string(reinterpret_cast<const char*>(sqlite3_column_text(*stmt, i)),
                            sqlite3_column_bytes(*stmt, i)));
            break;
          case SQLITE_BLOB: {
            const void* p = sqlite3_column_blob(*stmt, i);
            values.emplace_back(
                Blob{std::string(static_cast<const char*>(p), sqlite3_column_bytes(*stmt, i))});
            break;
          }
          default:
            values.emplace_back(Null{});
        }
      }
      rows.emplace_back(std::move(values));
    }
    sqlite3_reset(*stmt);
    if (rc != SQLITE_DONE) return SqliteError(db_, rc, Short(sql));
    return rows;
  }

  std::vector<std::function<void()>> TakeHooks() { return TakeCommitHooks(); }
  sqlite3* handle() const { return db_; }

  // False once SQLite has ended the transaction on its own (some I/O, memory and
  // full-disk errors roll it back whole) or a callback ran a bare ROLLBACK/COMMIT.
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

  absl::Status Raw(const char* sql) {
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, sql);
    return absl::OkStatus();
  }

  absl::Status Script(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return absl::InternalError(msg);
    }
    return absl::OkStatus();
  }

 private:
  Connection() = default;

  static std::string Short(absl::string_view sql) { return std::string(sql.substr(0, 80)); }

  absl::StatusOr<sqlite3_stmt*> Prepare(absl::string_view sql, const std::vector<Value>& params) {
    std::string key(sql);
    sqlite3_stmt* stmt = nullptr;
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                                  SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return SqliteError(db_, rc, absl::StrCat("prepare ", Short(sql)));
      cache_.emplace(std::move(key), stmt);
    }
    sqlite3_clear_bindings(stmt);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return absl::InternalError(
          absl::StrCat("statement expects ", sqlite3_bind_parameter_count(stmt),
                       " parameters, got ", params.size(), ": ", Short(sql)));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i) + 1;
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<Null>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else if (auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      } else if (auto* b = std::get_if<Blob>(&v)) {
        rc = sqlite3_bind_blob(stmt, idx, b->bytes.data(), static_cast<int>(b->bytes.size()),
                               SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "bind");
    }
    return stmt;
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

class SqliteDatabase final : public Database {
 public:
  static absl::StatusOr<std::unique_ptr<Database>> Open(const SqliteOptions& options) {
    auto db = std::unique_ptr<SqliteDatabase>(new SqliteDatabase());
    auto writer = Connection::Open(options, /*read_only=*/false);
    if (!writer.ok()) return writer.status();
    db->writer_ = *std::move(writer);
    db->max_group_ = std::max(1, options.max_group);
    if (options.checkpoint_pages > 0) {
      // Checkpoints move off the commit path: SQLite's automatic one runs inside the
      // COMMIT that crosses the threshold (a latency spike for every writer of that
      // group); here a thread with its own connection copies the WAL back meanwhile.
      auto checkpointer = Connection::Open(options, /*read_only=*/false);
      if (!checkpointer.ok()) return checkpointer.status();
      db->checkpointer_ = *std::move(checkpointer);
      db->checkpoint_pages_ = options.checkpoint_pages;
      sqlite3_wal_hook(db->writer_->handle(), &SqliteDatabase::OnWalCommit, db.get());
      db->checkpoint_thread_ = std::thread([raw = db.get()] { raw->CheckpointLoop(); });
    }
    for (int i = 0; i < std::max(1, options.read_connections); ++i) {
      auto reader = Connection::Open(options, /*read_only=*/true);
      if (!reader.ok()) return reader.status();
      db->readers_.push_back(*std::move(reader));
      db->free_readers_.push_back(db->readers_.back().get());
    }
    return std::unique_ptr<Database>(std::move(db));
  }

  absl::Status Migrate(absl::string_view component,
                       const std::vector<Migration>& migrations) override {
    absl::Status s = Write([](Transaction& tx) {
      return tx
          .Exec(
              "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, "
              "version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL, "
              "PRIMARY KEY (component, version))")
          .status();
    });
    if (!s.ok()) return s;
    int64_t current = 0;
    s = Read([&](Transaction& tx) {
      auto rows =
          tx.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = ?",
                   {std::string(component)});
      if (!rows.ok()) return rows.status();
      current = rows->at(0).Int(0);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    auto known = internal::KnownVersion(component, migrations);
    if (!known.ok()) return known.status();
    if (absl::Status newer = internal::RefuseNewer(component, current, *known); !newer.ok()) {
      return newer;
    }
    for (const Migration& m : migrations) {
      if (m.version <= current) continue;
      // A migration is a script, not a callback: it takes the connection alone, between
      // groups.
      queue_.LeadAlone();  // the writer connection, with no group under way
      absl::Status st = writer_->Raw("BEGIN IMMEDIATE");
      if (st.ok()) {
        st = writer_->Script(m.sql);
        if (st.ok()) {
          st = writer_
                   ->Exec(
                       "INSERT INTO schema_migrations (component, version, name, applied_at) "
                       "VALUES (?, ?, ?, ?)",
                       {std::string(component), static_cast<int64_t>(m.version), m.name,
                        absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())})
                   .status();
        }
        if (st.ok()) st = writer_->Raw("COMMIT");
        if (!st.ok()) {
          if (writer_->InTransaction()) (void)writer_->Raw("ROLLBACK");
          st = absl::InternalError(absl::StrCat("migration ", component, " ", m.version, " (",
                                                m.name, ") failed: ", st.message()));
        }
      }
      queue_.Finish({});
      if (!st.ok()) return st;
    }
    return absl::OkStatus();
  }

  // Group commit, after LevelDB's writer queue (DBImpl::Write): writers queue up; the
  // first becomes the leader and runs, on its own thread, the callbacks of the writers
  // queued behind it — each in a savepoint, so that one failure undoes only its own
  // changes — then commits all of them with one sync and tells each its own outcome.
  // Writers that arrive meanwhile join the open transaction until the group has
  // max_group writers; the next one waiting then leads the next group. The leader runs
  // the others' callbacks itself because handing the connection from thread to thread
  // cost a context switch per writer while the connection sat idle. A lone writer
  // commits at once, so nobody waits for company that is not there.
  absl::Status Write(absl::FunctionRef<absl::Status(Transaction&)> fn) override {
    Writer me(fn);
    queue_.Enter(me);
    if (!me.done) Lead();
    return me.Complete();
  }

  absl::Status Read(absl::FunctionRef<absl::Status(Transaction&)> fn) override {
    Connection* c = nullptr;
    {
      absl::MutexLock lock(&read_mu_);
      read_mu_.Await(absl::Condition(
          +[](std::vector<Connection*>* free) { return !free->empty(); }, &free_readers_));
      c = free_readers_.back();
      free_readers_.pop_back();
    }
    absl::Status s = c->Raw("BEGIN");
    if (s.ok()) {
      s = fn(*c);
      (void)c->Raw("COMMIT");
    }
    (void)c->TakeHooks();
    absl::MutexLock lock(&read_mu_);
    free_readers_.push_back(c);
    return s;
  }

  absl::Status Ping() override {
    return Read([](Transaction& tx) { return tx.Query("SELECT 1").status(); });
  }

  WriteStats write_stats() const override {
    absl::MutexLock lock(&stats_mu_);
    return stats_;
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  // One process owns a SQLite database: its lease is always held.
  std::unique_ptr<Lease> NewLease(absl::string_view) override {
    struct Always final : Lease {
      bool Held() override { return true; }
    };
    return std::make_unique<Always>();
  }

  ~SqliteDatabase() override {
    if (checkpoint_thread_.joinable()) {
      {
        absl::MutexLock lock(&checkpoint_mu_);
        checkpoint_stop_ = true;
      }
      checkpoint_thread_.join();
    }
  }

 private:
  using Writer = internal::QueuedWriter;

  SqliteDatabase() = default;

  // Runs one writer's callback in the open transaction (in a savepoint when `alone` is
  // false). Returns false if the shared transaction can no longer commit.
  bool RunOne(Writer& w, bool alone) {
    if (!alone) {
      if (absl::Status s = writer_->Exec("SAVEPOINT kpo_writer", {}).status(); !s.ok()) {
        w.own = s;
        return false;
      }
    }
    absl::Status s;
    {
      kpo::core::ScopedTrace scoped(w.trace);
      try {
        s = w.fn(*writer_);
      } catch (const std::exception& e) {
        s = absl::InternalError(absl::StrCat("the write callback threw: ", e.what()));
      } catch (...) {
        s = absl::InternalError("the write callback threw");
      }
    }
    std::vector<std::function<void()>> hooks = writer_->TakeHooks();
    w.own = s;
    if (!writer_->InTransaction()) {
      // The shared transaction is gone, and with it the changes of the writers before.
      if (s.ok()) w.own = absl::InternalError("the write callback ended the transaction itself");
      return false;
    }
    if (!s.ok()) {
      if (alone) return true;  // the group's end rolls it back
      absl::Status undo = writer_->Exec("ROLLBACK TO kpo_writer", {}).status();
      if (undo.ok()) undo = writer_->Exec("RELEASE kpo_writer", {}).status();
      return undo.ok();
    }
    if (!alone) {
      if (absl::Status r = writer_->Exec("RELEASE kpo_writer", {}).status(); !r.ok()) {
        w.own = r;
        return false;
      }
    }
    w.hooks = std::move(hooks);
    return true;
  }

  // The leader's work: one transaction for the writers queued now and those arriving
  // while it runs (up to max_group), one commit, each writer's outcome, the next leader.
  // A log restart waiting for the write lock goes first (bounded: a restart that cannot
  // finish, a reader holding an old snapshot, must not stop writes).
  void YieldToRestart() {
    absl::MutexLock lock(&checkpoint_mu_);
    checkpoint_mu_.AwaitWithTimeout(absl::Condition(
                                        +[](SqliteDatabase* d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                                             d->checkpoint_mu_) { return !d->restart_pending_; },
                                        this),
                                    absl::Seconds(1));
  }

  void Lead() {
    YieldToRestart();
    std::vector<Writer*> group;
    const absl::Time started = absl::Now();
    absl::Duration committing;
    absl::Status begin = writer_->Raw("BEGIN IMMEDIATE");
    bool broken = !begin.ok();
    Writer* breaker = nullptr;
    while (begin.ok() && !broken && static_cast<int>(group.size()) < max_group_) {
      bool last = false;
      Writer* w = queue_.Take(&last);
      if (w == nullptr) break;
      // A writer alone needs no savepoint: if it fails, the whole transaction goes.
      const bool alone = group.empty() && last;
      group.push_back(w);
      if (alone) {
        if (!RunOne(*w, /*alone=*/true)) {
          broken = true;
          breaker = w;
        } else if (!w->own.ok()) {
          // Its failure is the transaction's: end it now, nobody else is in it.
          (void)writer_->Raw("ROLLBACK");
          break;
        }
        // Writers that queued while it ran wait for the next group: the lone writer's
        // changes are not in a savepoint.
        break;
      }
      if (!RunOne(*w, /*alone=*/false)) {
        broken = true;
        breaker = w;
      }
    }
    absl::Status commit;
    bool any_written = false;
    for (Writer* w : group) any_written = any_written || w->own.ok();
    if (!begin.ok()) {
      commit = begin;
    } else if (broken) {
      if (writer_->InTransaction()) (void)writer_->Raw("ROLLBACK");
      commit = absl::AbortedError(
          "another writer sharing this commit failed and ended the transaction; nothing was "
          "written, retry");
    } else if (writer_->InTransaction()) {
      if (any_written) {
        const absl::Time commit_started = absl::Now();
        commit = writer_->Raw("COMMIT");
        committing = absl::Now() - commit_started;
        if (!commit.ok() && writer_->InTransaction()) (void)writer_->Raw("ROLLBACK");
      } else {
        (void)writer_->Raw("ROLLBACK");  // nothing to keep: no sync needed
      }
    }
    const absl::Duration busy = absl::Now() - started;
    if (group.empty() && !begin.ok()) {
      // BEGIN failed before anyone was taken: the first queued writer (the leader) is
      // told why.
      Writer* w = queue_.Take();
      w->own = begin;
      group.push_back(w);
    }
    for (Writer* w : group) {
      if (w == breaker || !w->own.ok()) {
        w->result = w->own;
      } else {
        w->result = commit;
      }
      if (!w->result.ok()) w->hooks.clear();
    }
    {
      absl::MutexLock lock(&stats_mu_);
      stats_.busy_us += absl::ToInt64Microseconds(busy);
      stats_.commit_us += absl::ToInt64Microseconds(committing);
      if (commit.ok() && any_written) {
        stats_.commits += 1;
        for (Writer* w : group) stats_.writes += w->own.ok() ? 1 : 0;
      }
    }
    queue_.Finish(group);
  }

  // The writer connection's WAL hook, after each commit: `pages` frames in the WAL.
  static int OnWalCommit(void* self, sqlite3*, const char*, int pages) {
    auto* db = static_cast<SqliteDatabase*>(self);
    if (pages >= db->checkpoint_pages_) {
      absl::MutexLock lock(&db->checkpoint_mu_);
      db->checkpoint_wanted_ = true;
    }
    return SQLITE_OK;
  }

  void CheckpointLoop() {
    while (true) {
      {
        absl::MutexLock lock(&checkpoint_mu_);
        checkpoint_mu_.Await(absl::Condition(
            +[](SqliteDatabase* d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(d->checkpoint_mu_) {
              return d->checkpoint_wanted_ || d->checkpoint_stop_;
            },
            this));
        if (checkpoint_stop_) return;
        checkpoint_wanted_ = false;
      }
      // PASSIVE: copies what no reader still needs, never blocks writers or readers.
      int log = 0, done = 0;
      sqlite3_wal_checkpoint_v2(checkpointer_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                &done);
      // The log restarts from its beginning only when a writer finds it wholly copied
      // back: under writes that never pause, every passive checkpoint ends behind the
      // writer, and the log would grow without bound (gigabytes in minutes, every
      // commit then extending the file). Once it is several thresholds long, RESTART:
      // new writers wait while the little the passive pass left is copied, and the next
      // commit writes the log from its start again (journal_size_limit then trims it).
      // Leaders wait for it before their next transaction: a writer that never pauses
      // would otherwise win the write lock every time.
      if (log >= 4 * checkpoint_pages_) {
        {
          absl::MutexLock lock(&checkpoint_mu_);
          restart_pending_ = true;  // leaders hold back (YieldToRestart)
        }
        sqlite3_wal_checkpoint_v2(checkpointer_->handle(), nullptr, SQLITE_CHECKPOINT_RESTART, &log,
                                  &done);
        absl::MutexLock lock(&checkpoint_mu_);
        restart_pending_ = false;
      }
    }
  }

  // Writers waiting for a leader; the leader (or a migration) holds the connection.
  internal::WriterQueue queue_;
  mutable absl::Mutex stats_mu_;
  WriteStats stats_ ABSL_GUARDED_BY(stats_mu_);
  int max_group_ = 64;
  // Used only by the leader.
  std::unique_ptr<Connection> writer_;

  std::unique_ptr<Connection> checkpointer_;
  int checkpoint_pages_ = 0;
  absl::Mutex checkpoint_mu_;
  bool checkpoint_wanted_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  bool checkpoint_stop_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  bool restart_pending_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  std::thread checkpoint_thread_;
  absl::Mutex read_mu_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> free_readers_ ABSL_GUARDED_BY(read_mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<Database>> OpenSqlite(const SqliteOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("sqlite: path is empty");
  return SqliteDatabase::Open(options);
}

}  // namespace kpo::storage
