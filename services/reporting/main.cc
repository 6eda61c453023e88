// kpo-reporting: the reporting service (transformation scorecards per organization, site
// and area, from the events of the other services).
#include "grpc_service.h"
#include "kpo/runtime/runtime.h"
#include "projection.h"
#include "scorecards.h"

int main(int argc, char** argv) {
  kpo::runtime::ServiceSpec spec;
  spec.name = "reporting";
  spec.topic = "kpo.reporting.v1";
  spec.consumes = {"kpo.people.v1", "kpo.kaizen.v1", "kpo.daily.v1"};
  spec.directory_replica = true;
  spec.default_grpc_port = 7104;
  spec.default_metrics_port = 9104;
  spec.migrations = {{"reporting", &kpo::reporting::Migrations()}};
  spec.permissions = [](kpo::auth::PermissionTable& t) {
    kpo::reporting::AddReportingPermissions(t);
  };
  spec.setup = [](kpo::runtime::ServiceRuntime& rt, kpo::core::Config&) -> absl::Status {
    kpo::events::Consumer& consumer = *rt.consumer();
    kpo::reporting::RegisterProjection(consumer, rt.clock());
    auto scorecards = std::make_shared<const kpo::reporting::Scorecards>(
        rt.db(), rt.clock(), consumer.name(), [&consumer] { return consumer.stats().lag; });
    std::shared_ptr<grpc::Service> service =
        kpo::reporting::NewReportingService(rt.server(), *scorecards);
    rt.server().AddService(service.get(), kpo::reporting::kReportingServiceName);
    rt.Own(scorecards);
    rt.Own(service);
    return absl::OkStatus();
  };
  return kpo::runtime::RunService(argc, argv, spec);
}
