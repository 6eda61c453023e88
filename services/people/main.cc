// kpo-people: the people development service (organization directory so far).
#include "directory.h"
#include "kpo/runtime/runtime.h"
#include "service.h"

int main(int argc, char** argv) {
  kpo::runtime::ServiceSpec spec;
  spec.name = "people";
  spec.topic = "kpo.people.v1";
  spec.default_grpc_port = 7101;
  spec.default_metrics_port = 9101;
  spec.migrations = {{"people", &kpo::people::Migrations()}};
  spec.permissions = [](kpo::auth::PermissionTable& t) { kpo::people::AddPeoplePermissions(t); };
  spec.setup = [](kpo::runtime::ServiceRuntime& rt, kpo::core::Config&) -> absl::Status {
    auto directory = std::make_shared<kpo::people::Directory>(
        rt.db(), rt.outbox(), rt.clock(), rt.page_tokens(), /*cache=*/nullptr,
        [&rt] { rt.OutboxCommitted(); });
    std::shared_ptr<grpc::Service> service = kpo::people::NewPeopleService(rt.server(), *directory);
    rt.server().AddService(service.get(), kpo::people::kPeopleServiceName);
    rt.Own(directory);
    rt.Own(service);
    return absl::OkStatus();
  };
  return kpo::runtime::RunService(argc, argv, spec);
}
