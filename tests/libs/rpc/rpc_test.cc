#include <grpcpp/grpcpp.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/ops/v1/ops_service.grpc.pb.h"
#include "kpo/rpc/server.h"
#include "kpo/rpc/status.h"

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

}  // namespace
}  // namespace kpo::rpc
