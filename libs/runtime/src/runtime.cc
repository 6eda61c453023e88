#include "kpo/runtime/runtime.h"

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/errors.h"
#include "kpo/core/log.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/ops/v1/ops_service.grpc.pb.h"
#include "kpo/replica/directory_replica.h"
#include "kpo/runtime/retention.h"
#include "kpo/storage/postgres.h"

namespace kpo::runtime {
namespace {

namespace ops = kpo::ops::v1;

// Where the service's data lives: a SQLite file (the default) or PostgreSQL. A suffix
// names a further database of the service (reporting's rebuilt projections): the file
// `<path><suffix>`, or on PostgreSQL the schema `kpo_<suffix's letters and digits>`.
struct DatabaseOptions {
  bool postgres = false;
  kpo::storage::SqliteOptions sqlite;
  kpo::storage::PostgresOptions pg;

  static std::string Schema(const std::string& suffix) {
    std::string schema = "kpo_";
    for (char c : suffix) {
      if (absl::ascii_isalnum(c)) schema.push_back(absl::ascii_tolower(c));
    }
    return schema;
  }

  absl::StatusOr<std::unique_ptr<kpo::storage::Database>> Open(const std::string& suffix) const {
    if (!postgres) {
      kpo::storage::SqliteOptions o = sqlite;
      o.path += suffix;
      return kpo::storage::OpenSqlite(o);
    }
    kpo::storage::PostgresOptions o = pg;
    if (!suffix.empty()) o.schema = Schema(suffix);
    return kpo::storage::OpenPostgres(o);
  }
};

std::string ReadSecretFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The database's commit counters on /metrics, read at each scrape.
class DatabaseMetrics final : public prometheus::Collectable {
 public:
  DatabaseMetrics(kpo::storage::Database& db, std::string service)
      : db_(db), service_(std::move(service)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    const kpo::storage::Database::WriteStats stats = db_.write_stats();
    auto family = [&](const char* name, const char* help, double value) {
      prometheus::ClientMetric m;
      m.label.push_back({"service", service_});
      m.counter.value = value;
      return prometheus::MetricFamily{name, help, prometheus::MetricType::Counter, {m}};
    };
    return {family("kpo_db_write_transactions_total",
                   "Write transactions committed (Database::Write calls that succeeded)",
                   static_cast<double>(stats.writes)),
            family("kpo_db_commits_total",
                   "Database commits (syncs); fewer than write transactions when writers "
                   "shared commits",
                   static_cast<double>(stats.commits)),
            family("kpo_db_writer_busy_seconds_total",
                   "Time the writer connection spent in write transactions (its rate is the "
                   "single writer's utilization, 1 = saturated)",
                   static_cast<double>(stats.busy_us) / 1e6),
            family("kpo_db_commit_seconds_total",
                   "Part of the writer's busy time spent committing: writing and syncing the "
                   "log",
                   static_cast<double>(stats.commit_us) / 1e6),
            family("kpo_db_write_conflicts_total",
                   "PostgreSQL: write attempts rolled back by a serialization failure or "
                   "deadlock and run again",
                   static_cast<double>(stats.conflicts))};
  }

 private:
  kpo::storage::Database& db_;
  std::string service_;
};

class OpsServiceImpl final : public ops::OpsService::CallbackService {
 public:
  // `consumer_db`: where the inbox and the replica are.
  OpsServiceImpl(kpo::rpc::Server& server, kpo::storage::Database& db,
                 std::function<std::shared_ptr<kpo::storage::Database>()> consumer_db,
                 std::string service, bool has_replica, std::function<void()> wake)
      : server_(server),
        db_(db),
        consumer_db_(std::move(consumer_db)),
        service_(std::move(service)),
        has_replica_(has_replica),
        wake_(std::move(wake)) {}

