#pragma once

// absl::Status <-> grpc::Status. The ErrorInfo and BadRequest payloads of kpo::core
// errors travel as a google.rpc.Status in the grpc-status-details-bin trailer, which
// standard clients (grpcurl, any language's rich error model) decode.

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace kpo::rpc {

grpc::Status ToGrpcStatus(const absl::Status& status);
// Restores code, message and the ErrorInfo / BadRequest payloads.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace kpo::rpc
