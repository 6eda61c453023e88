#include "kpo/rpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/descriptor.h"
#include "kpo/core/errors.h"
#include "kpo/core/log.h"
#include "kpo/core/trace.h"
#include "kpo/rpc/status.h"
#include "request_parse.h"

namespace kpo::rpc {

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

namespace {

constexpr char kWorkerThreadName[] = "kpo-worker";

// Fixed-size pool of threads running queued closures in order, with a bounded queue.
class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queued, prometheus::Gauge* depth)
      : max_queued_(max_queued), depth_(depth) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] {
        pthread_setname_np(pthread_self(), kWorkerThreadName);  // top -H, perf, gdb
        Loop();
      });
    }
  }
  ~WorkerPool() { Stop(); }
  // False (and `fn` not run) when the queue is full.
  bool TrySubmit(std::function<void()> fn) {
    absl::MutexLock lock(&mu_);
    if (queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(fn));
    if (depth_ != nullptr) depth_->Set(static_cast<double>(queue_.size()));
    return true;
  }
  // Runs what is queued, then joins.
  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Loop() {
    while (true) {
      std::function<void()> fn;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](WorkerPool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
              return p->stopping_ || !p->queue_.empty();
            },
            this));
        if (queue_.empty()) return;
        fn = std::move(queue_.front());
        queue_.pop_front();
        if (depth_ != nullptr) depth_->Set(static_cast<double>(queue_.size()));
      }
      fn();
    }
  }
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  const size_t max_queued_;
  prometheus::Gauge* depth_;
  std::vector<std::thread> threads_;
};