  grpc::ServerUnaryReactor* GetServiceStatus(grpc::CallbackServerContext* ctx,
                                             const ops::GetServiceStatusRequest* req,
                                             ops::ServiceStatus* resp) override {
    return server_.Unary<ops::GetServiceStatusRequest, ops::ServiceStatus>(
        ctx, req, resp, "/kpo.ops.v1.OpsService/GetServiceStatus",
        [this](const kpo::auth::Principal& p, const ops::GetServiceStatusRequest&,
               ops::ServiceStatus& out) -> absl::Status {
          out.set_service(service_);
          auto counts = kpo::events::CountOutbox(db_, p.organization_name());
          if (!counts.ok()) return counts.status();
          out.set_outbox_pending(counts->pending);
          out.set_outbox_sent_retained(counts->sent_retained);
          const std::shared_ptr<kpo::storage::Database> consumer_db = consumer_db_();
          absl::Status s = consumer_db->Read([&](kpo::storage::Transaction& tx) {
            auto rows = tx.Query("SELECT COUNT(*) FROM inbox WHERE organization = ?",
                                 {p.organization_name()});
            if (!rows.ok()) return rows.status();
            out.set_inbox_processed(rows->front().Int(0));
            return absl::OkStatus();
          });
          if (!s.ok()) return s;
          if (has_replica_) {
            auto replica = kpo::replica::CountActive(*consumer_db, p.organization_id);
            if (!replica.ok()) return replica.status();
            for (const auto& [k, v] : *replica) (*out.mutable_replica_counts())[k] = v;
          }
          return absl::OkStatus();
        });
  }

  grpc::ServerUnaryReactor* RepublishOutbox(grpc::CallbackServerContext* ctx,
                                            const ops::RepublishOutboxRequest* req,
                                            ops::RepublishOutboxResponse* resp) override {
    return server_.Unary<ops::RepublishOutboxRequest, ops::RepublishOutboxResponse>(
        ctx, req, resp, "/kpo.ops.v1.OpsService/RepublishOutbox",
        [this](const kpo::auth::Principal& p, const ops::RepublishOutboxRequest& r,
               ops::RepublishOutboxResponse& out) -> absl::Status {
          const absl::Time since = absl::FromUnixMicros(
              google::protobuf::util::TimeUtil::TimestampToMicroseconds(r.since()));
          auto n = kpo::events::RepublishSince(db_, p.organization_name(), since);
          if (!n.ok()) return n.status();
          out.set_events_requeued(*n);
          if (*n > 0) wake_();
          return absl::OkStatus();
        });
  }

  grpc::ServerUnaryReactor* GetReplicaEntry(grpc::CallbackServerContext* ctx,
                                            const ops::GetReplicaEntryRequest* req,
                                            ops::ReplicaEntry* resp) override {
    return server_.Unary<ops::GetReplicaEntryRequest, ops::ReplicaEntry>(
        ctx, req, resp, "/kpo.ops.v1.OpsService/GetReplicaEntry",
        [this](const kpo::auth::Principal& p, const ops::GetReplicaEntryRequest& r,
               ops::ReplicaEntry& out) -> absl::Status {
          if (absl::Status s = kpo::auth::CheckOrganization(p, r.name(), "name"); !s.ok()) return s;
          if (!has_replica_) {
            return kpo::core::FailedPrecondition("NO_REPLICA",
                                                 service_ + " keeps no directory replica");
          }
          auto entry = kpo::replica::Lookup(*consumer_db_(), p.organization_id, r.name());
          if (!entry.ok()) return entry.status();
          if (!entry->has_value()) return kpo::core::NotFound(r.name());
          const auto& e = **entry;
          out.set_name(e.name);
          out.set_kind(e.kind);
          out.set_revision(e.revision);
          out.set_active(e.active);
          *out.mutable_resource() = e.resource;
          *out.mutable_replicated_time() =
              google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
                  absl::ToUnixMicros(e.replicated_time));
          return absl::OkStatus();
        },
        kpo::rpc::Execution::kInline);
  }

