#pragma once

// The server bootstrap every KPO service uses: a gRPC callback-API server with
//  - authentication and authorization on every call (Server::Unary),
//  - handlers run on a worker pool, so reactor threads never wait on the database —
//    except quick reads, which run on gRPC's own thread when one is free (Execution),
//  - health checking with two service names: "liveness" (the process is up) and
//    "readiness" (the readiness check, e.g. the database answers; also reported as the
//    overall "" status), reflection, keepalive,
//  - Prometheus /metrics (kpo_rpc_requests_total, kpo_rpc_latency_seconds,
//    kpo_rpc_queued_calls and whatever the libraries register on registry()),
//  - load shedding: at most max_queued_calls wait for a worker,
//  - graceful shutdown on SIGTERM/SIGINT: NOT_SERVING, drain in-flight RPCs, then the
//    shutdown hooks (stop consumers and commit their offsets, flush the outbox relay).
// Thread-safety: configure and Start from main; Unary is called from gRPC threads.

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kpo/auth/auth.h"
#include "kpo/core/clock.h"

namespace prometheus {
class Collectable;
class Registry;
}  // namespace prometheus

namespace kpo::rpc {

struct ServerOptions {
  // Short service name ("people"); metric label and log field.
  std::string service_name;
  std::string listen = "127.0.0.1:0";
  // Empty disables /metrics.
  std::string metrics_listen = "127.0.0.1:0";
  int worker_threads = 64;
  // How many Execution::kInline calls may run on gRPC's own threads at once; the next
  // one goes to the worker pool. gRPC's callback API has few such threads (one per
  // core), so this stays below their count: a slow read (a Redis timeout) never holds
  // all of them. Zero runs every call on the pool.
  int inline_calls = 1;
  // Calls waiting for a worker beyond this are refused at once with RESOURCE_EXHAUSTED
  // (reason SERVER_OVERLOADED) instead of queueing without bound.
  int max_queued_calls = 1000;
  absl::Duration shutdown_grace = absl::Seconds(10);
  absl::Duration readiness_interval = absl::Seconds(2);
  // If set, written after start: {"grpc": "host:port", "metrics": "host:port", "pid": n}.
  std::string runtime_file;
  int max_message_bytes = 32 * 1024 * 1024;
};

// Where a call's handler runs.
enum class Execution {
  // On the worker pool. For every handler that writes (a writer waits for its shared
  // commit) or may wait for long.
  kWorkerPool,
  // Quick reads (a database snapshot or a cache lookup, no waiting on other calls): on
  // the gRPC thread that received the call while fewer than ServerOptions::inline_calls
  // do so, otherwise on the pool. Saves the two thread hand-offs of the pool, which cost
  // a quick read as much as its own work.
  kInline,
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts later, so
// that Server::Wait receives them. Call first thing in main.
void BlockTerminationSignals();

class Server {
 public:
  Server(ServerOptions options, kpo::auth::Verifier verifier,
         kpo::auth::PermissionTable permissions, const kpo::core::Clock& clock);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  prometheus::Registry& registry();

  // Before Start. The service must outlive the server. Fails Start if a method of the
  // service has no entry in the permission table.
  void AddService(grpc::Service* service, const std::string& full_service_name);
  void SetReadinessCheck(std::function<absl::Status()> check);
  // Run in reverse order of registration during shutdown, after RPCs are drained.
  void OnShutdown(std::function<void()> hook);
  // Before Start: more metrics for /metrics, collected at each scrape (figures another
  // component keeps, such as the database's commit counters).
  void AddCollectable(std::shared_ptr<prometheus::Collectable> collectable);

  absl::Status Start();
  // Blocks until SIGTERM/SIGINT (or RequestShutdown), then shuts down gracefully.
  void Wait();
  void RequestShutdown();
  int grpc_port() const { return grpc_port_; }

  // Serves one unary call: verifies the caller, checks the permission table for
  // `method` ("/pkg.Service/Method"), runs `fn` where `execution` says with the caller's
  // trace context, records metrics and finishes the call.
  template <class Request, class Response>
  grpc::ServerUnaryReactor* Unary(
      grpc::CallbackServerContext* ctx, const Request* request, Response* response,
      const char* method,
      std::function<absl::Status(const kpo::auth::Principal&, const Request&, Response&)> fn,
      Execution execution = Execution::kWorkerPool) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    Dispatch(
        ctx, method, [=](const kpo::auth::Principal& p) { return fn(p, *request, *response); },
        reactor, execution);
    return reactor;
  }

  class Impl;

 private:
  void Dispatch(grpc::CallbackServerContext* ctx, const char* method,
                std::function<absl::Status(const kpo::auth::Principal&)> work,
                grpc::ServerUnaryReactor* reactor, Execution execution);
  std::unique_ptr<Impl> impl_;
  int grpc_port_ = 0;
};

}  // namespace kpo::rpc
