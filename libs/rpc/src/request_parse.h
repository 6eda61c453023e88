#pragma once

// Requests gRPC could not parse. gRPC's callback handlers answer a request that fails
// to deserialize with UNIMPLEMENTED and an empty message, and protobuf says why only in
// a plain-text log line (a string field holding invalid UTF-8, for instance). This
// turns both into what a client can act on: INVALID_ARGUMENT naming the field (a
// BadRequest violation, reason INVALID_REQUEST_ENCODING), and a JSON log line.
//
// InstallProtobufLogHandler routes protobuf's own log lines into kpo::log (once per
// process; thread-safe) and remembers, per thread, the field of the last UTF-8
// complaint, which the interceptor (same thread: gRPC parses, then intercepts) reads.

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>

namespace kpo::rpc::internal {

void InstallProtobufLogHandler();

// The request-path of field `full_name` ("kpo.people.v1.Site.display_name") within the
// request message `request_type` ("kpo.people.v1.CreateSiteRequest"): "site.display_name";
// empty when not found.
std::string FieldPath(const std::string& request_type, const std::string& full_name);

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRequestParseInterceptorFactory();

}  // namespace kpo::rpc::internal