 private:
  kpo::rpc::Server& server_;
  kpo::storage::Database& db_;
  std::function<std::shared_ptr<kpo::storage::Database>()> consumer_db_;
  std::string service_;
  bool has_replica_;
  std::function<void()> wake_;
};

class Runtime final : public ServiceRuntime {
 public:
  ~Runtime() override {
    // Stop users before what they use: the server and consumer first, then the owned
    // services and caches in reverse order of registration.
    periodic_.Stop();
    consumer_.reset();
    sweeper_.reset();
    relay_.reset();
    server_.reset();
    while (!owned_.empty()) owned_.pop_back();
  }
  kpo::storage::Database& db() override { return *db_; }
  const kpo::events::Outbox& outbox() override { return *outbox_; }
  kpo::rpc::Server& server() override { return *server_; }
  const kpo::core::PageTokenCodec& page_tokens() override { return *tokens_; }
  const kpo::core::Clock& clock() override { return kpo::core::Clock::Real(); }
  const kpo::command::Runner& commands() override { return *commands_; }
  kpo::events::Consumer* consumer() override { return consumer_.get(); }
  absl::StatusOr<std::shared_ptr<kpo::storage::Database>> OpenDatabase(
      const std::string& suffix) override {
    auto db = db_options_.Open(suffix);
    if (!db.ok()) return db.status();
    if (absl::Status s = MigrateAll(**db); !s.ok()) return s;
    return std::shared_ptr<kpo::storage::Database>(*std::move(db));
  }
  absl::Status DropDatabase(const std::string& suffix) override {
    if (suffix.empty()) return absl::InvalidArgumentError("the service's own database stays");
    if (!db_options_.postgres) {
      for (const char* tail : {"", "-wal", "-shm", "-journal"}) {
        const std::string file = db_options_.sqlite.path + suffix + tail;
        std::remove(file.c_str());
      }
      return absl::OkStatus();
    }
    const std::string schema = DatabaseOptions::Schema(suffix);
    return db_->Write([&](kpo::storage::Transaction& tx) {
      return tx.Exec(absl::StrCat("DROP SCHEMA IF EXISTS ", schema, " CASCADE")).status();
    });
  }
  std::unique_ptr<kpo::events::Consumer> NewConsumer(kpo::storage::Database& db,
                                                     const std::string& group_suffix) override {
    kpo::events::ConsumerOptions options = consumer_options_;
    options.group_id += group_suffix;
    auto consumer = std::make_unique<kpo::events::Consumer>(
        db, std::move(options), kpo::core::Clock::Real(), &server_->registry());
    if (directory_replica_) kpo::replica::RegisterDirectoryHandlers(*consumer, clock());
    return consumer;
  }
  void SetConsumerDatabase(
      std::function<std::shared_ptr<kpo::storage::Database>()> current) override {
    absl::MutexLock lock(&consumer_db_mu_);
    consumer_db_ = std::move(current);
  }
  std::shared_ptr<kpo::storage::Database> ConsumerDatabase() {
    absl::MutexLock lock(&consumer_db_mu_);
    if (consumer_db_) return consumer_db_();
    // db() itself, owned by the runtime.
    return std::shared_ptr<kpo::storage::Database>(std::shared_ptr<void>(), db_.get());
  }
  // The schema every database of the service has: events, the replica, the service's
  // own components, idempotency; the replica reindexed.
  absl::Status MigrateAll(kpo::storage::Database& db) {
    for (const auto& [component, migrations] : components_) {
      if (absl::Status s = db.Migrate(component, *migrations); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat("migrating ", component, ": ", s.message()));
      }
    }
    if (directory_replica_) {
      if (absl::Status s = kpo::replica::Reindex(db); !s.ok()) {
        return absl::Status(s.code(),
                            absl::StrCat("reindexing the directory replica: ", s.message()));
      }
    }
    return absl::OkStatus();
  }
  // Wakes the relay: committed outbox rows call it.
  void OutboxCommitted() {
    if (relay_) relay_->Wake();
  }
  void Own(std::shared_ptr<const void> object) override { owned_.push_back(std::move(object)); }
  void Every(PeriodicJob job) override { periodic_.Add(std::move(job)); }

