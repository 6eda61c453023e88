// kpo-daily: the daily kaizen service (ideas, circles, kata storyboards and coaching
// cycles, gemba walks, yokoten).
#include "grpc_service.h"
#include "ideas.h"
#include "kpo/runtime/runtime.h"

int main(int argc, char** argv) {
  kpo::runtime::ServiceSpec spec;
  spec.name = "daily";
  spec.topic = "kpo.daily.v1";
  spec.consumes = {"kpo.people.v1"};
  spec.directory_replica = true;
  spec.default_grpc_port = 7103;
  spec.default_metrics_port = 9103;
  spec.migrations = {{"daily", &kpo::daily::Migrations()}};
  spec.permissions = [](kpo::auth::PermissionTable& t) { kpo::daily::AddDailyPermissions(t); };
  spec.setup = [](kpo::runtime::ServiceRuntime& rt, kpo::core::Config&) -> absl::Status {
    auto ideas = std::make_shared<const kpo::daily::Ideas>(rt.commands(), rt.page_tokens());
    auto settings = std::make_shared<const kpo::daily::Settings>(rt.commands());
    auto circles = std::make_shared<const kpo::daily::Circles>(rt.commands(), rt.page_tokens());
    auto storyboards =
        std::make_shared<const kpo::daily::Storyboards>(rt.commands(), rt.page_tokens());
    auto coaching = std::make_shared<const kpo::daily::Coaching>(rt.commands(), rt.page_tokens());
    auto gemba = std::make_shared<const kpo::daily::Gemba>(rt.commands(), rt.page_tokens());
    auto yokoten = std::make_shared<const kpo::daily::Yokoten>(rt.commands(), rt.page_tokens());
    std::shared_ptr<grpc::Service> service = kpo::daily::NewDailyKaizenService(
        rt.server(), {*ideas, *circles, *settings, *storyboards, *coaching, *gemba, *yokoten});
    rt.server().AddService(service.get(), kpo::daily::kDailyKaizenServiceName);
    rt.Own(ideas);
    rt.Own(settings);
    rt.Own(circles);
    rt.Own(storyboards);
    rt.Own(coaching);
    rt.Own(gemba);
    rt.Own(yokoten);
    rt.Own(service);
    return absl::OkStatus();
  };
  return kpo::runtime::RunService(argc, argv, spec);
}