std::string Metadata(grpc::CallbackServerContext* ctx, const char* key) {
  const auto& md = ctx->client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

const char* CodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "OK";
    case absl::StatusCode::kCancelled:
      return "CANCELLED";
    case absl::StatusCode::kUnknown:
      return "UNKNOWN";
    case absl::StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kNotFound:
      return "NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case absl::StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case absl::StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case absl::StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case absl::StatusCode::kAborted:
      return "ABORTED";
    case absl::StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case absl::StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case absl::StatusCode::kInternal:
      return "INTERNAL";
    case absl::StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case absl::StatusCode::kDataLoss:
      return "DATA_LOSS";
    case absl::StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

// Set while a kInline handler runs on a gRPC thread (OnGrpcThread).
thread_local bool on_grpc_thread_now = false;

// The payload that marks ContinueOnWorkerPool's status (never sent to a client).
constexpr char kContinueOnWorkerPool[] = "type.kpo.dev/kpo.rpc.ContinueOnWorkerPool";

bool IsContinueOnWorkerPool(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable &&
         s.GetPayload(kContinueOnWorkerPool).has_value();
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, kpo::auth::Verifier verifier, kpo::auth::PermissionTable permissions,
       const kpo::core::Clock& clock)
      : options_(std::move(options)),
        verifier_(std::move(verifier)),
        permissions_(std::move(permissions)),
        clock_(clock),
        registry_(std::make_shared<prometheus::Registry>()),
        requests_(prometheus::BuildCounter()
                      .Name("kpo_rpc_requests_total")
                      .Help("RPCs served, by method and status code")
                      .Register(*registry_)),
        latency_(prometheus::BuildHistogram()
                     .Name("kpo_rpc_latency_seconds")
                     .Help("RPC latency from arrival to completion, by method")
                     .Register(*registry_)),
        queued_(prometheus::BuildGauge()
                    .Name("kpo_rpc_queued_calls")
                    .Help("Calls waiting for a worker thread")
                    .Register(*registry_)
                    .Add({{"service", options_.service_name}})) {
#ifdef NDEBUG
    // Debian builds Abseil without NDEBUG, so every absl::Mutex operation also does the
    // deadlock detector's bookkeeping. Optimised builds of ours turn it off; debug
    // builds (and the tests) keep it.
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  }

  ServerOptions options_;
  kpo::auth::Verifier verifier_;
  kpo::auth::PermissionTable permissions_;
  const kpo::core::Clock& clock_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Gauge& queued_;
  std::vector<std::string> methods_;
  std::vector<grpc::Service*> services_;
  std::function<absl::Status()> readiness_ = [] { return absl::OkStatus(); };
  std::vector<std::function<void()>> hooks_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  std::thread readiness_thread_;
  absl::Mutex mu_;
  bool shutdown_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ = false;  // Wait() completed the shutdown
  std::atomic<int> inline_running_{0};

  // True if the caller may run a kInline call on its own thread (and must then give the
  // slot back by decrementing inline_running_).
  bool TryEnterInline() {
    if (inline_running_.fetch_add(1, std::memory_order_relaxed) < options_.inline_calls) {
      return true;
    }
    inline_running_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }

  // The metric children of one method, looked up once: Family::Add builds and hashes a
  // label map under the family's lock, too dear for every call.
  struct MethodMetrics {
    prometheus::Histogram* latency = nullptr;
    std::array<std::atomic<prometheus::Counter*>, 17> by_code{};  // absl::StatusCode 0..16
  };
  absl::Mutex metrics_mu_;
  // Keyed by the method's name pointer: each RPC passes the same string literal.
  absl::flat_hash_map<const char*, std::unique_ptr<MethodMetrics>> method_metrics_
      ABSL_GUARDED_BY(metrics_mu_);

  MethodMetrics& MetricsOf(const char* method) {
    {
      absl::ReaderMutexLock lock(&metrics_mu_);
      auto it = method_metrics_.find(method);
      if (it != method_metrics_.end()) return *it->second;
    }
    absl::MutexLock lock(&metrics_mu_);
    auto& slot = method_metrics_[method];
    if (slot == nullptr) {
      static const prometheus::Histogram::BucketBoundaries kBuckets = {
          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
      slot = std::make_unique<MethodMetrics>();
      slot->latency =
          &latency_.Add({{"service", options_.service_name}, {"method", method}}, kBuckets);
    }
    return *slot;
  }

  void Observe(const char* method, absl::StatusCode code, absl::Duration elapsed) {
    MethodMetrics& m = MetricsOf(method);
    const size_t c = static_cast<size_t>(code) < m.by_code.size() ? static_cast<size_t>(code) : 2;
    prometheus::Counter* counter = m.by_code[c].load(std::memory_order_acquire);
    if (counter == nullptr) {
      // Family::Add returns the same child for the same labels: a race only looks it up
      // twice.
      counter = &requests_.Add({{"service", options_.service_name},
                                {"method", method},
                                {"code", CodeName(static_cast<absl::StatusCode>(c))}});
      m.by_code[c].store(counter, std::memory_order_release);
    }
    counter->Increment();
    m.latency->Observe(absl::ToDoubleSeconds(elapsed));
  }

  void ReadinessLoop() {
    bool last = false;
    bool first = true;
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        if (mu_.AwaitWithTimeout(absl::Condition(&shutdown_requested_),
                                 first ? absl::ZeroDuration() : options_.readiness_interval)) {
          return;
        }
      }
      first = false;
      absl::Status s = readiness_();
      const bool ready = s.ok();
      if (ready != last) {
        auto* health = server_->GetHealthCheckService();
        health->SetServingStatus("readiness", ready);
        health->SetServingStatus("", ready);
        if (ready) {
          kpo::log::Info("ready");
        } else {
          kpo::log::Warn("not ready", {{"reason", s.ToString()}});
        }
        last = ready;
      }
    }
  }
};

Server::Server(ServerOptions options, kpo::auth::Verifier verifier,
               kpo::auth::PermissionTable permissions, const kpo::core::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(verifier), std::move(permissions),
                                   clock)) {}

Server::~Server() {
  RequestShutdown();
  if (impl_->readiness_thread_.joinable()) impl_->readiness_thread_.join();
  // Started but never waited on (an embedding or a test): stop serving before the
  // services and the pool go away.
  if (impl_->server_ != nullptr && !impl_->stopped_) {
    impl_->server_->Shutdown(std::chrono::system_clock::now());
    if (impl_->pool_) impl_->pool_->Stop();
  }
}

prometheus::Registry& Server::registry() { return *impl_->registry_; }