  std::unique_ptr<kpo::storage::Database> db_;
  DatabaseOptions db_options_;
  kpo::events::ConsumerOptions consumer_options_;
  std::vector<std::pair<std::string, const std::vector<kpo::storage::Migration>*>> components_;
  bool directory_replica_ = false;
  absl::Mutex consumer_db_mu_;
  std::function<std::shared_ptr<kpo::storage::Database>()> consumer_db_
      ABSL_GUARDED_BY(consumer_db_mu_);
  std::unique_ptr<kpo::events::Outbox> outbox_;
  std::unique_ptr<kpo::command::Runner> commands_;
  std::unique_ptr<kpo::rpc::Server> server_;
  std::unique_ptr<kpo::core::PageTokenCodec> tokens_;
  std::unique_ptr<kpo::events::OutboxRelay> relay_;
  std::unique_ptr<kpo::events::Consumer> consumer_;
  std::unique_ptr<RetentionSweeper> sweeper_;
  PeriodicJobs periodic_;
  std::vector<std::shared_ptr<const void>> owned_;
};

}  // namespace

int RunService(int argc, char** argv, const ServiceSpec& spec) {
  kpo::rpc::BlockTerminationSignals();
  std::string config_path;
  if (const char* env = std::getenv("KPO_CONFIG")) config_path = env;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      config_path = arg.substr(9);
    } else {
      std::cerr << "kpo-" << spec.name << ": unknown argument " << arg << " (usage: kpo-"
                << spec.name << " [--config file.yaml])\n";
      return 2;
    }
  }
  auto config_or = kpo::core::Config::Load(config_path);
  if (!config_or.ok()) {
    std::cerr << config_or.status().message() << "\n";
    return 2;
  }
  kpo::core::Config& config = *config_or;

  kpo::rpc::ServerOptions server_options;
  server_options.service_name = spec.name;
  server_options.listen =
      config.String("grpc.listen", absl::StrCat("127.0.0.1:", spec.default_grpc_port));
  server_options.worker_threads = static_cast<int>(config.Int("grpc.worker_threads", 64, 1, 1024));
  server_options.inline_calls = static_cast<int>(config.Int("grpc.inline_calls", 1, 0, 1024));
  server_options.max_queued_calls =
      static_cast<int>(config.Int("grpc.max_queued_calls", 1000, 1, 1'000'000));
  server_options.shutdown_grace = config.Duration("grpc.shutdown_grace", absl::Seconds(10));
  server_options.metrics_listen =
      config.String("metrics.listen", absl::StrCat("127.0.0.1:", spec.default_metrics_port));
  server_options.runtime_file = config.String("runtime_file", "");

  // database.url (postgresql://...) chooses PostgreSQL; otherwise the SQLite file at
  // database.path.
  DatabaseOptions db_options;
  const std::string db_url = config.String("database.url", "");
  db_options.postgres = !db_url.empty();
  if (db_options.postgres) {
    if (!absl::StartsWith(db_url, "postgresql://") && !absl::StartsWith(db_url, "postgres://")) {
      config.Invalid("database.url", "must start with postgresql:// (libpq's URI form)");
    }
    db_options.pg.url = db_url;
    db_options.pg.password_file = config.String("database.password_file", "");
    db_options.pg.pool_size = static_cast<int>(config.Int("database.pool_size", 16, 1, 1000));
    db_options.pg.pool_wait = config.Duration("database.pool_wait", absl::Seconds(5));
    db_options.pg.connect_timeout = config.Duration("database.connect_timeout", absl::Seconds(5));
    db_options.pg.schema = config.String("database.schema", "");
    db_options.pg.max_group = static_cast<int>(config.Int("database.max_group", 32, 1, 60));
    db_options.pg.application_name = "kpo-" + spec.name;
  } else {
    db_options.sqlite.path = config.RequiredString("database.path");
    db_options.sqlite.max_group = static_cast<int>(config.Int("database.max_group", 64, 1, 4096));
  }
  db_options.sqlite.busy_timeout = config.Duration("database.busy_timeout", absl::Seconds(5));
  db_options.sqlite.cache_mib = static_cast<int>(config.Int("database.cache_mib", 2, 1, 65536));
  db_options.sqlite.mmap_mib = static_cast<int>(config.Int("database.mmap_mib", 0, 0, 1 << 20));

  kpo::events::KafkaOptions kafka;
  kafka.bootstrap_servers = config.RequiredString("kafka.bootstrap_servers");
  for (const auto& kv : config.StringList("kafka.properties", {})) {
    std::vector<std::string> parts = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    if (parts.size() != 2) {
      config.Invalid("kafka.properties", "entries must be name=value, got '" + kv + "'");
    } else {
      kafka.properties[parts[0]] = parts[1];
    }
  }

  kpo::events::RelayOptions relay_options;
  relay_options.kafka = kafka;
  relay_options.service = spec.name;
  relay_options.batch_size = static_cast<int>(config.Int("outbox.batch_size", 500, 1, 10000));
  relay_options.delivery_timeout = config.Duration("outbox.delivery_timeout", absl::Seconds(30));
  relay_options.max_backoff = config.Duration("outbox.max_backoff", absl::Seconds(5));
  relay_options.retention = config.Duration("outbox.retention", absl::Hours(24 * 7));
  relay_options.linger = config.Duration("outbox.linger", absl::Milliseconds(5));

  kpo::events::ConsumerOptions consumer_options;
  consumer_options.kafka = kafka;
  consumer_options.service = spec.name;
  consumer_options.group_id = config.String("consumer.group_id", "kpo-" + spec.name);
  consumer_options.topics = spec.consumes;
  consumer_options.dead_letter_topic =
      config.String("consumer.dead_letter_topic", "kpo.dlt." + spec.name);
  consumer_options.max_attempts = static_cast<int>(config.Int("consumer.max_attempts", 5, 1, 100));
  consumer_options.session_timeout = config.Duration("consumer.session_timeout", absl::Seconds(45));
  consumer_options.close_timeout = config.Duration("consumer.close_timeout", absl::Seconds(3));
  consumer_options.max_batch = static_cast<int>(config.Int("consumer.max_batch", 256, 1, 10000));
  consumer_options.fetch_wait_max =
      config.Duration("consumer.fetch_wait_max", absl::ZeroDuration());

  // How long request_id records and inbox rows are kept: a retry (redelivery) older
  // than its window is treated as new. The inbox must outlive the outbox's retention,
  // or a republish would apply events twice.
  const absl::Duration idempotency_retention =
      config.Duration("idempotency.retention", absl::Hours(24));
  const absl::Duration inbox_retention =
      config.Duration("consumer.inbox_retention", absl::Hours(24 * 14));
  kpo::runtime::RetentionOptions retention_options;
  retention_options.interval = config.Duration("retention.interval", absl::Minutes(1));
  retention_options.batch = static_cast<int>(config.Int("retention.batch", 500, 1, 100000));
  if (idempotency_retention < absl::Minutes(1)) {
    config.Invalid("idempotency.retention", "must be at least 1m");
  }
  if (inbox_retention <= relay_options.retention) {
    config.Invalid("consumer.inbox_retention",
                   "must be longer than outbox.retention, or a republish would apply events "
                   "twice");
  }

  kpo::auth::VerifierOptions auth;
  auth.hs256_secret = config.String("auth.hs256_secret", "");
  const std::string secret_file = config.String("auth.hs256_secret_file", "");
  if (!secret_file.empty()) auth.hs256_secret = ReadSecretFile(secret_file);
  const std::string rs256_file = config.String("auth.rs256_public_key_file", "");
  if (!rs256_file.empty()) auth.rs256_public_key_pem = ReadSecretFile(rs256_file);
  auth.issuer = config.String("auth.issuer", "kpo-local");
  auth.audience = config.String("auth.audience", "kpo");
  const std::string token_key_hex = config.String("page_tokens.key", "");
  kpo::log::Level level = kpo::log::Level::kInfo;
  const std::string level_name = config.String("log.level", "info");
  if (!kpo::log::ParseLevel(level_name, &level)) {
    config.Invalid("log.level", "must be debug, info, warn or error");
  }
  auto verifier = kpo::auth::Verifier::Create(auth);
  if (!verifier.ok()) config.Invalid("auth", std::string(verifier.status().message()));
  std::unique_ptr<kpo::core::PageTokenCodec> tokens;
  if (token_key_hex.empty()) {
    tokens = std::make_unique<kpo::core::PageTokenCodec>(kpo::core::PageTokenCodec::Random());
  } else {
    auto codec = kpo::core::PageTokenCodec::FromKey(absl::HexStringToBytes(token_key_hex));
    if (token_key_hex.size() != 64 || !codec.ok()) {
      config.Invalid("page_tokens.key", "must be 64 hex digits (32 bytes)");
    } else {
      tokens = std::make_unique<kpo::core::PageTokenCodec>(*codec);
    }
  }

  // Judge what was read before opening anything; unknown keys are judged after the
  // service's setup has read its own.
  if (absl::Status s = config.CheckValues(); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  auto rt = std::make_unique<Runtime>();
  rt->tokens_ = std::move(tokens);
  kpo::log::Init(spec.name, level);

  kpo::auth::PermissionTable permissions;
  if (spec.permissions) spec.permissions(permissions);
  for (const char* m : {"GetServiceStatus", "GetReplicaEntry"}) {
    permissions.Allow(std::string("/kpo.ops.v1.OpsService/") + m,
                      {kpo::auth::kOrgAdmin, kpo::auth::kKpoSpecialist, kpo::auth::kService});
  }
  permissions.Allow("/kpo.ops.v1.OpsService/RepublishOutbox", {kpo::auth::kOrgAdmin});

  auto db = db_options.Open("");
  if (!db.ok()) {
    kpo::log::Error("cannot open the database", {{"error", db.status().ToString()}});
    return 1;
  }
  rt->db_ = *std::move(db);
  rt->db_options_ = db_options;
  rt->consumer_options_ = consumer_options;
  rt->directory_replica_ = spec.directory_replica;
  rt->components_ = {{"events", &kpo::events::Migrations()}};
  if (spec.directory_replica) rt->components_.emplace_back("replica", &kpo::replica::Migrations());
  for (const auto& c : spec.migrations) rt->components_.push_back(c);
  // After the service's own: the people service's first migration created the same
  // table before the library had its component.
  rt->components_.emplace_back("idempotency", &kpo::idempotency::Migrations());
  if (absl::Status s = rt->MigrateAll(*rt->db_); !s.ok()) {
    kpo::log::Error("database migration failed", {{"error", s.ToString()}});
    return 1;
  }
  rt->outbox_ = std::make_unique<kpo::events::Outbox>(
      kpo::events::OutboxOptions{"//kpo.platform/" + spec.name, spec.topic,
                                 [r = rt.get()] { r->OutboxCommitted(); }},
      kpo::core::Clock::Real());
  rt->commands_ =
      std::make_unique<kpo::command::Runner>(*rt->db_, *rt->outbox_, kpo::core::Clock::Real());
  rt->server_ = std::make_unique<kpo::rpc::Server>(server_options, *verifier, permissions,
                                                   kpo::core::Clock::Real());
  rt->server_->AddCollectable(std::make_shared<DatabaseMetrics>(*rt->db_, spec.name));
  if (!spec.consumes.empty() && !spec.own_consumers) {
    rt->consumer_ = rt->NewConsumer(*rt->db_, "");
  }
  if (spec.setup) {
    if (absl::Status s = spec.setup(*rt, config); !s.ok()) {
      kpo::log::Error("service setup failed", {{"error", s.ToString()}});
      return 1;
    }
  }
  if (absl::Status s = config.Finish(); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 2;
  }
  if (token_key_hex.empty()) {
    kpo::log::Warn(
        "page_tokens.key is not set: page tokens will not survive a restart or work "
        "across replicas");
  }
  auto ops_service = std::make_shared<OpsServiceImpl>(
      *rt->server_, *rt->db_, [r = rt.get()] { return r->ConsumerDatabase(); }, spec.name,
      spec.directory_replica, [r = rt.get()] { r->OutboxCommitted(); });
  rt->server_->AddService(ops_service.get(), "kpo.ops.v1.OpsService");

  // What runs once per service, not once per replica: the relay (events leave in the
  // outbox's order), retention sweeps and periodic jobs run where this lease is held
  // (always, on SQLite; on PostgreSQL one replica at a time, another taking over within
  // a lease check when it is gone).
  std::shared_ptr<kpo::storage::Lease> lease = rt->db_->NewLease(spec.name);
  relay_options.lease = lease;
  retention_options.active = [lease] { return lease->Held(); };
  rt->periodic_.OnlyWhile([lease] { return lease->Held(); });
  auto relay = kpo::events::OutboxRelay::Create(*rt->db_, relay_options, kpo::core::Clock::Real(),
                                                &rt->server_->registry());
  if (!relay.ok()) {
    std::cerr << "config: kafka: " << relay.status().message() << "\n";
    return 2;
  }
  rt->relay_ = *std::move(relay);
  kpo::storage::Database* dbp = rt->db_.get();
  rt->server_->SetReadinessCheck([dbp] { return dbp->Ping(); });
  // Shutdown hooks run in reverse: consumer first (commits offsets), then the relay.
  rt->server_->OnShutdown([r = rt.get()] { r->relay_->Stop(); });
  rt->server_->OnShutdown([r = rt.get()] { r->sweeper_->Stop(); });
  if (rt->consumer_) rt->server_->OnShutdown([r = rt.get()] { r->consumer_->Stop(); });
  rt->server_->OnShutdown([r = rt.get()] { r->periodic_.Stop(); });

  std::vector<RetentionJob> jobs;
  jobs.push_back({"idempotency", idempotency_retention, [dbp](absl::Time before, int limit) {
                    return kpo::idempotency::DeleteExpired(*dbp, before, limit);
                  }});
  if (!spec.consumes.empty()) {
    jobs.push_back({"inbox", inbox_retention, [r = rt.get()](absl::Time before, int limit) {
                      return kpo::events::DeleteInboxBefore(*r->ConsumerDatabase(), before, limit);
                    }});
  }
  rt->sweeper_ = std::make_unique<RetentionSweeper>(std::move(jobs), retention_options,
                                                    kpo::core::Clock::Real());
  rt->sweeper_->Start();
  rt->relay_->Start();
  rt->periodic_.Start();
  if (rt->consumer_) {
    if (absl::Status s = rt->consumer_->Start(); !s.ok()) {
      kpo::log::Error("cannot start the event consumer", {{"error", s.ToString()}});
      rt->relay_->Stop();
      return 1;
    }
  }
  if (absl::Status s = rt->server_->Start(); !s.ok()) {
    kpo::log::Error("cannot start the gRPC server", {{"error", s.ToString()}});
    if (rt->consumer_) rt->consumer_->Stop();
    rt->relay_->Stop();
    return 1;
  }
  rt->server_->Wait();
  return 0;
}

}  // namespace kpo::runtime
