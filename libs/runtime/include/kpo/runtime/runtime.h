#pragma once

// The wiring all four services share, so each main.cc stays a few lines:
// configuration (the one place besides main.cc that reads it), the database and its
// migrations, the outbox and its relay, the event consumer, the gRPC server with the
// ops service, and the shutdown order. See the root README for every config key.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/clock.h"
#include "kpo/core/config.h"
#include "kpo/core/page_token.h"
#include "kpo/events/consumer.h"
#include "kpo/events/outbox.h"
#include "kpo/events/relay.h"
#include "kpo/rpc/server.h"
#include "kpo/runtime/periodic.h"
#include "kpo/storage/database.h"

namespace kpo::runtime {

class ServiceRuntime;

struct ServiceSpec {
  // Short name: "people", "kaizen", "daily", "reporting".
  std::string name;
  // Topic this service publishes to, e.g. "kpo.people.v1".
  std::string topic;
  // Topics it consumes; empty = no consumer.
  std::vector<std::string> consumes;
  // Default ports of the local stack.
  int default_grpc_port = 0;
  int default_metrics_port = 0;
  // Schema components beyond "events", "idempotency" (and "replica" when
  // `directory_replica`).
  std::vector<std::pair<std::string, const std::vector<kpo::storage::Migration>*>> migrations;
  // Keep a local directory replica fed by kpo.people.v1.
  bool directory_replica = false;
  // The service makes its consumers itself (ServiceRuntime::NewConsumer), for example to
  // rebuild what it consumes into a new database while the old one serves: the runtime
  // then starts none, and consumer() is null.
  bool own_consumers = false;
  // Adds the service's own permissions.
  std::function<void(kpo::auth::PermissionTable&)> permissions;
  // Registers the service's gRPC services and consumer handlers. Runs after the
  // database is migrated and before anything starts.
  std::function<absl::Status(ServiceRuntime&, kpo::core::Config&)> setup;
};

class ServiceRuntime {
 public:
  virtual ~ServiceRuntime() = default;
  virtual kpo::storage::Database& db() = 0;
  virtual const kpo::events::Outbox& outbox() = 0;
  virtual kpo::rpc::Server& server() = 0;
  virtual const kpo::core::PageTokenCodec& page_tokens() = 0;
  virtual const kpo::core::Clock& clock() = 0;
  // How every mutation runs (request_id replay, outbox; the relay wakes on commit).
  virtual const kpo::command::Runner& commands() = 0;
  // Null when the service consumes nothing or makes its consumers itself.
  virtual kpo::events::Consumer* consumer() = 0;

  // For a service with own_consumers. OpenDatabase opens (creating it if needed) a
  // further database of the service beside db(), named by `suffix` — the SQLite file
  // `<database.path><suffix>`, or on PostgreSQL a schema of database.url — with db()'s
  // options and migrations (its directory replica reindexed); DropDatabase deletes it
  // (once nothing has it open). NewConsumer makes a consumer of
  // spec.consumes with the configured options, consumer group
  // `<consumer.group_id><group_suffix>` (also its inbox and positions key), applying to
  // `db` (which must outlive it), with the directory replica's handlers when the spec
  // keeps one; the service registers its handlers, starts and stops it.
  // SetConsumerDatabase tells the ops service and the inbox retention where the inbox
  // and the replica are now (default: db()).
  virtual absl::StatusOr<std::shared_ptr<kpo::storage::Database>> OpenDatabase(
      const std::string& suffix) = 0;
  virtual absl::Status DropDatabase(const std::string& suffix) = 0;
  virtual std::unique_ptr<kpo::events::Consumer> NewConsumer(kpo::storage::Database& db,
                                                             const std::string& group_suffix) = 0;
  virtual void SetConsumerDatabase(
      std::function<std::shared_ptr<kpo::storage::Database>()> current) = 0;
  // Keeps `object` alive until shutdown completes (services, caches).
  virtual void Own(std::shared_ptr<const void> object) = 0;
  // Adds time-driven work, run every job.interval once the service has started and
  // stopped first at shutdown (before the consumer and the relay). What it uses must be
  // Own()ed or outlive the runtime.
  virtual void Every(PeriodicJob job) = 0;
};

// Runs a service: `--config <file>` (or KPO_CONFIG) plus KPO_* environment overrides.
// Returns the process exit code: 0 after a graceful shutdown, 2 on bad configuration
// (one line on stderr), 1 on a start-up failure.
int RunService(int argc, char** argv, const ServiceSpec& spec);

}  // namespace kpo::runtime
