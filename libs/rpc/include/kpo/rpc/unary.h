#pragma once

// The one line per RPC of every service's gRPC adapter: a callback-service method that
// hands the request to an application call `App.Method(principal, request)` (an
// absl::StatusOr<Resp>) through Server::Unary (authentication, the permission table,
// deadlines, metrics, status mapping). Used inside a class with a `kpo::rpc::Server&
// server_` member. `Service` is the full service name as a string literal, `Exec` a
// kpo::rpc::Execution value (kInline for reads, kWorkerPool for writes).

#include <utility>

#include "absl/status/status.h"
#include "kpo/auth/auth.h"
#include "kpo/rpc/server.h"

#define KPO_RPC_UNARY(Service, Exec, App, Method, Req, Resp)                                     \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) \
      override {                                                                                 \
    return server_.Unary<Req, Resp>(                                                             \
        ctx, req, resp, "/" Service "/" #Method,                                                 \
        [this](const ::kpo::auth::Principal& p, const Req& r, Resp& out) -> absl::Status {       \
          auto result = (App).Method(p, r);                                                      \
          if (!result.ok()) return result.status();                                              \
          out = *std::move(result);                                                              \
          return absl::OkStatus();                                                               \
        },                                                                                       \
        ::kpo::rpc::Execution::Exec);                                                            \
  }

// The same for an application call that fills the response in place,
// `absl::Status App.Method(principal, request, Resp& out)`: with an ArenaAllocator
// registered for the method, everything it writes lands on the call's arena.
#define KPO_RPC_UNARY_INTO(Service, Exec, App, Method, Req, Resp)                                \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const Req* req, Resp* resp) \
      override {                                                                                 \
    return server_.Unary<Req, Resp>(                                                             \
        ctx, req, resp, "/" Service "/" #Method,                                                 \
        [this](const ::kpo::auth::Principal& p, const Req& r, Resp& out) -> absl::Status {       \
          return (App).Method(p, r, out);                                                        \
        },                                                                                       \
        ::kpo::rpc::Execution::Exec);                                                            \
  }
