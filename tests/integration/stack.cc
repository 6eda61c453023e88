#include "stack.h"

#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "kpo/auth/auth.h"

namespace kpo::testing {

Stack::Stack(std::vector<std::string> services, std::map<std::string, std::string> service_env,
             int topic_partitions)
    : service_env_(std::move(service_env)) {
  const std::string bootstrap_file = dir_.File("bootstrap");
  std::vector<std::string> broker_args = {
      BinaryPath("tools/kafka_broker/kpo-kafka-broker"), "--partitions",
      std::to_string(topic_partitions > 0 ? topic_partitions : 3), "--bootstrap-file",
      bootstrap_file};
  if (topic_partitions > 0) {
    broker_args.push_back("--topics");
    broker_args.push_back("kpo.people.v1,kpo.kaizen.v1,kpo.daily.v1");
  }
  broker_ = std::make_unique<Process>(broker_args, std::map<std::string, std::string>{},
                                      dir_.File("broker.log"));
  if (!WaitFor([&] { return std::filesystem::exists(bootstrap_file); }, absl::Seconds(15))) {
    throw std::runtime_error("broker did not start: " + broker_->Log());
  }
  bootstrap_ = ReadFile(bootstrap_file);
  while (!bootstrap_.empty() && bootstrap_.back() == '\n') bootstrap_.pop_back();
  redis_ = std::make_unique<RedisServer>();
  for (const auto& s : services) StartService(s);
}

Stack::~Stack() {
  for (auto& [name, p] : services_) {
    if (p) p->Stop(absl::Seconds(10));
  }
}

void Stack::StartService(const std::string& name) {
  // "people#2": a second replica of people (its binary, its database, its consumer
  // group), with its own address, log and runtime file.
  const std::string service = name.substr(0, name.find('#'));
  const std::string runtime = dir_.File(name + ".runtime.json");
  std::filesystem::remove(runtime);
  std::map<std::string, std::string> env = {
      {"KPO_DATABASE_PATH", dir_.File(service + ".db")},
      {"KPO_KAFKA_BOOTSTRAP_SERVERS", bootstrap_},
      {"KPO_AUTH_HS256_SECRET", kSecret},
      {"KPO_GRPC_LISTEN", "127.0.0.1:0"},
      {"KPO_METRICS_LISTEN", "127.0.0.1:0"},
      {"KPO_RUNTIME_FILE", runtime},
      {"KPO_OUTBOX_DELIVERY_TIMEOUT", "3s"},
      {"KPO_OUTBOX_MAX_BACKOFF", "500ms"},
      {"KPO_PAGE_TOKENS_KEY", std::string(64, 'a')},
      {"KPO_LOG_LEVEL", "info"},
      {"KPO_CONSUMER_SESSION_TIMEOUT", "6s"},
      // The local stack's settings for the mock-cluster broker (deploy/local/up.sh).
      {"KPO_CONSUMER_FETCH_WAIT_MAX", "10ms"},
      {"KPO_OUTBOX_LINGER", "0s"},
  };
  if (service == "people" || service == "reporting") {
    env["KPO_REDIS_ADDRESS"] = redis_->address();
  }
  if (const char* which = std::getenv("KPO_TEST_DATABASE");
      which != nullptr && std::string(which) == "postgres") {
    auto [it, added] = database_urls_.try_emplace(service);
    if (added) it->second = kpo::testing::SharedPostgresServer().NewDatabase();
    env.erase("KPO_DATABASE_PATH");
    env["KPO_DATABASE_URL"] = it->second;
  }
  for (const auto& [k, v] : service_env_) env[k] = v;
  services_[name] = std::make_unique<Process>(
      std::vector<std::string>{BinaryPath("services/" + service + "/kpo-" + service)}, env,
      dir_.File(name + ".log"));
  if (!WaitFor([&] { return std::filesystem::exists(runtime); }, absl::Seconds(20))) {
    throw std::runtime_error(name + " did not start: " + services_[name]->Log());
  }
  auto rt = nlohmann::json::parse(ReadFile(runtime));
  grpc_[name] = rt["grpc"];
  metrics_[name] = rt["metrics"];
  // Ready = the readiness health service says SERVING.
  auto channel = grpc::CreateChannel(grpc_[name], grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  const bool ready = WaitFor([&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    grpc::health::v1::HealthCheckRequest req;
    req.set_service("readiness");
    grpc::health::v1::HealthCheckResponse resp;
    return health->Check(&ctx, req, &resp).ok() &&
           resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  });
  if (!ready) throw std::runtime_error(name + " never became ready: " + services_[name]->Log());
}

void Stack::StopService(const std::string& name, bool kill) {
  auto it = services_.find(name);
  if (it == services_.end() || !it->second) return;
  if (kill) {
    it->second->Signal(SIGKILL);
    WaitFor([&] { return !it->second->Running(); });
  } else {
    it->second->Stop();
  }
}

std::string Stack::ServiceLog(const std::string& name) const {
  return ReadFile(dir_.File(name + ".log"));
}

std::string Stack::Token(const std::string& org, std::vector<std::string> roles,
                         const std::string& subject) {
  kpo::auth::MintOptions o;
  o.hs256_secret = kSecret;
  o.organization_id = org;
  o.roles = std::move(roles);
  o.subject = subject;
  return kpo::auth::MintHs256(o, absl::Now()).value();
}

std::unique_ptr<kpo::people::v1::PeopleService::Stub> Stack::People() {
  return kpo::people::v1::PeopleService::NewStub(
      grpc::CreateChannel(grpc_.at("people"), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<kpo::ops::v1::OpsService::Stub> Stack::Ops(const std::string& service) {
  return kpo::ops::v1::OpsService::NewStub(
      grpc::CreateChannel(grpc_.at(service), grpc::InsecureChannelCredentials()));
}

std::string Stack::GrpcAddress(const std::string& service) { return grpc_.at(service); }

std::string Stack::Metrics(const std::string& service) {
  std::vector<std::string> hp = absl::StrSplit(metrics_.at(service), ':');
  int port = 0;
  if (hp.size() != 2 || !absl::SimpleAtoi(hp[1], &port)) return "";
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, hp[0].c_str(), &addr.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string req = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[8192];
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
    }
  }
  close(fd);
  return out;
}

double Stack::MetricValue(const std::string& service, const std::string& name,
                          const std::string& label_filter) {
  std::istringstream in(Metrics(service));
  std::string line;
  double total = 0;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) != 0) continue;
    const char next = line.size() > name.size() ? line[name.size()] : ' ';
    if (next != '{' && next != ' ') continue;
    if (!label_filter.empty() && line.find(label_filter) == std::string::npos) continue;
    double v = 0;
    if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &v)) total += v;
  }
  return total;
}

