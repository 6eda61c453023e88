// kpo-people: the people development service: the organization directory and, beside
// it, people development (competency model, assessments, skills matrices, portfolios,
// the KPO office, certification, curriculum, development plans).
#include "development_grpc.h"
#include "directory.h"
#include "grpc_service.h"
#include "kpo/cache/redis_cache.h"
#include "kpo/runtime/runtime.h"
#include "resource_cache.h"

int main(int argc, char** argv) {
  kpo::runtime::ServiceSpec spec;
  spec.name = "people";
  spec.topic = "kpo.people.v1";
  // Portfolio evidence is credited from the kaizen and daily kaizen services' events.
  spec.consumes = {"kpo.kaizen.v1", "kpo.daily.v1"};
  spec.default_grpc_port = 7101;
  spec.default_metrics_port = 9101;
  spec.migrations = {{"people", &kpo::people::Migrations()}};
  spec.permissions = [](kpo::auth::PermissionTable& t) {
    kpo::people::AddPeoplePermissions(t);
    kpo::people::AddDevelopmentPermissions(t);
  };
  spec.setup = [](kpo::runtime::ServiceRuntime& rt, kpo::core::Config& config) -> absl::Status {
    // Redis is optional: without redis.address every read goes to the database.
    std::shared_ptr<kpo::people::ResourceCache> cache;
    kpo::cache::RedisOptions redis;
    redis.address = config.String("redis.address", "");
    redis.command_timeout = config.Duration("redis.command_timeout", absl::Milliseconds(50));
    redis.pool_size = static_cast<int>(config.Int("redis.pool_size", 8, 1, 256));
    redis.service = "people";
    const absl::Duration ttl = config.Duration("redis.ttl", absl::Minutes(5));
    if (!redis.address.empty()) {
      auto redis_cache =
          std::make_shared<kpo::cache::RedisCache>(redis, rt.clock(), &rt.server().registry());
      cache = std::make_shared<kpo::people::RedisResourceCache>(*redis_cache, ttl, rt.clock());
      rt.Own(redis_cache);
      rt.Own(cache);
    }
    auto directory =
        std::make_shared<kpo::people::Directory>(rt.commands(), rt.page_tokens(), cache.get());
    std::shared_ptr<grpc::Service> service = kpo::people::NewPeopleService(rt.server(), *directory);
    rt.server().AddService(service.get(), kpo::people::kPeopleServiceName);
    auto model =
        std::make_shared<const kpo::people::CompetencyModel>(rt.commands(), rt.page_tokens());
    auto assessments =
        std::make_shared<const kpo::people::Assessments>(rt.commands(), rt.page_tokens());
    auto portfolio =
        std::make_shared<const kpo::people::Portfolio>(rt.commands(), rt.page_tokens());
    kpo::people::RegisterPortfolioHandlers(*rt.consumer(), rt.outbox());
    auto kpo_office =
        std::make_shared<const kpo::people::KpoOffice>(rt.commands(), rt.page_tokens());
    auto certification =
        std::make_shared<const kpo::people::Certification>(rt.commands(), rt.page_tokens());
    // Expiry warnings and expiries, each published once per certificate.
    rt.Every({"certificate-expiry",
              config.Duration("certification.check_interval", absl::Minutes(1)),
              [c = certification.get()] { return c->PublishDue().status(); }});
    auto curriculum =
        std::make_shared<const kpo::people::Curriculum>(rt.commands(), rt.page_tokens());
    auto plans =
        std::make_shared<const kpo::people::DevelopmentPlans>(rt.commands(), rt.page_tokens());
    std::shared_ptr<grpc::Service> development = kpo::people::NewDevelopmentService(
        rt.server(),
        {*model, *assessments, *portfolio, *kpo_office, *certification, *curriculum, *plans});
    rt.server().AddService(development.get(), kpo::people::kDevelopmentServiceName);
    rt.Own(directory);
    rt.Own(service);
    rt.Own(model);
    rt.Own(assessments);
    rt.Own(portfolio);
    rt.Own(kpo_office);
    rt.Own(certification);
    rt.Own(curriculum);
    rt.Own(plans);
    rt.Own(development);
    return absl::OkStatus();
  };
  return kpo::runtime::RunService(argc, argv, spec);
}
