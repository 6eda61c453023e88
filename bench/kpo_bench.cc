// kpo-bench: the platform's load harness. Starts a no-op gRPC callback server and a
// stack of real services (the local Kafka broker, redis-server, people and kaizen, each
// on loopback with its own SQLite file), then measures, in one run on one machine:
//   - the no-op call at each in-flight count (the baseline every figure is a ratio to),
//   - reads and writes of the services (closed loop, see load.h),
//   - the pipeline: a person created in the people service -> visible in the kaizen
//     service's directory replica (commit, relay, broker, consumer, apply),
//   - people development's calls on a 2,000-person site and the crediting of evidence
//     from completed kaizen events (development_load.h),
//   - optionally (--scale N) the cost of a create as the organization grows to N people.
// Prints Markdown tables (per round and the median over rounds). See bench/README.md.

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "development_load.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "kpo/daily/v1/daily_service.grpc.pb.h"
#include "kpo/kaizen/v1/kaizen_service.grpc.pb.h"
#include "kpo/ops/v1/ops_service.grpc.pb.h"
#include "kpo/people/v1/people_service.grpc.pb.h"
#include "load.h"
#include "reporting_load.h"
#include "stack.h"

namespace {

namespace pb = kpo::people::v1;
namespace kz = kpo::kaizen::v1;
namespace dk = kpo::daily::v1;
using kpo::bench::LoadResult;
using kpo::bench::LoadSpec;

// The baseline: grpc.health.v1.Health/Check answered inline on gRPC's own thread.
class NoopHealth final : public grpc::health::v1::Health::CallbackService {
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* ctx,
                                  const grpc::health::v1::HealthCheckRequest*,
                                  grpc::health::v1::HealthCheckResponse* response) override {
    response->set_status(grpc::health::v1::HealthCheckResponse::SERVING);
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

int NoopServer(const std::string& port_file) {
  NoopHealth service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) return 1;
  {
    std::ofstream out(port_file + ".tmp");
    out << port << "\n";
  }
  std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  server->Wait();
  return 0;
}

struct Options {
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration window = absl::Seconds(5);
  int rounds = 1;
  int scale = 0;
  int pipeline_samples = 200;
  std::vector<int> in_flight = {1, 32};
  std::string only;  // measure only calls whose label contains this (and the no-op)
  bool pipeline = true;
  int credit_events = 2000;  // the crediting probe's completed kaizen events (0: skip)
  // Reporting: a synthetic organization of this many sites and years written to the
  // topics (0 sites: skip), and a small one (5 sites, 1 year) to compare with.
  kpo::bench::SyntheticOrganization reporting{.id = "synth"};
  int latency_samples = 200;
  std::map<std::string, std::string> service_env;
  int topic_partitions = 0;
  // sqlite: a file per service; postgres: a PostgreSQL server the bench starts.
  std::string database = "sqlite";
  // Replicas of the people service (2 needs postgres): CreatePerson is spread over all.
  int people_replicas = 1;
};

std::string Serialize(const google::protobuf::Message& m) { return m.SerializeAsString(); }

template <class Stub, class Req, class Resp>
grpc::Status Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                  const std::string& token, const Req& req, Resp* resp) {
  grpc::ClientContext ctx;
  kpo::testing::Authorize(ctx, token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return (stub.*method)(&ctx, req, resp);
}

void Require(const grpc::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "kpo-bench: %s failed: %s\n", what, s.error_message().c_str());
    std::exit(1);
  }
}

std::string PersonName(int i) { return absl::StrCat("organizations/acme/people/seed-", i); }

// Ideas submitted by the seeded people, all reviewed by seed-0 (a team leader).
std::vector<std::string> CreateIdeaRequests(const std::string& prefix, int n) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    dk::CreateIdeaRequest r;
    r.set_parent("organizations/acme");
    r.set_idea_id(absl::StrCat(prefix, "-", i));
    dk::Idea* idea = r.mutable_idea();
    idea->set_title(absl::StrCat("Idea ", i));
    idea->set_problem("Walking to fetch parts");
    idea->set_countermeasure("A kitting cart");
    idea->set_category(dk::CATEGORY_DELIVERY);
    idea->set_site("organizations/acme/sites/lyon");
    idea->add_submitters(PersonName(1 + i % 999));
    idea->set_reviewer(PersonName(0));
    out.push_back(Serialize(r));
  }
  return out;
}

