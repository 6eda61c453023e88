#pragma once

// The server bootstrap every KPO service uses: a gRPC callback-API server with
//  - authentication and authorization on every call (Server::Unary, ServerStream),
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

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
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
  // a quick read as much as its own work. A read that is quick only when cached checks
  // OnGrpcThread() before the long way and returns ContinueOnWorkerPool(): it is run
  // again, from the start, on the pool.
  kInline,
};

// True while a kInline handler runs on a gRPC thread (not on the worker pool).
bool OnGrpcThread();
// What a kInline handler returns, on a gRPC thread, instead of working at length there:
// the call is handed to the worker pool and the handler run again. Nothing of the
// response may have been written.
absl::Status ContinueOnWorkerPool();

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

  // The sink of a server-streaming call's handler. Write blocks until the previous
  // message has left (flow control: a slow client slows the handler, memory stays
  // bounded) and returns false once the client has gone (cancelled, deadline, broken
  // connection): the handler should then stop.
  template <class Response>
  class StreamWriter {
   public:
    virtual ~StreamWriter() = default;
    virtual bool Write(const Response& message) = 0;
  };

  // Serves one server-streaming call as Unary serves a unary one (the caller verified,
  // the permission table checked, metrics over the whole stream): `fn` runs on the
  // worker pool and writes the messages; its status finishes the call once the last
  // message has left.
  template <class Request, class Response>
  grpc::ServerWriteReactor<Response>* ServerStream(
      grpc::CallbackServerContext* ctx, const Request* request, const char* method,
      std::function<absl::Status(const kpo::auth::Principal&, const Request&,
                                 StreamWriter<Response>&)>
          fn);

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
        [reactor](const grpc::Status& s) { reactor->Finish(s); }, execution);
    return reactor;
  }

  class Impl;

 private:
  // Runs `work` for the verified, authorized caller where `execution` says, then
  // `finish` with its status (or the refusal).
  void Dispatch(grpc::CallbackServerContext* ctx, const char* method,
                std::function<absl::Status(const kpo::auth::Principal&)> work,
                std::function<void(const grpc::Status&)> finish, Execution execution);
  std::unique_ptr<Impl> impl_;
  int grpc_port_ = 0;
};

namespace internal {

// A server-streaming call: the handler thread writes through Write, gRPC's threads
// report each write's completion; one message in flight at a time. Deletes itself when
// gRPC is done with the call.
template <class Response>
class StreamReactor final : public grpc::ServerWriteReactor<Response>,
                            public Server::StreamWriter<Response> {
 public:
  bool Write(const Response& message) override {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &StreamReactor::Idle));
    if (gone_) return false;
    pending_ = message;
    writing_ = true;
    this->StartWrite(&pending_);
    return true;
  }
  // After the last message has left (or the client has gone).
  void FinishWhenIdle(const grpc::Status& status) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &StreamReactor::Idle));
    }
    this->Finish(status);
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) gone_ = true;
  }
  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    gone_ = true;
  }
  void OnDone() override { delete this; }

 private:
  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !writing_; }

  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool gone_ ABSL_GUARDED_BY(mu_) = false;
  Response pending_;
};

}  // namespace internal

template <class Request, class Response>
grpc::ServerWriteReactor<Response>* Server::ServerStream(
    grpc::CallbackServerContext* ctx, const Request* request, const char* method,
    std::function<absl::Status(const kpo::auth::Principal&, const Request&,
                               StreamWriter<Response>&)>
        fn) {
  auto* reactor = new internal::StreamReactor<Response>();
  Dispatch(
      ctx, method, [=](const kpo::auth::Principal& p) { return fn(p, *request, *reactor); },
      [reactor](const grpc::Status& s) { reactor->FinishWhenIdle(s); }, Execution::kWorkerPool);
  return reactor;
}

}  // namespace kpo::rpc
