// Costs of the directory's hot paths, measured against real parts: a SQLite file (WAL)
// and a real redis-server on a Unix socket. Compare ratios within one run; absolute
// times depend on the machine and its load.
#include <benchmark/benchmark.h>

#include <memory>

#include "directory.h"
#include "kpo/cache/redis_cache.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/testing/harness.h"
#include "resource_cache.h"

namespace {

namespace pb = kpo::people::v1;

struct Fixture {
  explicit Fixture(bool with_redis, bool synchronous_full = true) {
    db = kpo::storage::OpenSqlite(
             {.path = dir.File("people.db"), .synchronous_full = synchronous_full})
             .value();
    (void)db->Migrate("events", kpo::events::Migrations());
    (void)db->Migrate("people", kpo::people::Migrations());
    (void)db->Migrate("idempotency", kpo::idempotency::Migrations());
    if (with_redis) {
      redis = std::make_unique<kpo::testing::RedisServer>();
      redis_cache = std::make_unique<kpo::cache::RedisCache>(
          kpo::cache::RedisOptions{.address = redis->address()}, kpo::core::Clock::Real(), nullptr);
      cache = std::make_unique<kpo::people::RedisResourceCache>(*redis_cache, absl::Minutes(5),
                                                                kpo::core::Clock::Real());
    }
    commands = std::make_unique<kpo::command::Runner>(*db, outbox, kpo::core::Clock::Real());
    directory = std::make_unique<kpo::people::Directory>(*commands, tokens, cache.get());
    pb::CreateOrganizationRequest org;
    org.set_organization_id("acme");
    org.mutable_organization()->set_display_name("Acme");
    org.mutable_organization()->set_maturity_stage(pb::MATURITY_STAGE_PILOTING);
    (void)directory->CreateOrganization(admin, org);
    pb::CreateSiteRequest site;
    site.set_parent("organizations/acme");
    site.set_site_id("lyon");
    site.mutable_site()->set_display_name("Lyon");
    site.mutable_site()->set_time_zone("Europe/Paris");
    (void)directory->CreateSite(admin, site);
  }

  absl::StatusOr<pb::Person> Create(int i) {
    pb::CreatePersonRequest r;
    r.set_parent("organizations/acme");
    r.set_person_id("p" + std::to_string(i));
    r.mutable_person()->set_display_name("Person");
    r.mutable_person()->set_home_site("organizations/acme/sites/lyon");
    r.mutable_person()->add_roles(pb::TEAM_MEMBER);
    return directory->CreatePerson(admin, r);
  }

  kpo::testing::TempDir dir;
  std::unique_ptr<kpo::storage::Database> db;
  kpo::events::Outbox outbox{{"//kpo.platform/people", "kpo.people.v1"}, kpo::core::Clock::Real()};
  kpo::core::PageTokenCodec tokens = kpo::core::PageTokenCodec::Random();
  std::unique_ptr<kpo::testing::RedisServer> redis;
  std::unique_ptr<kpo::cache::RedisCache> redis_cache;
  std::unique_ptr<kpo::people::RedisResourceCache> cache;
  std::unique_ptr<kpo::command::Runner> commands;
  std::unique_ptr<kpo::people::Directory> directory;
  kpo::auth::Principal admin{"bench", "acme", {"org_admin"}};
};

// One CreatePerson: validation, references, one transaction with the outbox row.
void BM_CreatePerson(benchmark::State& state) {
  Fixture f(false, state.range(0) == 1);
  int i = 0;
  for (auto _ : state) {
    if (!f.Create(i++).ok()) state.SkipWithError("create failed");
  }
  state.SetLabel(state.range(0) == 1 ? "synchronous=FULL" : "synchronous=NORMAL");
}
BENCHMARK(BM_CreatePerson)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

// GetPerson from SQLite (no cache), from Redis (warm cache), and with Redis down
// (the breaker is open: the read goes to SQLite after a microsecond-scale refusal).
void BM_GetPerson(benchmark::State& state) {
  const int mode = static_cast<int>(state.range(0));
  Fixture f(mode != 0);
  for (int i = 0; i < 1000; ++i) (void)f.Create(i);
  pb::GetPersonRequest get;
  get.set_name("organizations/acme/people/p500");
  (void)f.directory->GetPerson(f.admin, get);  // warm the cache
  if (mode == 2) {
    f.redis->Stop();
    for (int i = 0; i < 5; ++i) (void)f.directory->GetPerson(f.admin, get);  // open the breaker
  }
  for (auto _ : state) {
    auto p = f.directory->GetPerson(f.admin, get);
    if (!p.ok()) state.SkipWithError("get failed");
    benchmark::DoNotOptimize(p);
  }
  state.SetLabel(mode == 0 ? "sqlite" : mode == 1 ? "redis hit" : "redis down (breaker open)");
}
BENCHMARK(BM_GetPerson)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// A page of 50 people out of 1000.
void BM_ListPeoplePage(benchmark::State& state) {
  Fixture f(false);
  for (int i = 0; i < 1000; ++i) (void)f.Create(i);
  pb::ListPeopleRequest list;
  list.set_parent("organizations/acme");
  list.set_page_size(50);
  for (auto _ : state) {
    auto page = f.directory->ListPeople(f.admin, list);
    if (!page.ok() || page->people_size() != 50) state.SkipWithError("list failed");
  }
}
BENCHMARK(BM_ListPeoplePage)->Unit(benchmark::kMicrosecond);

void BM_PageTokenSealOpen(benchmark::State& state) {
  auto codec = kpo::core::PageTokenCodec::Random();
  for (auto _ : state) {
    auto c =
        codec.Open(codec.Seal({"acme|person|organizations/acme|0", "organizations/acme/people/p1"}),
                   "acme|person|organizations/acme|0");
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_PageTokenSealOpen);

}  // namespace

BENCHMARK_MAIN();
