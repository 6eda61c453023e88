#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <prometheus/registry.h>
#include <pthread.h>

#include <atomic>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/ops/v1/ops_service.grpc.pb.h"
#include "kpo/rpc/arena_allocator.h"
#include "kpo/rpc/server.h"
#include "kpo/rpc/status.h"
#include "kpo/testing/harness.h"

namespace kpo::rpc {
namespace {

TEST(StatusMappingTest, RichDetailsSurviveTheRoundTrip) {
  kpo::core::FieldViolations v;
  v.Add("person.email", "is not an email address");
  absl::Status original = v.ToStatus();
  grpc::Status wire = ToGrpcStatus(original);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(wire.error_details().empty());
  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(kpo::core::ErrorReason(back), "INVALID_ARGUMENT");
  ASSERT_EQ(kpo::core::FieldViolationsOf(back).size(), 1u);
  EXPECT_EQ(kpo::core::FieldViolationsOf(back)[0].field, "person.email");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(ToGrpcStatus(absl::AbortedError("x")).error_code(), grpc::StatusCode::ABORTED);
}

class OpsStub final : public kpo::ops::v1::OpsService::CallbackService {};

// GetServiceStatus blocks until released, so the test controls the worker.
class BlockingOps final : public kpo::ops::v1::OpsService::CallbackService {
 public:
  explicit BlockingOps(Server& server, Execution execution = Execution::kWorkerPool)
      : server_(server), execution_(execution) {}
  grpc::ServerUnaryReactor* GetServiceStatus(grpc::CallbackServerContext* ctx,
                                             const kpo::ops::v1::GetServiceStatusRequest* req,
                                             kpo::ops::v1::ServiceStatus* resp) override {
    return server_.Unary<kpo::ops::v1::GetServiceStatusRequest, kpo::ops::v1::ServiceStatus>(
        ctx, req, resp, "/kpo.ops.v1.OpsService/GetServiceStatus",
        [this](const kpo::auth::Principal&, const kpo::ops::v1::GetServiceStatusRequest&,
               kpo::ops::v1::ServiceStatus&) {
          {
            char name[16] = {};
            pthread_getname_np(pthread_self(), name, sizeof(name));
            absl::MutexLock lock(&mu);
            threads.emplace_back(name);
          }
          ++started;
          release.WaitForNotification();
          return absl::OkStatus();
        },
        execution_);
  }
  std::atomic<int> started{0};
  absl::Notification release;
  absl::Mutex mu;
  std::vector<std::string> threads ABSL_GUARDED_BY(mu);  // each call's thread name

 private:
  Server& server_;
  const Execution execution_;
};

// Answers at once when `quick`, else only off gRPC's threads (ContinueOnWorkerPool).
class TwoWayOps final : public kpo::ops::v1::OpsService::CallbackService {
 public:
  explicit TwoWayOps(Server& server, bool on_arena = false) : server_(server) {
    if (on_arena) SetMessageAllocatorFor_GetServiceStatus(&allocator_);
  }
  grpc::ServerUnaryReactor* GetServiceStatus(grpc::CallbackServerContext* ctx,
                                             const kpo::ops::v1::GetServiceStatusRequest* req,
                                             kpo::ops::v1::ServiceStatus* resp) override {
    return server_.Unary<kpo::ops::v1::GetServiceStatusRequest, kpo::ops::v1::ServiceStatus>(
        ctx, req, resp, "/kpo.ops.v1.OpsService/GetServiceStatus",
        [this](const kpo::auth::Principal&, const kpo::ops::v1::GetServiceStatusRequest&,
               kpo::ops::v1::ServiceStatus& out) {
          char name[16] = {};
          pthread_getname_np(pthread_self(), name, sizeof(name));
          {
            absl::MutexLock lock(&mu);
            runs.emplace_back(name, kpo::rpc::OnGrpcThread());
          }
          if (!quick && kpo::rpc::OnGrpcThread()) return kpo::rpc::ContinueOnWorkerPool();
          out.set_service(name);
          (*out.mutable_replica_counts())["on_arena"] = out.GetArena() != nullptr;
          return absl::OkStatus();
        },
        Execution::kInline);
  }
  std::atomic<bool> quick{true};
  absl::Mutex mu;
  std::vector<std::pair<std::string, bool>> runs ABSL_GUARDED_BY(mu);  // thread, on gRPC's