void Server::AddService(grpc::Service* service, const std::string& full_service_name) {
  impl_->services_.push_back(service);
  const auto* desc =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(full_service_name);
  if (desc == nullptr) {
    impl_->methods_.push_back("/" + full_service_name + "/<unknown service>");
    return;
  }
  for (int i = 0; i < desc->method_count(); ++i) {
    impl_->methods_.push_back(absl::StrCat("/", full_service_name, "/", desc->method(i)->name()));
  }
}

void Server::SetReadinessCheck(std::function<absl::Status()> check) {
  impl_->readiness_ = std::move(check);
}

void Server::OnShutdown(std::function<void()> hook) { impl_->hooks_.push_back(std::move(hook)); }

void Server::AddCollectable(std::shared_ptr<prometheus::Collectable> collectable) {
  impl_->collectables_.push_back(std::move(collectable));
}

absl::Status Server::Start() {
  if (absl::Status s = impl_->permissions_.CheckCovers(impl_->methods_); !s.ok()) return s;
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(impl_->options_.listen, grpc::InsecureServerCredentials(), &grpc_port_);
  builder.SetMaxReceiveMessageSize(impl_->options_.max_message_bytes);
  builder.SetMaxSendMessageSize(impl_->options_.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  for (auto* s : impl_->services_) builder.RegisterService(s);
  // A request that does not parse gets INVALID_ARGUMENT naming the field, not gRPC's
  // empty UNIMPLEMENTED; protobuf's complaint goes to the JSON log.
  internal::InstallProtobufLogHandler();
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(internal::NewRequestParseInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  impl_->pool_ = std::make_unique<WorkerPool>(
      impl_->options_.worker_threads,
      static_cast<size_t>(std::max(1, impl_->options_.max_queued_calls)), &impl_->queued_);
  impl_->server_ = builder.BuildAndStart();
  if (impl_->server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", impl_->options_.listen));
  }
  auto* health = impl_->server_->GetHealthCheckService();
  health->SetServingStatus("liveness", true);
  health->SetServingStatus("readiness", false);
  health->SetServingStatus("", false);

  std::string metrics_address;
  if (!impl_->options_.metrics_listen.empty()) {
    try {
      impl_->exposer_ = std::make_unique<prometheus::Exposer>(impl_->options_.metrics_listen);
      impl_->exposer_->RegisterCollectable(impl_->registry_);
      for (const auto& c : impl_->collectables_) impl_->exposer_->RegisterCollectable(c);
      auto ports = impl_->exposer_->GetListeningPorts();
      const std::string host =
          impl_->options_.metrics_listen.substr(0, impl_->options_.metrics_listen.rfind(':'));
      if (!ports.empty()) metrics_address = absl::StrCat(host, ":", ports.front());
    } catch (const std::exception& e) {
      return absl::UnavailableError(absl::StrCat("cannot serve /metrics on ",
                                                 impl_->options_.metrics_listen, ": ", e.what()));
    }
  }
  const std::string host = impl_->options_.listen.substr(0, impl_->options_.listen.rfind(':'));
  const std::string grpc_address = absl::StrCat(host, ":", grpc_port_);
  if (!impl_->options_.runtime_file.empty()) {
    nlohmann::json rt = {{"service", impl_->options_.service_name},
                         {"grpc", grpc_address},
                         {"metrics", metrics_address},
                         {"pid", static_cast<int>(getpid())}};
    const std::string tmp = impl_->options_.runtime_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << rt.dump() << "\n";
    }
    std::error_code ec;
    std::filesystem::rename(tmp, impl_->options_.runtime_file, ec);
    if (ec) return absl::InternalError("cannot write runtime file " + impl_->options_.runtime_file);
  }
  impl_->readiness_thread_ = std::thread([this] { impl_->ReadinessLoop(); });
  kpo::log::Info("serving", {{"grpc", grpc_address}, {"metrics", metrics_address}});
  return absl::OkStatus();
}

void Server::RequestShutdown() {
  absl::MutexLock lock(&impl_->mu_);
  impl_->shutdown_requested_ = true;
}

void Server::Wait() {
  std::thread signal_thread([this] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    while (true) {
      {
        absl::MutexLock lock(&impl_->mu_);
        if (impl_->shutdown_requested_) return;
      }
      timespec timeout{0, 200'000'000};
      const int sig = sigtimedwait(&set, nullptr, &timeout);
      if (sig == SIGTERM || sig == SIGINT) {
        kpo::log::Info("termination signal received; shutting down", {{"signal", sig}});
        RequestShutdown();
        return;
      }
    }
  });
  {
    absl::MutexLock lock(&impl_->mu_);
    impl_->mu_.Await(absl::Condition(&impl_->shutdown_requested_));
  }
  signal_thread.join();
  if (impl_->readiness_thread_.joinable()) impl_->readiness_thread_.join();
  auto* health = impl_->server_->GetHealthCheckService();
  health->SetServingStatus("readiness", false);
  health->SetServingStatus("liveness", false);
  health->SetServingStatus("", false);
  impl_->server_->Shutdown(std::chrono::system_clock::now() +
                           absl::ToChronoMilliseconds(impl_->options_.shutdown_grace));
  impl_->pool_->Stop();
  for (auto it = impl_->hooks_.rbegin(); it != impl_->hooks_.rend(); ++it) (*it)();
  impl_->exposer_.reset();
  impl_->stopped_ = true;
  kpo::log::Info("stopped");
}

