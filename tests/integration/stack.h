#pragma once

// The whole platform on loopback for integration tests: the local Kafka broker
// (kpo-kafka-broker), a real redis-server, and the four service binaries, each with
// its own SQLite file in a temp folder, gRPC and metrics on ports chosen by the OS.

#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/ops/v1/ops_service.grpc.pb.h"
#include "kpo/people/v1/people_service.grpc.pb.h"
#include "kpo/testing/harness.h"

namespace kpo::testing {

inline constexpr char kSecret[] = "integration-test-secret-0123456789abcdef";

class Stack {
 public:
  // Starts the broker, Redis and `services` (any of people, kaizen, daily, reporting).
  // `service_env` adds to or overrides the services' environment (KPO_* configuration).
  // `topic_partitions` > 0 creates the services' topics up front with that many
  // partitions (otherwise the broker creates them on first use): the local broker keeps
  // only the last 5 MiB or 100,000 records of each partition, so a long history needs
  // many partitions to stay whole.
  explicit Stack(std::vector<std::string> services = {"people", "kaizen", "daily", "reporting"},
                 std::map<std::string, std::string> service_env = {}, int topic_partitions = 0);
  ~Stack();

  // `name` is a service, or "<service>#<n>" for a further replica of it (same binary,
  // database and consumer group: meaningful on PostgreSQL, KPO_TEST_DATABASE=postgres).
  void StartService(const std::string& name);
  // Graceful (SIGTERM) or abrupt (SIGKILL) stop.
  void StopService(const std::string& name, bool kill = false);

  // An HS256 token of the local stack.
  static std::string Token(const std::string& org, std::vector<std::string> roles,
                           const std::string& subject = "tester");

  std::unique_ptr<kpo::people::v1::PeopleService::Stub> People();
  std::unique_ptr<kpo::ops::v1::OpsService::Stub> Ops(const std::string& service);
  std::string GrpcAddress(const std::string& service);
  pid_t ServicePid(const std::string& service) { return services_.at(service)->pid(); }
  std::string Metrics(const std::string& service);
  // Events `service` wrote to its outbox so far, pending or sent (one status snapshot,
  // read with `token`).
  int64_t EventsWritten(const std::string& service, const std::string& token);
  // Sum of a metric's samples whose labels contain `label_filter` (e.g. outcome="duplicate").
  double MetricValue(const std::string& service, const std::string& name,
                     const std::string& label_filter = "");

  Process& broker() { return *broker_; }
  RedisServer& redis() { return *redis_; }
  const std::string& bootstrap() const { return bootstrap_; }
  std::string ServiceLog(const std::string& name) const;

 private:
  TempDir dir_;
  std::unique_ptr<Process> broker_;
  std::unique_ptr<RedisServer> redis_;
  std::string bootstrap_;
  std::map<std::string, std::unique_ptr<Process>> services_;
  std::map<std::string, std::string> grpc_, metrics_;
  std::map<std::string, std::string> service_env_;
  // KPO_TEST_DATABASE=postgres: each service's database on the shared PostgreSQL server
  // (kept across restarts of the service); otherwise a SQLite file in dir_.
  std::map<std::string, std::string> database_urls_;
};

// Writes a directory through the people service's public API with `token` (an org_admin
// of the organization): what the integration suites start from. After the first refusal
// the writer does nothing more; status() says what was refused.
class DirectoryWriter {
 public:
  DirectoryWriter(Stack& stack, std::string token);
  // Maturity stage SPREADING; `objectives` are (id, title) pairs.
  void Organization(const std::string& id,
                    const std::vector<std::pair<std::string, std::string>>& objectives = {});
  void Site(const std::string& org, const std::string& id, const std::string& time_zone);
  // A person (display name = id) at site `site_id`, managed by `manager_id` when given.
  void Person(const std::string& org, const std::string& id, const std::string& site_id,
              kpo::people::v1::Role role, const std::string& manager_id = "");
  // OK, or the first refusal with the request refused.
  const absl::Status& status() const { return status_; }

 private:
  template <class Req, class Resp>
  void Call(grpc::Status (kpo::people::v1::PeopleService::Stub::*method)(grpc::ClientContext*,
                                                                         const Req&, Resp*),
            const Req& request);
  std::unique_ptr<kpo::people::v1::PeopleService::Stub> people_;
  std::string token_;
  absl::Status status_;
};

// Waits until `service`'s directory replica holds `people` people and `sites` sites (and
// the organization), read with `token`; false after 20 s.
bool WaitForReplica(Stack& stack, const std::string& service, const std::string& token,
                    int64_t people, int64_t sites);

// Faults injected into a running stack that end when the guard goes out of scope, also
// when an assertion returns early, so one failing test cannot leave the broker down or
// Redis stopped for the tests after it. End() ends the fault earlier.
class BrokerOutage {
 public:
  explicit BrokerOutage(Stack& stack) : stack_(stack) {
    stack_.broker().Signal(SIGUSR1);  // every broker down
  }
  ~BrokerOutage() { End(); }
  BrokerOutage(const BrokerOutage&) = delete;
  BrokerOutage& operator=(const BrokerOutage&) = delete;
  void End() {
    if (active_) stack_.broker().Signal(SIGUSR2);  // back
    active_ = false;
  }

 private:
  Stack& stack_;
  bool active_ = true;
};

class RedisOutage {
 public:
  explicit RedisOutage(Stack& stack) : stack_(stack) { stack_.redis().Stop(); }
  ~RedisOutage() { End(); }
  RedisOutage(const RedisOutage&) = delete;
  RedisOutage& operator=(const RedisOutage&) = delete;
  void End() {
    if (active_) stack_.redis().Start();
    active_ = false;
  }

 private:
  Stack& stack_;
  bool active_ = true;
};

// Every record of `topic` from the beginning, decoded as envelopes, read until `done`
// holds for what was read so far or `timeout` passes.
std::vector<kpo::common::v1::EventEnvelope> ReadTopic(
    const std::string& bootstrap, const std::string& topic,
    const std::function<bool(const std::vector<kpo::common::v1::EventEnvelope>&)>& done,
    absl::Duration timeout = absl::Seconds(30));

// Calls every method of `service` (a full protobuf service name, served at `address`)
// once per entry of `names`, with `token`. The name goes where the request names its
// resource: its name or parent field, or the name of the resource it carries (Update
// methods); the rest of the request is empty. Per method name, the statuses in the
// order of `names`; a method whose request names no resource has an empty list.
// `prepare`, when given, changes each request before it is sent (after the name is set).
std::map<std::string, std::vector<grpc::Status>> CallEveryMethod(
    const std::string& address, const std::string& service, const std::vector<std::string>& names,
    const std::string& token,
    const std::function<void(google::protobuf::Message&)>& prepare = nullptr);

// Attaches `authorization: Bearer <token>` to a client context.
void Authorize(grpc::ClientContext& ctx, const std::string& token);

}  // namespace kpo::testing
