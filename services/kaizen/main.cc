// kpo-kaizen: the kaizen events service.
#include "action_items.h"
#include "audits.h"
#include "grpc_service.h"
#include "kaizen_events.h"
#include "kpo/runtime/runtime.h"
#include "settings.h"

int main(int argc, char** argv) {
  kpo::runtime::ServiceSpec spec;
  spec.name = "kaizen";
  spec.topic = "kpo.kaizen.v1";
  spec.consumes = {"kpo.people.v1"};
  spec.directory_replica = true;
  spec.default_grpc_port = 7102;
  spec.default_metrics_port = 9102;
  spec.migrations = {{"kaizen", &kpo::kaizen::Migrations()}};
  spec.permissions = [](kpo::auth::PermissionTable& t) { kpo::kaizen::AddKaizenPermissions(t); };
  spec.setup = [](kpo::runtime::ServiceRuntime& rt, kpo::core::Config&) -> absl::Status {
    auto core = kpo::kaizen::NewCore(rt.commands(), rt.page_tokens());
    auto events = std::make_shared<kpo::kaizen::KaizenEvents>(core);
    auto action_items = std::make_shared<kpo::kaizen::ActionItems>(core);
    auto audits = std::make_shared<kpo::kaizen::Audits>(core);
    auto settings = std::make_shared<kpo::kaizen::Settings>(core);
    std::shared_ptr<grpc::Service> service =
        kpo::kaizen::NewKaizenService(rt.server(), {*events, *action_items, *audits, *settings});
    rt.server().AddService(service.get(), kpo::kaizen::kKaizenServiceName);
    rt.Own(core);
    rt.Own(events);
    rt.Own(action_items);
    rt.Own(audits);
    rt.Own(settings);
    rt.Own(service);
    return absl::OkStatus();
  };
  return kpo::runtime::RunService(argc, argv, spec);
}
