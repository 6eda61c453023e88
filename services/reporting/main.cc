// kpo-reporting: the reporting service (transformation scorecards per organization, site
// and area, from the events of the other services).
#include "answer_cache.h"
#include "counts_reader.h"
#include "grpc_service.h"
#include "kpo/cache/redis_cache.h"
#include "kpo/runtime/runtime.h"
#include "projection.h"
#include "scorecards.h"

int main(int argc, char** argv) {
  kpo::runtime::ServiceSpec spec;
  spec.name = "reporting";
  spec.topic = "kpo.reporting.v1";
  spec.consumes = {"kpo.people.v1", "kpo.kaizen.v1", "kpo.daily.v1"};
  spec.directory_replica = true;
  // Generations of projections, each with its consumer group (generations.h).
  spec.own_consumers = true;
  spec.default_grpc_port = 7104;
  spec.default_metrics_port = 9104;
  spec.migrations = {{"reporting", &kpo::reporting::Migrations()}};
  spec.permissions = [](kpo::auth::PermissionTable& t) {
    kpo::reporting::AddReportingPermissions(t);
  };
  spec.setup = [](kpo::runtime::ServiceRuntime& rt, kpo::core::Config& config) -> absl::Status {
    auto opened = kpo::reporting::Generations::Open(rt, [&rt](kpo::events::Consumer& consumer) {
      kpo::reporting::RegisterProjection(consumer, rt.clock());
    });
    if (!opened.ok()) return opened.status();
    std::shared_ptr<kpo::reporting::Generations> generations = *std::move(opened);
    rt.Own(generations);
    kpo::reporting::Generations* g = generations.get();
    rt.SetConsumerDatabase([g] { return g->Serving()->db; });
    const kpo::reporting::ServingGeneration serving = [g] { return g->Serving(); };
    // Redis is optional: without redis.address every answer is counted from the database.
    kpo::cache::RedisOptions redis;
    redis.address = config.String("redis.address", "");
    redis.command_timeout = config.Duration("redis.command_timeout", absl::Milliseconds(50));
    redis.pool_size = static_cast<int>(config.Int("redis.pool_size", 8, 1, 256));
    redis.service = "reporting";
    const absl::Duration ttl = config.Duration("redis.ttl", absl::Hours(6));
    std::shared_ptr<kpo::cache::RedisCache> redis_cache;
    if (!redis.address.empty()) {
      redis_cache =
          std::make_shared<kpo::cache::RedisCache>(redis, rt.clock(), &rt.server().registry());
      rt.Own(redis_cache);
    }
    auto counts = std::make_shared<const kpo::reporting::CountsReader>(redis_cache.get(), ttl,
                                                                       &rt.server().registry());
    rt.Own(counts);
    // Whole answers: the most recent in this process, then Redis (answer_cache.h).
    auto answers = std::make_shared<kpo::reporting::AnswerCache>(
        redis_cache.get(), ttl,
        static_cast<size_t>(config.Int("reporting.answer_cache_entries", 4096, 0, 1 << 20)),
        &rt.server().registry());
    rt.Own(answers);
    auto scorecards = std::make_shared<const kpo::reporting::Scorecards>(
        serving, rt.clock(), counts.get(), answers.get());
    auto rankings = std::make_shared<const kpo::reporting::Rankings>(
        serving, rt.clock(), *counts, redis_cache.get(), ttl, rt.page_tokens(), answers.get());
    rt.Own(rankings);
    std::shared_ptr<grpc::Service> service =
        kpo::reporting::NewReportingService(rt.server(), *scorecards, *rankings);
    rt.server().AddService(service.get(), kpo::reporting::kReportingServiceName);
    rt.Own(scorecards);
    rt.Own(service);
    std::shared_ptr<grpc::Service> projections =
        kpo::reporting::NewProjectionService(rt.server(), *generations);
    rt.server().AddService(projections.get(), kpo::reporting::kProjectionServiceName);
    rt.Own(projections);
    // The runtime's own consumer would start here; these start with the server's
    // start-up and stop at its shutdown (after time-driven work, before the relay).
    if (absl::Status s = generations->Start(); !s.ok()) return s;
    rt.server().OnShutdown([g] { g->Stop(); });
    rt.Every({"projection-rebuild", absl::Seconds(1),
              [g]() -> absl::Status { return g->SwitchIfCaughtUp().status(); }});
    return absl::OkStatus();
  };
  return kpo::runtime::RunService(argc, argv, spec);
}