 private:
  Server& server_;
  kpo::rpc::ArenaAllocator<kpo::ops::v1::GetServiceStatusRequest, kpo::ops::v1::ServiceStatus>
      allocator_;
};

// Every ops method open to any role.
kpo::auth::PermissionTable OpsTable() {
  kpo::auth::PermissionTable table;
  for (const char* m : {"GetServiceStatus", "RepublishOutbox", "GetReplicaEntry"}) {
    table.Allow(std::string("/kpo.ops.v1.OpsService/") + m, kpo::auth::AnyRole());
  }
  return table;
}

// A client of `server`'s ops service over loopback.
std::unique_ptr<kpo::ops::v1::OpsService::Stub> OpsStubOf(const Server& server) {
  return kpo::ops::v1::OpsService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(server.grpc_port()), grpc::InsecureChannelCredentials()));
}

// "Bearer <token>" of an org_admin of acme, signed with `secret`.
std::string AdminToken(const std::string& secret) {
  kpo::auth::MintOptions mint;
  mint.hs256_secret = secret;
  mint.organization_id = "acme";
  mint.subject = "t";
  mint.roles = {kpo::auth::kOrgAdmin};
  return "Bearer " + kpo::auth::MintHs256(mint, absl::Now()).value();
}

double Gauge(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name == name && !family.metric.empty()) return family.metric[0].gauge.value;
  }
  return -1;
}

TEST(ServerTest, RefusesToStartWhenAMethodHasNoPermissionEntry) {
  auto verifier = kpo::auth::Verifier::Create({.hs256_secret = std::string(40, 's')});
  kpo::auth::PermissionTable table;
  table.Allow("/kpo.ops.v1.OpsService/GetServiceStatus", kpo::auth::AnyRole());
  Server server({.service_name = "t", .listen = "127.0.0.1:0", .metrics_listen = ""}, *verifier,
                table, kpo::core::Clock::Real());
  OpsStub service;
  server.AddService(&service, "kpo.ops.v1.OpsService");
  absl::Status s = server.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("RepublishOutbox"));
}

TEST(ServerTest, ReadinessFollowsItsCheckWhileLivenessStaysUp) {
  auto verifier = kpo::auth::Verifier::Create({.hs256_secret = std::string(40, 's')});
  kpo::auth::PermissionTable table = OpsTable();
  Server server({.service_name = "t",
                 .listen = "127.0.0.1:0",
                 .metrics_listen = "",
                 .readiness_interval = absl::Milliseconds(20)},
                *verifier, table, kpo::core::Clock::Real());
  OpsStub service;
  server.AddService(&service, "kpo.ops.v1.OpsService");
  std::atomic<bool> database_answers{false};
  server.SetReadinessCheck([&] {
    return database_answers ? absl::OkStatus() : absl::UnavailableError("database down");
  });
  ASSERT_TRUE(server.Start().ok());
  auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(server.grpc_port()), grpc::InsecureChannelCredentials()));
  auto status = [&](const char* name) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(name);
    grpc::health::v1::HealthCheckResponse resp;
    if (!health->Check(&ctx, req, &resp).ok())
      return grpc::health::v1::HealthCheckResponse::UNKNOWN;
    return resp.status();
  };
  using H = grpc::health::v1::HealthCheckResponse;
  EXPECT_EQ(status("liveness"), H::SERVING);
  EXPECT_EQ(status("readiness"), H::NOT_SERVING);
  database_answers = true;
  EXPECT_TRUE(kpo::testing::WaitFor([&] { return status("readiness") == H::SERVING; }));
  EXPECT_EQ(status(""), H::SERVING);
  database_answers = false;
  EXPECT_TRUE(kpo::testing::WaitFor([&] { return status("readiness") == H::NOT_SERVING; }));
  EXPECT_EQ(status("liveness"), H::SERVING) << "liveness never depends on the database";
  // Destroyed without Wait(): shuts down cleanly.
}

