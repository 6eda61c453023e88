#include "ops_commands.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli.h"
#include "google/protobuf/util/time_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kpo/ops/v1/ops_service.grpc.pb.h"
#include "output.h"

namespace kpo::kpoctl {

namespace ops = kpo::ops::v1;

// `ops`: outbox, inbox and replica figures, republishing, replica entries.
void AddOpsCommands(CLI::App& app, int& rc) {
  // Options live for the whole process: CLI11 keeps pointers to them.
  auto* opsc =
      app.add_subcommand("ops", "operations: status, republish, replica")->require_subcommand(1);
  // One variable per subcommand: CLI11's default_val writes it when the option is
  // declared, so a shared one would keep the last subcommand's default.
  static std::string status_service, republish_service, replica_service;
  static std::string since = "1970-01-01T00:00:00Z", replica_name;
  auto* status = opsc->add_subcommand("status", "outbox, inbox and replica figures");
  status->add_option("--service", status_service, "people|kaizen|daily|reporting, or all")
      ->default_val("all");
  status->callback([=, &rc] {
    std::vector<std::string> services =
        status_service == "all" ? std::vector<std::string>{"people", "kaizen", "daily", "reporting"}
                                : std::vector<std::string>{status_service};
    Table t({"SERVICE", "OUTBOX PENDING", "OUTBOX SENT", "INBOX", "REPLICA"});
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& s : services) {
      auto stub = ops::OpsService::NewStub(Channel(Address(s)));
      grpc::ClientContext ctx;
      Prepare(ctx);
      ops::ServiceStatus st;
      grpc::Status gs = stub->GetServiceStatus(&ctx, ops::GetServiceStatusRequest(), &st);
      if (!gs.ok()) {
        rc = Fail(gs);
        continue;
      }
      std::vector<std::string> replica;
      for (const auto& [k, v] : st.replica_counts()) replica.push_back(absl::StrCat(k, "=", v));
      std::sort(replica.begin(), replica.end());
      t.Add({s, std::to_string(st.outbox_pending()), std::to_string(st.outbox_sent_retained()),
             std::to_string(st.inbox_processed()), absl::StrJoin(replica, " ")});
      arr.push_back(nlohmann::json::parse(ToJson(st, false)));
    }
    if (g.output == "json") {
      std::cout << arr.dump(2) << "\n";
    } else {
      Show(t);
    }
  });
  auto* republish =
      opsc->add_subcommand("republish", "publish the organization's retained events again");
  republish->add_option("--service", republish_service)->default_val("people");
  republish->add_option("--since", since, "RFC 3339 time; everything retained by default");
  republish->callback([=, &rc] {
    ops::RepublishOutboxRequest r;
    if (!google::protobuf::util::TimeUtil::FromString(since, r.mutable_since())) {
      std::cerr << "error: --since must be RFC 3339, e.g. 2026-01-31T00:00:00Z\n";
      rc = 2;
      return;
    }
    auto stub = ops::OpsService::NewStub(Channel(Address(republish_service)));
    rc = Unary<ops::RepublishOutboxResponse>(
        [&](auto* ctx, auto* resp) { return stub->RepublishOutbox(ctx, r, resp); });
  });
  auto* replica =
      opsc->add_subcommand("replica", "what a service's directory replica holds for a name");
  replica->add_option("name", replica_name, "resource name, or a person id")->required();
  replica->add_option("--service", replica_service)->default_val("kaizen");
  replica->callback([=, &rc] {
    ops::GetReplicaEntryRequest r;
    r.set_name(absl::StartsWith(replica_name, "organizations/") ? replica_name
                                                                : Name("people", replica_name));
    auto stub = ops::OpsService::NewStub(Channel(Address(replica_service)));
    rc = Unary<ops::ReplicaEntry>(
        [&](auto* ctx, auto* resp) { return stub->GetReplicaEntry(ctx, r, resp); });
  });
}

// `health`: liveness and readiness of every service.
void AddHealthCommand(CLI::App& app, int& rc) {
  // Options live for the whole process: CLI11 keeps pointers to them.
  static std::string service = "all";
  auto* health = app.add_subcommand("health", "liveness and readiness of the services");
  health->add_option("--service", service)->default_val("all");
  health->callback([=, &rc] {
    std::vector<std::string> services =
        service == "all" ? std::vector<std::string>{"people", "kaizen", "daily", "reporting"}
                         : std::vector<std::string>{service};
    Table t({"SERVICE", "ADDRESS", "LIVENESS", "READINESS"});
    for (const auto& s : services) {
      auto stub = grpc::health::v1::Health::NewStub(Channel(Address(s)));
      std::vector<std::string> row = {s, Address(s)};
      for (const char* which : {"liveness", "readiness"}) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
        grpc::health::v1::HealthCheckRequest req;
        req.set_service(which);
        grpc::health::v1::HealthCheckResponse resp;
        grpc::Status gs = stub->Check(&ctx, req, &resp);
        if (!gs.ok()) {
          row.push_back("UNREACHABLE");
          rc = 1;
        } else {
          row.push_back(grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status()));
          if (resp.status() != grpc::health::v1::HealthCheckResponse::SERVING) rc = 1;
        }
      }
      t.Add(row);
    }
    Show(t);
  });
}

}  // namespace kpo::kpoctl