void Server::Dispatch(grpc::CallbackServerContext* ctx, const char* method,
                      std::function<absl::Status(const kpo::auth::Principal&)> work,
                      std::function<void(const grpc::Status&)> finish, Execution execution) {
  const absl::Time start = absl::Now();
  std::string authorization = Metadata(ctx, "authorization");
  std::string traceparent = Metadata(ctx, "traceparent");
  // Returns false, having done nothing, when a handler on a gRPC thread asks for the pool.
  auto serve = [this, ctx, method, work = std::move(work), finish,
                authorization = std::move(authorization), traceparent = std::move(traceparent),
                start](bool on_grpc_thread) -> bool {
    auto parent = kpo::core::TraceContext::Parse(traceparent);
    kpo::core::ScopedTrace trace(parent ? parent->Child() : kpo::core::TraceContext::NewRoot());
    absl::Status status;
    if (ctx->IsCancelled()) {
      status = absl::CancelledError("the client cancelled the call");
    } else {
      auto principal = impl_->verifier_.Verify(authorization, impl_->clock_.Now());
      if (!principal.ok()) {
        status = principal.status();
      } else if (status = impl_->permissions_.Authorize(*principal, method); status.ok()) {
        on_grpc_thread_now = on_grpc_thread;
        status = work(*principal);
        on_grpc_thread_now = false;
        if (on_grpc_thread && IsContinueOnWorkerPool(status)) return false;
      }
    }
    const absl::Duration elapsed = absl::Now() - start;
    impl_->Observe(method, status.code(), elapsed);
    if (status.code() == absl::StatusCode::kInternal ||
        status.code() == absl::StatusCode::kUnknown ||
        status.code() == absl::StatusCode::kDataLoss) {
      kpo::log::Error("rpc failed", {{"method", method}, {"error", status.ToString()}});
    } else if (kpo::log::Enabled(kpo::log::Level::kDebug)) {
      kpo::log::Debug("rpc", {{"method", method},
                              {"code", CodeName(status.code())},
                              {"ms", absl::ToDoubleMilliseconds(elapsed)}});
    }
    finish(ToGrpcStatus(status));
    return true;
  };
  if (execution == Execution::kInline && impl_->TryEnterInline()) {
    const bool done = serve(true);
    impl_->inline_running_.fetch_sub(1, std::memory_order_relaxed);
    if (done) return;
  }
  if (!impl_->pool_->TrySubmit([serve = std::move(serve)] { serve(false); })) {
    const absl::Status overloaded =
        kpo::core::Error(absl::StatusCode::kResourceExhausted, "SERVER_OVERLOADED",
                         "the server is overloaded; retry with exponential backoff");
    impl_->Observe(method, overloaded.code(), absl::Now() - start);
    finish(ToGrpcStatus(overloaded));
  }
}

bool OnGrpcThread() { return on_grpc_thread_now; }

absl::Status ContinueOnWorkerPool() {
  absl::Status s = absl::UnavailableError("continue on the worker pool");
  s.SetPayload(kContinueOnWorkerPool, absl::Cord("1"));
  return s;
}

}  // namespace kpo::rpc