std::vector<kpo::common::v1::EventEnvelope> ReadTopic(
    const std::string& bootstrap, const std::string& topic,
    const std::function<bool(const std::vector<kpo::common::v1::EventEnvelope>&)>& done,
    absl::Duration timeout) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  const std::string group = "reader-" + std::to_string(getpid()) + "-" + std::to_string(rand());
  rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* t = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(t, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, t);
  rd_kafka_topic_partition_list_destroy(t);
  std::vector<kpo::common::v1::EventEnvelope> out;
  WaitFor(
      [&] {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
        if (m != nullptr) {
          kpo::common::v1::EventEnvelope env;
          if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
              env.ParseFromArray(m->payload, static_cast<int>(m->len))) {
            out.push_back(std::move(env));
          }
          rd_kafka_message_destroy(m);
        }
        return done(out);
      },
      timeout);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

void Authorize(grpc::ClientContext& ctx, const std::string& token) {
  ctx.AddMetadata("authorization", "Bearer " + token);
}

int64_t Stack::EventsWritten(const std::string& service, const std::string& token) {
  auto ops = Ops(service);
  grpc::ClientContext ctx;
  Authorize(ctx, token);
  kpo::ops::v1::ServiceStatus st;
  grpc::Status s = ops->GetServiceStatus(&ctx, {}, &st);
  if (!s.ok()) throw std::runtime_error("GetServiceStatus: " + s.error_message());
  return st.outbox_pending() + st.outbox_sent_retained();
}

