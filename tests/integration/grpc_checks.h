#pragma once

// Checks the services' integration suites make over gRPC: the fields a refusal names,
// and tenancy on every method (each, called by another organization with this
// organization's names, is refused).

#include <map>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/rpc/status.h"
#include "stack.h"

namespace kpo::testing {

// The fields an INVALID_ARGUMENT names, in order (and a failed expectation when the
// status is another code).
inline std::vector<std::string> ViolatedFields(const grpc::Status& s) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  std::vector<std::string> out;
  for (const auto& v : kpo::core::FieldViolationsOf(kpo::rpc::FromGrpcStatus(s))) {
    out.push_back(v.field);
  }
  return out;
}

// Each method took at least one of `names` as its resource and refused it with
// PERMISSION_DENIED; the names a method does not take are INVALID_ARGUMENT (wrong
// shape), never a success.
inline void ExpectEveryMethodRefusesEveryName(
    const std::map<std::string, std::vector<grpc::Status>>& outcomes,
    const std::vector<std::string>& names) {
  ASSERT_FALSE(outcomes.empty());
  for (const auto& [method, statuses] : outcomes) {
    ASSERT_EQ(statuses.size(), names.size()) << method << " names no resource";
    int denied = 0;
    for (size_t i = 0; i < names.size(); ++i) {
      const grpc::StatusCode code = statuses[i].error_code();
      EXPECT_TRUE(code == grpc::StatusCode::PERMISSION_DENIED ||
                  code == grpc::StatusCode::INVALID_ARGUMENT)
          << method << " " << names[i] << ": " << code << " " << statuses[i].error_message();
      denied += code == grpc::StatusCode::PERMISSION_DENIED;
    }
    EXPECT_GT(denied, 0) << method << " took none of the names";
  }
}

// Sets a request's request_id, when it has one, to a malformed value (65 characters).
inline void MalformRequestId(google::protobuf::Message& request) {
  const auto* field = request.GetDescriptor()->FindFieldByName("request_id");
  if (field != nullptr) request.GetReflection()->SetString(&request, field, std::string(65, 'r'));
}

// Each method whose request carries a request_id (every mutating one) refused it, for at
// least one of the names, with INVALID_ARGUMENT naming "request_id", and never
// succeeded. Methods without one (reads) are skipped.
inline void ExpectEveryMutationRefusesABadRequestId(
    const std::map<std::string, std::vector<grpc::Status>>& outcomes,
    const std::string& service_name) {
  const auto* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
  ASSERT_NE(service, nullptr);
  int mutating = 0;
  for (int m = 0; m < service->method_count(); ++m) {
    const auto* method = service->method(m);
    if (method->input_type()->FindFieldByName("request_id") == nullptr) continue;
    ++mutating;
    const auto it = outcomes.find(method->name());
    ASSERT_NE(it, outcomes.end()) << method->name() << " was not called";
    bool named = false;
    for (const grpc::Status& s : it->second) {
      EXPECT_FALSE(s.ok()) << method->name() << " accepted a malformed request_id";
      if (s.error_code() != grpc::StatusCode::INVALID_ARGUMENT) continue;
      for (const auto& v : kpo::core::FieldViolationsOf(kpo::rpc::FromGrpcStatus(s))) {
        named = named || v.field == "request_id";
      }
    }
    EXPECT_TRUE(named) << method->name() << " never named request_id";
  }
  EXPECT_GT(mutating, 0);
}

}  // namespace kpo::testing
