// kpo-kaizen: the kaizen events service.
#include "kaizen_events.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/runtime/runtime.h"
#include "service.h"

int main(int argc, char** argv) {
  kpo::runtime::ServiceSpec spec;
  spec.name = "kaizen";
  spec.topic = "kpo.kaizen.v1";
  spec.consumes = {"kpo.people.v1"};
  spec.directory_replica = true;
  spec.default_grpc_port = 7102;
  spec.default_metrics_port = 9102;
  spec.migrations = {{"kaizen", &kpo::kaizen::Migrations()},
                     {"idempotency", &kpo::idempotency::Migrations()}};
  spec.permissions = [](kpo::auth::PermissionTable& t) { kpo::kaizen::AddKaizenPermissions(t); };
  spec.setup = [](kpo::runtime::ServiceRuntime& rt, kpo::core::Config&) -> absl::Status {
    auto events = std::make_shared<kpo::kaizen::KaizenEvents>(
        rt.db(), rt.outbox(), rt.clock(), rt.page_tokens(), [&rt] { rt.OutboxCommitted(); });
    std::shared_ptr<grpc::Service> service = kpo::kaizen::NewKaizenService(rt.server(), *events);
    rt.server().AddService(service.get(), kpo::kaizen::kKaizenServiceName);
    rt.Own(events);
    rt.Own(service);
    return absl::OkStatus();
  };
  return kpo::runtime::RunService(argc, argv, spec);
}