std::vector<std::string> CreatePersonRequests(const std::string& prefix, int n) {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    pb::CreatePersonRequest r;
    r.set_parent("organizations/acme");
    r.set_person_id(absl::StrCat(prefix, "-", i));
    r.mutable_person()->set_display_name(absl::StrCat("Person ", i));
    r.mutable_person()->set_employee_id(absl::StrCat(prefix, "E", i));
    r.mutable_person()->set_home_site("organizations/acme/sites/lyon");
    r.mutable_person()->add_roles(pb::TEAM_MEMBER);
    out.push_back(Serialize(r));
  }
  return out;
}

// One line of a results table.
struct Row {
  LoadResult r;
  double ratio = 0;
  std::string commits;  // "writes per commit" of the server's database in the window
};

void PrintRows(const std::vector<Row>& rows) {
  std::printf(
      "| call | in flight | calls/s | share of no-op | p50 ms | p90 ms | p99 ms | server CPU "
      "us/call | server RSS MiB | writes per commit | errors |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Row& row : rows) {
    const LoadResult& r = row.r;
    std::printf("| %s | %d | %.0f | %.0f%% | %.2f | %.2f | %.2f | %.0f | %.0f | %s | %lld%s%s |\n",
                r.label.c_str(), r.in_flight, r.per_second, 100 * row.ratio,
                absl::ToDoubleMilliseconds(r.p50), absl::ToDoubleMilliseconds(r.p90),
                absl::ToDoubleMilliseconds(r.p99), r.server_cpu_us_per_call,
                static_cast<double>(r.server_rss_kib) / 1024.0,
                row.commits.empty() ? "-" : row.commits.c_str(), static_cast<long long>(r.errors),
                r.first_error.empty() ? "" : " ", r.first_error.substr(0, 60).c_str());
  }
  std::fflush(stdout);
}

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)) {}

  int Run() {
    StartNoop();
    std::vector<std::string> services = {"people", "kaizen", "daily", "reporting"};
    if (o_.database == "postgres") {
      // The stack's services then each get a database on one PostgreSQL server, which
      // syncs its log as production does (synchronous_commit on, fsync on).
      setenv("KPO_TEST_DATABASE", "postgres", 1);
      setenv("KPO_PG_FSYNC", "on", 1);
    } else if (o_.database != "sqlite") {
      std::fprintf(stderr, "kpo-bench: --database is sqlite or postgres\n");
      return 2;
    }
    if (o_.people_replicas == 2) {
      if (o_.database != "postgres") {
        std::fprintf(stderr, "kpo-bench: --people-replicas 2 needs --database postgres\n");
        return 2;
      }
      services.push_back("people#2");
    }
    std::fprintf(stderr, "kpo-bench: starting the stack (broker, redis, %s) on %s\n",
                 absl::StrJoin(services, ", ").c_str(), o_.database.c_str());
    std::printf("Database: %s%s\n", o_.database.c_str(),
                o_.people_replicas == 2 ? " (people: 2 replicas)" : "");
    stack_ = std::make_unique<kpo::testing::Stack>(services, o_.service_env, o_.topic_partitions);
    token_ = kpo::testing::Stack::Token("acme", {"org_admin", "kpo_specialist"}, "bench");
    Seed();
    kpo::bench::SeedDevelopment(*stack_, token_);
    std::map<std::string, std::vector<double>> ratios;  // "label@n" -> per round
    std::vector<std::vector<Row>> all_rounds;
    for (int round = 1; round <= o_.rounds; ++round) {
      std::vector<Row> rows = Round(round);
      std::printf("\n### Round %d\n\n", round);
      PrintRows(rows);
      all_rounds.push_back(rows);
    }
    if (o_.rounds > 1) PrintMedian(all_rounds);
    if (o_.pipeline) Pipeline();
    if (o_.credit_events > 0) Credits();
    if (o_.scale > 0) Scale();
    if (o_.reporting.sites > 0) Reporting();
    return 0;
  }

 private:
  void StartNoop() {
    const std::string port_file = dir_.File("noop.port");
    noop_ = std::make_unique<kpo::testing::Process>(
        std::vector<std::string>{"/proc/self/exe", "noop-server", "--port-file", port_file},
        std::map<std::string, std::string>{}, dir_.File("noop.log"));
    // /proc/self/exe is resolved by the child: it is this same binary.
    if (!kpo::testing::WaitFor([&] { return !kpo::testing::ReadFile(port_file).empty(); })) {
      std::fprintf(stderr, "no-op server did not start: %s\n", noop_->Log().c_str());
      std::exit(1);
    }
    noop_addr_ = absl::StrCat("127.0.0.1:", std::stoi(kpo::testing::ReadFile(port_file)));
  }

  void Seed() {
    auto people = stack_->People();
    pb::CreateOrganizationRequest org;
    org.set_organization_id("acme");
    org.mutable_organization()->set_display_name("Acme");
    org.mutable_organization()->set_maturity_stage(pb::MATURITY_STAGE_SPREADING);
    pb::Organization o;
    Require(Call(*people, &pb::PeopleService::Stub::CreateOrganization, token_, org, &o),
            "CreateOrganization");
    pb::CreateSiteRequest site;
    site.set_parent("organizations/acme");
    site.set_site_id("lyon");
    site.mutable_site()->set_display_name("Lyon");
    site.mutable_site()->set_time_zone("Europe/Paris");
    pb::Site s;
    Require(Call(*people, &pb::PeopleService::Stub::CreateSite, token_, site, &s), "CreateSite");
    // 1,000 people in batches: what reads are spread over.
    for (int b = 0; b < 10; ++b) {
      pb::BatchCreatePeopleRequest batch;
      batch.set_parent("organizations/acme");
      for (int i = b * 100; i < (b + 1) * 100; ++i) {
        auto* r = batch.add_requests();
        r->set_person_id(absl::StrCat("seed-", i));
        r->mutable_person()->set_display_name(absl::StrCat("Seed ", i));
        r->mutable_person()->set_home_site("organizations/acme/sites/lyon");
        r->mutable_person()->add_roles(i % 10 == 0 ? pb::TEAM_LEADER : pb::TEAM_MEMBER);
      }
      pb::BatchCreatePeopleResponse out;
      Require(Call(*people, &pb::PeopleService::Stub::BatchCreatePeople, token_, batch, &out),
              "BatchCreatePeople");
    }
    // Kaizen events to read, once the kaizen service's replica has the site.
    auto kaizen = kz::KaizenEventsService::NewStub(
        grpc::CreateChannel(stack_->GrpcAddress("kaizen"), grpc::InsecureChannelCredentials()));
    for (int i = 0; i < 100; ++i) {
      kz::CreateKaizenEventRequest r;
      r.set_parent("organizations/acme");
      r.set_kaizen_event_id(absl::StrCat("event-", i));
      r.mutable_kaizen_event()->set_title(absl::StrCat("Event ", i));
      r.mutable_kaizen_event()->set_site("organizations/acme/sites/lyon");
      r.mutable_kaizen_event()->set_event_type(kz::FIVE_S);
      kz::KaizenEvent e;
      grpc::Status st;
      kpo::testing::WaitFor([&] {
        st = Call(*kaizen, &kz::KaizenEventsService::Stub::CreateKaizenEvent, token_, r, &e);
        return st.ok();
      });
      Require(st, "CreateKaizenEvent");
    }
    // 500 ideas waiting for seed-0's review, once the daily service's replica has people.
    auto daily = dk::DailyKaizenService::NewStub(
        grpc::CreateChannel(stack_->GrpcAddress("daily"), grpc::InsecureChannelCredentials()));
    for (const std::string& request : CreateIdeaRequests("seed-idea", 500)) {
      dk::CreateIdeaRequest r;
      r.ParseFromString(request);
      dk::Idea idea;
      grpc::Status st;
      kpo::testing::WaitFor([&] {
        st = Call(*daily, &dk::DailyKaizenService::Stub::CreateIdea, token_, r, &idea);
        return st.ok();
      });
      Require(st, "CreateIdea");
    }
  }

  // `service`: the database whose commits a write load is measured against (writes per
  // commit, the writer's utilization); empty for reads.
  LoadResult Load(LoadSpec spec, const std::string& service = "") {
    spec.warmup = o_.warmup;
    spec.window = o_.window;
    if (spec.token.empty()) spec.token = token_;
    const char* const kCounters[] = {"kpo_db_write_transactions_total", "kpo_db_commits_total",
                                     "kpo_db_writer_busy_seconds_total",
                                     "kpo_db_commit_seconds_total", "kpo_db_write_conflicts_total"};
    auto counters = [&] {
      std::array<double, 5> v{};
      for (size_t i = 0; i < v.size(); ++i) v[i] = stack_->MetricValue(service, kCounters[i]);
      return v;
    };
    std::array<double, 5> before{};
    if (!service.empty()) before = counters();
    const absl::Time started = absl::Now();
    LoadResult r = kpo::bench::RunLoad(spec);
    if (!service.empty()) {
      const double elapsed = absl::ToDoubleSeconds(absl::Now() - started);
      const auto after = counters();
      const double writes = after[0] - before[0], commits = after[1] - before[1];
      const double busy = after[2] - before[2], committing = after[3] - before[3];
      // Writes per commit; the single writer's utilization over the load (warm-up
      // included) and the share of its busy time spent committing (log write + sync).
      const double conflicts = after[4] - before[4];
      if (commits > 0) {
        last_commits_ =
            absl::StrFormat("%.1f (writer busy %.0f%%, commit %.0f%%)", writes / commits,
                            100 * busy / elapsed, busy > 0 ? 100 * committing / busy : 0.0);
        // PostgreSQL: attempts run again after a serialization failure, per write.
        if (conflicts > 0)
          absl::StrAppendFormat(&last_commits_, ", %.2f conflicts/write", conflicts / writes);
      }
    }
    std::fprintf(stderr, "  %-28s in flight %3d: %8.0f/s p99 %.2f ms\n", r.label.c_str(),
                 r.in_flight, r.per_second, absl::ToDoubleMilliseconds(r.p99));
    return r;
  }

  std::vector<Row> Round(int round) {
    std::fprintf(stderr, "kpo-bench: round %d\n", round);
    std::vector<int> flights = o_.in_flight;
    std::map<int, double> noop;
    std::vector<Row> rows;
    auto wanted = [&](const std::string& label) {
      return o_.only.empty() || label.find(o_.only) != std::string::npos;
    };
    auto add = [&](const LoadResult& r) {
      rows.push_back(
          {r, noop.count(r.in_flight) ? r.per_second / noop[r.in_flight] : 0, last_commits_});
      last_commits_.clear();
    };
    grpc::health::v1::HealthCheckRequest health;
    for (int n : flights) {
      LoadResult r = Load({.label = "no-op (Health/Check)",
                           .target = noop_addr_,
                           .method = "/grpc.health.v1.Health/Check",
                           .requests = {Serialize(health)},
                           .in_flight = n,
                           .server_pid = noop_->pid()});
      noop[n] = r.per_second;
      if (n == 1) noop_one_ = r.per_second;
      add(r);
    }
    const pid_t people_pid = stack_->ServicePid("people");
    const pid_t kaizen_pid = stack_->ServicePid("kaizen");
    std::vector<std::string> gets;
    for (int i = 0; i < 1000; ++i) {
      pb::GetPersonRequest g;
      g.set_name(PersonName(i));
      gets.push_back(Serialize(g));
    }
    std::vector<std::string> events;
    for (int i = 0; i < 100; ++i) {
      kz::GetKaizenEventRequest g;
      g.set_name(absl::StrCat("organizations/acme/kaizenEvents/event-", i));
      events.push_back(Serialize(g));
    }
    pb::ListPeopleRequest list;
    list.set_parent("organizations/acme");
    list.set_page_size(50);
    for (int n : wanted("GetPerson (cached)") ? flights : std::vector<int>{}) {
      add(Load({.label = "GetPerson (cached)",
                .target = stack_->GrpcAddress("people"),
                .method = "/kpo.people.v1.PeopleService/GetPerson",
                .requests = gets,
                .in_flight = n,
                .server_pid = people_pid}));
    }
    for (int n : wanted("GetKaizenEvent") ? flights : std::vector<int>{}) {
      add(Load({.label = "GetKaizenEvent",
                .target = stack_->GrpcAddress("kaizen"),
                .method = "/kpo.kaizen.v1.KaizenEventsService/GetKaizenEvent",
                .requests = events,
                .in_flight = n,
                .server_pid = kaizen_pid}));
    }
    for (int n : wanted("ListPeople (page of 50)") ? flights : std::vector<int>{}) {
      add(Load({.label = "ListPeople (page of 50)",
                .target = stack_->GrpcAddress("people"),
                .method = "/kpo.people.v1.PeopleService/ListPeople",
                .requests = {Serialize(list)},
                .in_flight = n,
                .server_pid = people_pid}));
    }
    const pid_t daily_pid = stack_->ServicePid("daily");
    for (int n : wanted("CreateIdea (durable)") ? flights : std::vector<int>{}) {
      add(Load({.label = "CreateIdea (durable)",
                .target = stack_->GrpcAddress("daily"),
                .method = "/kpo.daily.v1.DailyKaizenService/CreateIdea",
                .requests = CreateIdeaRequests(absl::StrCat("r", round, "n", n), 40000),
                .each_once = true,
                .in_flight = n,
                .server_pid = daily_pid},
               "daily"));
    }
    // A reviewer's queue, a page of 50: what the backlog serves once ideas are older
    // than the limit (ideas cannot be back-dated through the API, so the backlog call
    // itself is measured too, answering an empty page from the same index).
    dk::ListIdeasRequest queue;
    queue.set_parent("organizations/acme");
    queue.set_reviewer(PersonName(0));
    queue.set_state(dk::IDEA_STATE_SUBMITTED);
    queue.set_page_size(50);
    dk::ListReviewBacklogRequest backlog;
    backlog.set_parent("organizations/acme");
    backlog.set_reviewer(PersonName(0));
    for (int n : wanted("ListIdeas (reviewer's queue, 50)") ? flights : std::vector<int>{}) {
      add(Load({.label = "ListIdeas (reviewer's queue, 50)",
                .target = stack_->GrpcAddress("daily"),
                .method = "/kpo.daily.v1.DailyKaizenService/ListIdeas",
                .requests = {Serialize(queue)},
                .in_flight = n,
                .server_pid = daily_pid}));
    }
    for (int n : wanted("ListReviewBacklog") ? flights : std::vector<int>{}) {
      add(Load({.label = "ListReviewBacklog (reviewer)",
                .target = stack_->GrpcAddress("daily"),
                .method = "/kpo.daily.v1.DailyKaizenService/ListReviewBacklog",
                .requests = {Serialize(backlog)},
                .in_flight = n,
                .server_pid = daily_pid}));
    }
    const bool two_people = o_.people_replicas == 2;
    const std::string create_person =
        two_people ? "CreatePerson (durable, 2 replicas)" : "CreatePerson (durable)";
    for (int n : wanted(create_person) ? flights : std::vector<int>{}) {
      add(Load(
          {.label = create_person,
           .target = stack_->GrpcAddress("people"),
           .more_targets = two_people ? std::vector<std::string>{stack_->GrpcAddress("people#2")}
                                      : std::vector<std::string>{},
           .method = "/kpo.people.v1.PeopleService/CreatePerson",
           .requests = CreatePersonRequests(absl::StrCat("r", round, "n", n), 40000),
           .each_once = true,
           .in_flight = n,
           // Two processes serve it: the CPU of one per call would mislead.
           .server_pid = two_people ? 0 : people_pid},
          "people"));
    }
    for (int n : wanted("CreateKaizenEvent (durable)") ? flights : std::vector<int>{}) {
      std::vector<std::string> creates;
      for (int i = 0; i < 40000; ++i) {
        kz::CreateKaizenEventRequest r;
        r.set_parent("organizations/acme");
        r.set_kaizen_event_id(absl::StrCat("r", round, "n", n, "-", i));
        r.mutable_kaizen_event()->set_title(absl::StrCat("Event ", i));
        r.mutable_kaizen_event()->set_site("organizations/acme/sites/lyon");
        r.mutable_kaizen_event()->set_event_type(kz::FIVE_S);
        creates.push_back(Serialize(r));
      }
      add(Load({.label = "CreateKaizenEvent (durable)",
                .target = stack_->GrpcAddress("kaizen"),
                .method = "/kpo.kaizen.v1.KaizenEventsService/CreateKaizenEvent",
                .requests = std::move(creates),
                .each_once = true,
                .in_flight = n,
                .server_pid = kaizen_pid},
               "kaizen"));
    }
    for (LoadSpec spec : kpo::bench::DevelopmentCalls(*stack_)) {
      for (int n : wanted(spec.label) ? flights : std::vector<int>{}) {
        spec.in_flight = n;
        spec.server_pid = people_pid;
        add(Load(spec));
      }
    }
    return rows;
  }

  // Completed kaizen events produced straight onto kpo.kaizen.v1; the people service's
  // consumer credits every participant and facilitator. Events and credits per second,
  // and the events' rate as a share of the no-op call's rate at 1 in flight.
  void Credits() {
    constexpr int kPerEvent = 6;
    std::fprintf(stderr, "kpo-bench: crediting probe (%d events of %d people)\n", o_.credit_events,
                 kPerEvent);
    const kpo::bench::CreditResult r =
        kpo::bench::CreditProbe(*stack_, o_.credit_events, kPerEvent);
    const double seconds = absl::ToDoubleSeconds(r.took);
    const double per_second = seconds > 0 ? r.events / seconds : 0;
    std::printf(
        "\n### Crediting: KaizenEventCompleted on the topic -> evidence in the people service\n\n"
        "| events | people per event | seconds | events/s | credits/s | share of the no-op call "
        "(1 in flight) | all applied |\n|---|---|---|---|---|---|---|\n"
        "| %d | %d | %.2f | %.0f | %.0f | %.0f%% | %s |\n",
        r.events, kPerEvent, seconds, per_second, per_second * kPerEvent,
        noop_one_ > 0 ? 100 * per_second / noop_one_ : 0.0, r.complete ? "yes" : "NO");
    std::fflush(stdout);
  }

  void PrintMedian(const std::vector<std::vector<Row>>& rounds) {
    std::printf("\n### Median of %zu rounds\n\n", rounds.size());
    std::vector<Row> median;
    for (size_t i = 0; i < rounds[0].size(); ++i) {
      std::vector<Row> same;
      for (const auto& rows : rounds) same.push_back(rows[i]);
      std::sort(same.begin(), same.end(),
                [](const Row& a, const Row& b) { return a.ratio < b.ratio; });
      median.push_back(same[same.size() / 2]);
    }
    PrintRows(median);
  }

  // Reporting: two synthetic organizations' histories projected (events per second), the
  // scorecard and ranking calls on each beside the no-op call, then the time from a write
  // accepted by the daily service to the figure changing.
  void Reporting() {
    const kpo::bench::SyntheticOrganization small{.id = "small", .sites = 5, .years = 1};
    std::printf(
        "\n### Reporting: a synthetic history written to the topics, projected\n\n"
        "| organization | sites | years | events | produced in s | applied in s | events/s "
        "| share of the no-op call (1 in flight) | reporting RSS MiB |\n"
        "|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& org : {o_.reporting, small}) {
      std::fprintf(stderr, "kpo-bench: reporting: generating %s (%d sites, %d years)\n",
                   org.id.c_str(), org.sites, org.years);
      const kpo::bench::ProjectionResult r =
          kpo::bench::GenerateAndProject(*stack_, org, absl::Minutes(60));
      const double seconds = absl::ToDoubleSeconds(r.applied);
      const double per_second = seconds > 0 ? static_cast<double>(r.events) / seconds : 0;
      std::printf("| %s | %d | %d | %lld | %.1f | %.1f%s | %.0f | %.0f%% | %.0f |\n",
                  org.id.c_str(), org.sites, org.years, static_cast<long long>(r.events),
                  absl::ToDoubleSeconds(r.produced), seconds, r.complete ? "" : " (NOT all)",
                  per_second, noop_one_ > 0 ? 100 * per_second / noop_one_ : 0.0,
                  static_cast<double>(r.reporting_rss_kib) / 1024.0);
      std::fflush(stdout);
    }
    std::vector<Row> rows;
    std::map<int, double> noop;
    grpc::health::v1::HealthCheckRequest health;
    for (int n : o_.in_flight) {
      LoadResult r = Load({.label = "no-op (Health/Check)",
                           .target = noop_addr_,
                           .method = "/grpc.health.v1.Health/Check",
                           .requests = {Serialize(health)},
                           .in_flight = n,
                           .server_pid = noop_->pid()});
      noop[n] = r.per_second;
      rows.push_back({r, 1.0, ""});
    }
    for (const auto& org : {o_.reporting.id, small.id}) {
      for (LoadSpec spec : kpo::bench::ReportingCalls(*stack_, org)) {
        for (int n : o_.in_flight) {
          spec.in_flight = n;
          LoadResult r = Load(spec);
          rows.push_back({r, noop[n] > 0 ? r.per_second / noop[n] : 0, ""});
        }
      }
    }
    std::printf("\n### Reporting calls (from Redis once warm)\n\n");
    PrintRows(rows);
    std::fprintf(stderr, "kpo-bench: reporting: write -> figure (%d samples)\n",
                 o_.latency_samples);
    const kpo::bench::LatencyResult latency =
        kpo::bench::WriteToFigure(*stack_, token_, o_.latency_samples);
    std::printf(
        "\n### A write accepted by the daily service -> the figure changed in reporting\n\n"
        "| samples | p50 ms | p99 ms | max ms | reporting RSS MiB (idle after) |\n"
        "|---|---|---|---|---|\n| %d | %.1f | %.1f | %.1f | %.0f |\n",
        latency.samples, absl::ToDoubleMilliseconds(latency.p50),
        absl::ToDoubleMilliseconds(latency.p99), absl::ToDoubleMilliseconds(latency.max),
        static_cast<double>(kpo::bench::ProcessRssKib(stack_->ServicePid("reporting"))) / 1024.0);
    std::fflush(stdout);
    std::fprintf(stderr, "kpo-bench: reporting: rebuilding every projection from the topics\n");
    const kpo::bench::RebuildResult rebuild = kpo::bench::Rebuild(*stack_, absl::Minutes(60));
    const double rebuild_s = absl::ToDoubleSeconds(rebuild.took);
    std::printf(
        "\n### A rebuild of every projection from the topics (both organizations' history)\n\n"
        "| records applied | until the new generation serves, s | records/s | reporting peak "
        "RSS MiB |\n|---|---|---|---|\n| %lld | %.1f%s | %.0f | %.0f |\n",
        static_cast<long long>(rebuild.records), rebuild_s, rebuild.complete ? "" : " (NOT done)",
        rebuild_s > 0 ? static_cast<double>(rebuild.records) / rebuild_s : 0.0,
        static_cast<double>(rebuild.reporting_rss_kib) / 1024.0);
    std::fflush(stdout);
  }

  // Sequential creates; each one's time from the OK to its appearance in the kaizen
  // service's replica (polled every 200 us through the ops API).
  void Pipeline() {
    std::fprintf(stderr, "kpo-bench: pipeline probe (%d samples)\n", o_.pipeline_samples);
    auto people = stack_->People();
    auto ops = stack_->Ops("kaizen");
    std::vector<absl::Duration> seen;
    int lost = 0;
    for (int i = 0; i < o_.pipeline_samples; ++i) {
      pb::CreatePersonRequest r;
      r.set_parent("organizations/acme");
      r.set_person_id(absl::StrCat("probe-", i));
      r.mutable_person()->set_display_name("Probe");
      r.mutable_person()->set_home_site("organizations/acme/sites/lyon");
      r.mutable_person()->add_roles(pb::TEAM_MEMBER);
      pb::Person p;
      Require(Call(*people, &pb::PeopleService::Stub::CreatePerson, token_, r, &p), "CreatePerson");
      const absl::Time ok = absl::Now();
      kpo::ops::v1::GetReplicaEntryRequest get;
      get.set_name(p.name());
      bool found = false;
      while (!found && absl::Now() - ok < absl::Seconds(10)) {
        kpo::ops::v1::ReplicaEntry entry;
        found =
            Call(*ops, &kpo::ops::v1::OpsService::Stub::GetReplicaEntry, token_, get, &entry).ok();
        if (!found) absl::SleepFor(absl::Microseconds(200));
      }
      if (found) {
        seen.push_back(absl::Now() - ok);
      } else {
        ++lost;
      }
      absl::SleepFor(absl::Milliseconds(5));  // idle between samples, as real traffic is
    }
    std::vector<absl::Duration> s = seen;
    std::printf(
        "\n### Pipeline: CreatePerson OK -> visible in the kaizen service's replica\n\n"
        "| samples | p50 ms | p90 ms | p99 ms | max ms | not seen in 10 s |\n"
        "|---|---|---|---|---|---|\n| %zu | %.1f | %.1f | %.1f | %.1f | %d |\n",
        seen.size(), absl::ToDoubleMilliseconds(kpo::bench::Percentile(s, 0.5)),
        absl::ToDoubleMilliseconds(kpo::bench::Percentile(s, 0.9)),
        absl::ToDoubleMilliseconds(kpo::bench::Percentile(s, 0.99)),
        absl::ToDoubleMilliseconds(kpo::bench::Percentile(s, 1.0)), lost);
    std::fflush(stdout);
  }

  // CreatePerson at 32 in flight while the organization grows: each measured step is
  // 2,000 creates once the organization holds the step's size.
  void Scale() {
    std::fprintf(stderr, "kpo-bench: create cost up to %d people\n", o_.scale);
    std::vector<int> sizes;
    for (int s : {1000, 5000, 10000, 25000, 50000, 100000}) {
      if (s <= o_.scale) sizes.push_back(s);
    }
    const pid_t pid = stack_->ServicePid("people");
    int have = 1000 + o_.pipeline_samples;  // the seed and the probe's people
    std::vector<Row> rows;
    double first = 0;
    for (int size : sizes) {
      if (size > have + 100) {
        auto fill = CreatePersonRequests(absl::StrCat("fill", size), size - have);
        LoadSpec spec{.label = "fill",
                      .target = stack_->GrpcAddress("people"),
                      .method = "/kpo.people.v1.PeopleService/CreatePerson",
                      .requests = std::move(fill),
                      .each_once = true,
                      .token = token_,
                      .in_flight = 32,
                      .warmup = absl::ZeroDuration(),
                      .window = absl::Hours(1)};
        kpo::bench::RunLoad(spec);
        have = size;
      }
      LoadSpec spec{.label = absl::StrCat("CreatePerson at ", size, " people"),
                    .target = stack_->GrpcAddress("people"),
                    .method = "/kpo.people.v1.PeopleService/CreatePerson",
                    .requests = CreatePersonRequests(absl::StrCat("step", size), 4000),
                    .each_once = true,
                    .token = token_,
                    .in_flight = 32,
                    .warmup = absl::Milliseconds(200),
                    .window = absl::Hours(1),
                    .server_pid = pid};
      LoadResult r = kpo::bench::RunLoad(spec);
      have += 4000;
      if (first == 0) first = r.per_second;
      rows.push_back({r, first > 0 ? r.per_second / first : 0});
      std::fprintf(stderr, "  %s: %.0f/s\n", r.label.c_str(), r.per_second);
    }
    std::printf(
        "\n### Create cost as the organization grows (share = rate / rate at the first size)\n\n");
    PrintRows(rows);
  }

  Options o_;
  kpo::testing::TempDir dir_;
  std::unique_ptr<kpo::testing::Process> noop_;
  std::string noop_addr_;
  std::unique_ptr<kpo::testing::Stack> stack_;
  std::string token_;
  std::string last_commits_;
  double noop_one_ = 0;  // the no-op call's rate at 1 in flight, last round
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kpo-bench: the KPO platform's load harness (see bench/README.md)"};
  std::string port_file;
  auto* noop = app.add_subcommand("noop-server", "run the no-op baseline server (internal)");
  noop->add_option("--port-file", port_file)->required();
  Options o;
  double warmup_s = 1, window_s = 5;
  app.add_option("--warmup", warmup_s, "seconds of warm-up before each measurement");
  app.add_option("--window", window_s, "seconds each measurement lasts");
  app.add_option("--rounds", o.rounds, "rounds of every measurement (median reported)");
  app.add_option("--in-flight", o.in_flight, "in-flight counts to measure")->delimiter(',');
  app.add_option("--pipeline-samples", o.pipeline_samples, "creates timed end to end");
  app.add_option("--only", o.only, "measure only the calls whose label contains this");
  app.add_flag("!--no-pipeline", o.pipeline, "skip the pipeline probe");
  app.add_option("--scale", o.scale, "also measure create cost up to this many people");
  app.add_option("--credit-events", o.credit_events,
                 "completed kaizen events for the crediting probe (0: skip)");
  std::vector<std::string> env;
  app.add_option("--service-env", env, "KPO_KEY=value for the services (repeatable)");
  app.add_option("--database", o.database,
                 "sqlite (default) or postgres: a PostgreSQL server started for the run");
  app.add_option("--people-replicas", o.people_replicas,
                 "replicas of the people service (2 needs --database postgres)")
      ->check(CLI::Range(1, 2));
  app.add_option("--topic-partitions", o.topic_partitions,
                 "create the topics with this many partitions (the local broker keeps 5 MiB "
                 "per partition: the reporting history needs about 96)");
  app.add_option("--reporting-sites", o.reporting.sites,
                 "sites of the synthetic organization reporting projects (0: skip reporting)");
  app.add_option("--reporting-years", o.reporting.years, "its years of history");
  app.add_option("--reporting-ideas", o.reporting.ideas_per_site_month,
                 "ideas per site and month (half implemented)");
  app.add_option("--latency-samples", o.latency_samples, "writes timed until the figure changes");
  CLI11_PARSE(app, argc, argv);
  for (const std::string& kv : env) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "--service-env wants KEY=value, got %s\n", kv.c_str());
      return 2;
    }
    o.service_env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (*noop) return NoopServer(port_file);
  o.warmup = absl::Seconds(warmup_s);
  o.window = absl::Seconds(window_s);
  std::printf(
      "kpo-bench: %ld CPUs online; figures are shares of the no-op call measured in this run\n",
      sysconf(_SC_NPROCESSORS_ONLN));
  return Bench(std::move(o)).Run();
}