std::map<std::string, std::vector<grpc::Status>> CallEveryMethod(
    const std::string& address, const std::string& service_name,
    const std::vector<std::string>& names, const std::string& token,
    const std::function<void(google::protobuf::Message&)>& prepare) {
  std::map<std::string, std::vector<grpc::Status>> out;
  grpc::GenericStub generic(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  const auto* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
  if (service == nullptr) return out;
  for (int m = 0; m < service->method_count(); ++m) {
    const auto* method = service->method(m);
    std::vector<grpc::Status>& statuses = out[method->name()];
    std::unique_ptr<google::protobuf::Message> request(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())
            ->New());
    google::protobuf::Message* holder = request.get();
    const auto* field = method->input_type()->FindFieldByName("name");
    if (field == nullptr) field = method->input_type()->FindFieldByName("parent");
    for (int f = 0; f < method->input_type()->field_count() && field == nullptr; ++f) {
      const auto* candidate = method->input_type()->field(f);
      if (candidate->message_type() != nullptr &&
          candidate->message_type()->FindFieldByName("name") != nullptr) {
        holder = request->GetReflection()->MutableMessage(request.get(), candidate);
        field = candidate->message_type()->FindFieldByName("name");
      }
    }
    if (field == nullptr) continue;
    for (const std::string& name : names) {
      holder->GetReflection()->SetString(holder, field, name);
      if (prepare) prepare(*request);
      grpc::Slice slice(request->SerializeAsString());
      grpc::ByteBuffer send(&slice, 1), receive;
      grpc::ClientContext ctx;
      Authorize(ctx, token);
      absl::Notification done;
      grpc::Status status;
      generic.UnaryCall(&ctx, "/" + service->full_name() + "/" + method->name(),
                        grpc::StubOptions(), &send, &receive, [&](grpc::Status st) {
                          status = std::move(st);
                          done.Notify();
                        });
      done.WaitForNotification();
      statuses.push_back(std::move(status));
    }
  }
  return out;
}

DirectoryWriter::DirectoryWriter(Stack& stack, std::string token)
    : people_(stack.People()), token_(std::move(token)) {}

template <class Req, class Resp>
void DirectoryWriter::Call(grpc::Status (kpo::people::v1::PeopleService::Stub::*method)(
                               grpc::ClientContext*, const Req&, Resp*),
                           const Req& request) {
  if (!status_.ok()) return;
  grpc::ClientContext ctx;
  Authorize(ctx, token_);
  Resp response;
  const grpc::Status s = (people_.get()->*method)(&ctx, request, &response);
  if (!s.ok()) {
    status_ = absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                           s.error_message() + "\n" + request.DebugString());
  }
}

void DirectoryWriter::Organization(
    const std::string& id, const std::vector<std::pair<std::string, std::string>>& objectives) {
  kpo::people::v1::CreateOrganizationRequest r;
  r.set_organization_id(id);
  r.mutable_organization()->set_display_name(id);
  r.mutable_organization()->set_maturity_stage(kpo::people::v1::MATURITY_STAGE_SPREADING);
  for (const auto& [objective, title] : objectives) {
    auto* o = r.mutable_organization()->add_strategic_objectives();
    o->set_id(objective);
    o->set_title(title);
  }
  Call(&kpo::people::v1::PeopleService::Stub::CreateOrganization, r);
}

void DirectoryWriter::Site(const std::string& org, const std::string& id,
                           const std::string& time_zone) {
  kpo::people::v1::CreateSiteRequest r;
  r.set_parent("organizations/" + org);
  r.set_site_id(id);
  r.mutable_site()->set_display_name(id);
  r.mutable_site()->set_time_zone(time_zone);
  Call(&kpo::people::v1::PeopleService::Stub::CreateSite, r);
}

void DirectoryWriter::Person(const std::string& org, const std::string& id,
                             const std::string& site_id, kpo::people::v1::Role role,
                             const std::string& manager_id) {
  kpo::people::v1::CreatePersonRequest r;
  r.set_parent("organizations/" + org);
  r.set_person_id(id);
  r.mutable_person()->set_display_name(id);
  r.mutable_person()->set_home_site("organizations/" + org + "/sites/" + site_id);
  r.mutable_person()->add_roles(role);
  if (!manager_id.empty()) {
    r.mutable_person()->set_manager("organizations/" + org + "/people/" + manager_id);
  }
  Call(&kpo::people::v1::PeopleService::Stub::CreatePerson, r);
}

bool WaitForReplica(Stack& stack, const std::string& service, const std::string& token,
                    int64_t people, int64_t sites) {
  auto ops = stack.Ops(service);
  return WaitFor([&] {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    kpo::ops::v1::ServiceStatus st;
    if (!ops->GetServiceStatus(&ctx, {}, &st).ok()) return false;
    const auto& counts = st.replica_counts();
    return counts.contains("organization") && counts.contains("person") &&
           counts.at("person") == people && counts.contains("site") && counts.at("site") == sites;
  });
}

}  // namespace kpo::testing