TEST(ServerTest, ShedsLoadBeyondTheQueueBoundInsteadOfQueueingForever) {
  const std::string secret(40, 's');
  auto verifier = kpo::auth::Verifier::Create({.hs256_secret = secret});
  kpo::auth::PermissionTable table = OpsTable();
  Server server({.service_name = "t",
                 .listen = "127.0.0.1:0",
                 .metrics_listen = "",
                 .worker_threads = 1,
                 .max_queued_calls = 1},
                *verifier, table, kpo::core::Clock::Real());
  BlockingOps service(server);
  server.AddService(&service, "kpo.ops.v1.OpsService");
  ASSERT_TRUE(server.Start().ok());
  auto stub = OpsStubOf(server);
  const std::string token = AdminToken(secret);

  struct Call {
    grpc::ClientContext ctx;
    kpo::ops::v1::GetServiceStatusRequest req;
    kpo::ops::v1::ServiceStatus resp;
    grpc::Status status;
    absl::Notification done;
  };
  auto start = [&](Call& c) {
    c.ctx.AddMetadata("authorization", token);
    stub->async()->GetServiceStatus(&c.ctx, &c.req, &c.resp, [&c](grpc::Status s) {
      c.status = s;
      c.done.Notify();
    });
  };
  Call running, queued, refused;
  start(running);
  ASSERT_TRUE(kpo::testing::WaitFor([&] { return service.started == 1; }));
  start(queued);
  ASSERT_TRUE(
      kpo::testing::WaitFor([&] { return Gauge(server.registry(), "kpo_rpc_queued_calls") == 1; }));
  start(refused);
  ASSERT_TRUE(refused.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(kpo::core::ErrorReason(FromGrpcStatus(refused.status)), "SERVER_OVERLOADED");
  service.release.Notify();
  ASSERT_TRUE(running.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_TRUE(queued.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(running.status.ok()) << running.status.error_message();
  EXPECT_TRUE(queued.status.ok()) << "a queued call is served once a worker is free";
}

// The two handler placements: a quick read runs on gRPC's own thread while an inline
// slot is free and on the pool otherwise; a server without slots runs all on the pool.
TEST(ServerTest, QuickReadsRunInlineWhileASlotIsFreeAndOtherwiseOnThePool) {
  const std::string secret(40, 's');
  auto verifier = kpo::auth::Verifier::Create({.hs256_secret = secret});
  kpo::auth::PermissionTable table = OpsTable();
  const std::string token = AdminToken(secret);
  struct Call {
    grpc::ClientContext ctx;
    kpo::ops::v1::GetServiceStatusRequest req;
    kpo::ops::v1::ServiceStatus resp;
    grpc::Status status;
    absl::Notification done;
  };

  for (const int slots : {1, 0}) {
    SCOPED_TRACE(::testing::Message() << "inline_calls = " << slots);
    Server server({.service_name = "t",
                   .listen = "127.0.0.1:0",
                   .metrics_listen = "",
                   .worker_threads = 2,
                   .inline_calls = slots},
                  *verifier, table, kpo::core::Clock::Real());
    BlockingOps service(server, Execution::kInline);
    server.AddService(&service, "kpo.ops.v1.OpsService");
    ASSERT_TRUE(server.Start().ok());
    auto stub = OpsStubOf(server);
    auto start = [&](Call& c) {
      c.ctx.AddMetadata("authorization", token);
      stub->async()->GetServiceStatus(&c.ctx, &c.req, &c.resp, [&c](grpc::Status s) {
        c.status = s;
        c.done.Notify();
      });
    };
    // The first call holds its slot (it blocks); the second, arriving meanwhile, must
    // not wait behind it on a gRPC thread: it runs on the pool.
    Call first, second;
    start(first);
    ASSERT_TRUE(kpo::testing::WaitFor([&] { return service.started == 1; }));
    start(second);
    ASSERT_TRUE(kpo::testing::WaitFor([&] { return service.started == 2; }))
        << "a blocked inline call stalled the next one";
    service.release.Notify();
    for (Call* c : {&first, &second}) {
      ASSERT_TRUE(c->done.WaitForNotificationWithTimeout(absl::Seconds(10)));
      EXPECT_TRUE(c->status.ok()) << c->status.error_message();
    }
    // The slot is given back: the next call runs inline again.
    Call third;
    start(third);
    ASSERT_TRUE(third.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
    absl::MutexLock lock(&service.mu);
    ASSERT_EQ(service.threads.size(), 3u);
    if (slots == 1) {
      EXPECT_NE(service.threads[0], "kpo-worker");
      EXPECT_EQ(service.threads[1], "kpo-worker");
      EXPECT_NE(service.threads[2], "kpo-worker");
    } else {
      EXPECT_THAT(service.threads, ::testing::Each("kpo-worker"));
    }
  }
}

// A quick read answered inline; one that must work at length hands itself to the pool
// and runs again there, the client seeing one answer.
TEST(ServerTest, AnInlineReadThatMustWorkAtLengthContinuesOnThePool) {
  const std::string secret(40, 's');
  auto verifier = kpo::auth::Verifier::Create({.hs256_secret = secret});
  kpo::auth::PermissionTable table = OpsTable();
  const std::string token = AdminToken(secret);
  Server server({.service_name = "t",
                 .listen = "127.0.0.1:0",
                 .metrics_listen = "",
                 .worker_threads = 2,
                 .inline_calls = 1},
                *verifier, table, kpo::core::Clock::Real());
  TwoWayOps service(server);
  server.AddService(&service, "kpo.ops.v1.OpsService");
  ASSERT_TRUE(server.Start().ok());
  auto stub = OpsStubOf(server);
  auto call = [&] {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", token);
    kpo::ops::v1::GetServiceStatusRequest req;
    kpo::ops::v1::ServiceStatus resp;
    const grpc::Status status = stub->GetServiceStatus(&ctx, req, &resp);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return resp.service();
  };
  EXPECT_NE(call(), "kpo-worker");  // answered on the gRPC thread
  service.quick = false;
  EXPECT_EQ(call(), "kpo-worker");  // handed over, answered on the pool
  EXPECT_FALSE(kpo::rpc::OnGrpcThread());
  absl::MutexLock lock(&service.mu);
  ASSERT_EQ(service.runs.size(), 3u);
  EXPECT_TRUE(service.runs[0].second);
  EXPECT_TRUE(service.runs[1].second);  // the first try, inline
  EXPECT_NE(service.runs[1].first, "kpo-worker");
  EXPECT_FALSE(service.runs[2].second);  // the second, on the pool
  EXPECT_EQ(service.runs[2].first, "kpo-worker");
}

// With an ArenaAllocator registered, the handler fills a response that lives on the
// call's arena (and the client gets it whole); without one, on the heap.
TEST(ServerTest, AnArenaAllocatorPutsTheResponseOnTheCallsArena) {
  const std::string secret(40, 's');
  auto verifier = kpo::auth::Verifier::Create({.hs256_secret = secret});
  kpo::auth::PermissionTable table = OpsTable();
  const std::string token = AdminToken(secret);
  for (const bool on_arena : {true, false}) {
    SCOPED_TRACE(on_arena ? "with the allocator" : "without");
    Server server({.service_name = "t", .listen = "127.0.0.1:0", .metrics_listen = ""}, *verifier,
                  table, kpo::core::Clock::Real());
    TwoWayOps service(server, on_arena);
    server.AddService(&service, "kpo.ops.v1.OpsService");
    ASSERT_TRUE(server.Start().ok());
    auto stub = OpsStubOf(server);
    for (int i = 0; i < 3; ++i) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", token);
      kpo::ops::v1::GetServiceStatusRequest req;
      kpo::ops::v1::ServiceStatus resp;
      const grpc::Status status = stub->GetServiceStatus(&ctx, req, &resp);
      ASSERT_TRUE(status.ok()) << status.error_message();
      EXPECT_FALSE(resp.service().empty());
      EXPECT_EQ(resp.replica_counts().at("on_arena"), on_arena ? 1 : 0);
    }
  }
}

// A request with a string field holding invalid UTF-8, sent as raw bytes (a C++ client
// would refuse to build it; other languages' clients and hand-made frames do not).
TEST(ServerTest, UnparsableRequestIsInvalidArgumentNamingTheField) {
  auto verifier = kpo::auth::Verifier::Create({.hs256_secret = std::string(40, 's')});
  kpo::auth::PermissionTable table = OpsTable();
  Server server({.service_name = "t", .listen = "127.0.0.1:0", .metrics_listen = ""}, *verifier,
                table, kpo::core::Clock::Real());
  OpsStub service;
  server.AddService(&service, "kpo.ops.v1.OpsService");
  ASSERT_TRUE(server.Start().ok());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.grpc_port()),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  auto call = [&](const std::string& bytes) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::ClientContext ctx;
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(&ctx, "/kpo.ops.v1.OpsService/GetReplicaEntry", grpc::StubOptions(), &request,
                   &response, [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    return FromGrpcStatus(status);
  };
  // Field 1 (name), length 4: "a", 0xff, 0xfe, "b".
  absl::Status bad_utf8 =
      call(std::string("\x0a\x04"
                       "a\xff\xfe"
                       "b",
                       6));
  EXPECT_EQ(bad_utf8.code(), absl::StatusCode::kInvalidArgument) << bad_utf8;
  EXPECT_EQ(kpo::core::ErrorReason(bad_utf8), "INVALID_REQUEST_ENCODING");
  ASSERT_EQ(kpo::core::FieldViolationsOf(bad_utf8).size(), 1u);
  EXPECT_EQ(kpo::core::FieldViolationsOf(bad_utf8)[0].field, "name");
  // Not protobuf at all: a truncated length-delimited field.
  absl::Status garbage =
      call(std::string("\x0a\x7f"
                       "abc",
                       5));
  EXPECT_EQ(garbage.code(), absl::StatusCode::kInvalidArgument) << garbage;
  EXPECT_THAT(std::string(garbage.message()),
              ::testing::HasSubstr("kpo.ops.v1.GetReplicaEntryRequest"));
}

}  // namespace
}  // namespace kpo::rpc
