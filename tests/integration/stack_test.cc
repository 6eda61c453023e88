// The platform over real processes on loopback: broker, Redis, the four services.
#include "stack.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/rpc/status.h"

namespace kpo::testing {
namespace {

namespace pb = kpo::people::v1;
namespace ops = kpo::ops::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::vector<std::string> kReplicas = {"kaizen", "daily", "reporting"};

class StackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { stack_ = new Stack(); }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    people_ = stack_->People();
    EnsureOrganization();
  }

  // A fresh organization per test keeps tests independent on the shared stack.
  void EnsureOrganization() {
    static int counter = 0;
    org_ = "org-" + std::to_string(++counter) + "-" + std::to_string(getpid());
    admin_ = Stack::Token(org_, {"org_admin"});
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    pb::CreateOrganizationRequest r;
    r.set_organization_id(org_);
    r.mutable_organization()->set_display_name("Test org");
    r.mutable_organization()->set_maturity_stage(pb::MATURITY_STAGE_PILOTING);
    pb::Organization out;
    ASSERT_TRUE(people_->CreateOrganization(&ctx, r, &out).ok());
    site_ = CreateSite("plant");
  }

  std::string CreateSite(const std::string& id) {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    pb::CreateSiteRequest r;
    r.set_parent("organizations/" + org_);
    r.set_site_id(id);
    r.mutable_site()->set_display_name("Plant");
    r.mutable_site()->set_time_zone("Europe/Berlin");
    pb::Site out;
    grpc::Status s = people_->CreateSite(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.name();
  }

  grpc::Status CreatePerson(const std::string& id, pb::Person* out, const std::string& token = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, token.empty() ? admin_ : token);
    pb::CreatePersonRequest r;
    r.set_parent("organizations/" + org_);
    r.set_person_id(id);
    r.mutable_person()->set_display_name("Person " + id);
    r.mutable_person()->set_home_site(site_);
    r.mutable_person()->add_roles(pb::TEAM_MEMBER);
    return people_->CreatePerson(&ctx, r, out);
  }

  // The replica entry of `name` in `service`, or the RPC's status code.
  std::pair<grpc::StatusCode, int64_t> Replica(const std::string& service,
                                               const std::string& name) {
    auto stub = stack_->Ops(service);
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    ops::GetReplicaEntryRequest r;
    r.set_name(name);
    ops::ReplicaEntry e;
    grpc::Status s = stub->GetReplicaEntry(&ctx, r, &e);
    return {s.error_code(), e.revision()};
  }

  bool EverywhereAtRevision(const std::string& name, int64_t revision,
                            absl::Duration timeout = absl::Seconds(30)) {
    return WaitFor(
        [&] {
          for (const auto& svc : kReplicas) {
            auto [code, rev] = Replica(svc, name);
            if (code != grpc::StatusCode::OK || rev != revision) return false;
          }
          return true;
        },
        timeout);
  }

  ops::ServiceStatus Status(const std::string& service) {
    auto stub = stack_->Ops(service);
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    ops::ServiceStatus out;
    EXPECT_TRUE(stub->GetServiceStatus(&ctx, ops::GetServiceStatusRequest(), &out).ok());
    return out;
  }

  static Stack* stack_;
  std::unique_ptr<pb::PeopleService::Stub> people_;
  std::string org_, admin_, site_;
};

Stack* StackTest::stack_ = nullptr;

TEST_F(StackTest, PersonCreatedThroughGrpcAppearsInEveryReplica) {
  pb::Person person;
  ASSERT_TRUE(CreatePerson("aiko", &person).ok());
  ASSERT_TRUE(EverywhereAtRevision(person.name(), 1)) << stack_->ServiceLog("kaizen");

  grpc::ClientContext ctx;
  Authorize(ctx, admin_);
  pb::UpdatePersonRequest u;
  *u.mutable_person() = person;
  u.mutable_person()->set_display_name("Aiko Tanaka");
  u.mutable_update_mask()->add_paths("display_name");
  pb::Person updated;
  ASSERT_TRUE(people_->UpdatePerson(&ctx, u, &updated).ok());
  EXPECT_TRUE(EverywhereAtRevision(person.name(), 2));
}

TEST_F(StackTest, ServerReflectionListsTheServices) {
  // grpc.reflection.v1alpha over a generic stub: ServerReflectionRequest with
  // list_services = "" (field 7) is the two bytes 0x3a 0x00.
  auto channel =
      grpc::CreateChannel(stack_->GrpcAddress("people"), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  auto step = [&](intptr_t want) {
    void* tag = nullptr;
    bool ok = false;
    return cq.Next(&tag, &ok) && ok && reinterpret_cast<intptr_t>(tag) == want;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(step(1));
  const char request[] = {0x3a, 0x00};
  grpc::Slice slice(request, sizeof(request));
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  ASSERT_TRUE(step(2));
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  ASSERT_TRUE(step(3));
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string bytes;
  for (const auto& sl : slices) bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  EXPECT_THAT(bytes, HasSubstr("kpo.people.v1.PeopleService"));
  EXPECT_THAT(bytes, HasSubstr("kpo.ops.v1.OpsService"));
  call->WritesDone(reinterpret_cast<void*>(4));
  ASSERT_TRUE(step(4));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  ASSERT_TRUE(step(5));
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(StackTest, OutsideKafkaClientsReadEventsWithCloudEventsHeaders) {
  pb::Person p;
  ASSERT_TRUE(CreatePerson("visible", &p).ok());
  ASSERT_TRUE(EverywhereAtRevision(p.name(), 1));  // so it is on the topic
  const std::string cmd =
      "kcat -b " + stack_->bootstrap() + " -C -t kpo.people.v1 -J -e -q -o beginning 2>&1";
  std::string out;
  ASSERT_TRUE(WaitFor([&] {
    out.clear();
    FILE* f = popen(cmd.c_str(), "r");
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
    pclose(f);
    return out.find(p.name()) != std::string::npos;
  })) << out;
  EXPECT_THAT(out, HasSubstr("\"ce_type\",\"kpo.people.v1.PersonCreated\""));
  EXPECT_THAT(out, HasSubstr("\"key\":\"" + p.name() + "\""));
  EXPECT_THAT(out, HasSubstr("\"kpo_organization\",\"organizations/" + org_ + "\""));
}

TEST_F(StackTest, BrokerOutageKeepsWritesWorkingAndDeliversEverythingAfterwards) {
  BrokerOutage outage(*stack_);
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) {
    pb::Person p;
    ASSERT_TRUE(CreatePerson("outage-" + std::to_string(i), &p).ok()) << "writes go on";
    names.push_back(p.name());
  }
  EXPECT_GE(Status("people").outbox_pending(), 10) << "events wait in the outbox";
  outage.End();
  for (const auto& n : names) EXPECT_TRUE(EverywhereAtRevision(n, 1, absl::Seconds(60))) << n;
  EXPECT_TRUE(WaitFor([&] { return Status("people").outbox_pending() == 0; }));
}

TEST_F(StackTest, RedeliveredEventsChangeNothing) {
  pb::Person p;
  ASSERT_TRUE(CreatePerson("again", &p).ok());
  // Each aggregate has its own partition, so the person may arrive before the organization
  // and the site: wait for all three before counting what the inbox holds.
  for (const std::string& name : {"organizations/" + org_, site_, p.name()}) {
    ASSERT_TRUE(EverywhereAtRevision(name, 1)) << name;
  }
  const int64_t processed = Status("reporting").inbox_processed();
  const double duplicates =
      stack_->MetricValue("reporting", "kpo_consumer_records_total", "outcome=\"duplicate\"");

  auto ops_people = stack_->Ops("people");
  grpc::ClientContext ctx;
  Authorize(ctx, admin_);
  ops::RepublishOutboxRequest r;
  *r.mutable_since() = google::protobuf::util::TimeUtil::SecondsToTimestamp(0);
  ops::RepublishOutboxResponse resp;
  ASSERT_TRUE(ops_people->RepublishOutbox(&ctx, r, &resp).ok());
  EXPECT_GE(resp.events_requeued(), 3);  // organization, site, person

  ASSERT_TRUE(WaitFor([&] {
    return stack_->MetricValue("reporting", "kpo_consumer_records_total",
                               "outcome=\"duplicate\"") >= duplicates + resp.events_requeued();
  }));
  EXPECT_EQ(Status("reporting").inbox_processed(), processed);
  EXPECT_EQ(Replica("reporting", p.name()).second, 1);
}

TEST_F(StackTest, ReadsStillAnswerWithRedisStopped) {
  pb::Person p;
  ASSERT_TRUE(CreatePerson("cached", &p).ok());
  auto get = [&](pb::Person* out) {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    pb::GetPersonRequest r;
    r.set_name(p.name());
    return people_->GetPerson(&ctx, r, out);
  };
  pb::Person out;
  ASSERT_TRUE(get(&out).ok());
  ASSERT_TRUE(get(&out).ok());
  EXPECT_GE(stack_->MetricValue("people", "kpo_cache_requests_total", "result=\"hit\""), 1);

  RedisOutage outage(*stack_);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(get(&out).ok());
    EXPECT_EQ(out.name(), p.name());
  }
  EXPECT_EQ(stack_->MetricValue("people", "kpo_cache_available"), 0);
  // Writes go on too, and after Redis returns nobody sees a stale value.
  grpc::ClientContext ctx;
  Authorize(ctx, admin_);
  pb::UpdatePersonRequest u;
  *u.mutable_person() = out;
  u.mutable_person()->set_display_name("Renamed while Redis was down");
  u.mutable_update_mask()->add_paths("display_name");
  pb::Person updated;
  ASSERT_TRUE(people_->UpdatePerson(&ctx, u, &updated).ok());
  outage.End();
  ASSERT_TRUE(WaitFor(
      [&] { return get(&out).ok() && stack_->MetricValue("people", "kpo_cache_available") == 1; }));
  ASSERT_TRUE(get(&out).ok());
  EXPECT_EQ(out.display_name(), "Renamed while Redis was down");
}

TEST_F(StackTest, MalformedInputIsInvalidArgumentNamingFieldsAndWritesNothing) {
  auto written = [&] {  // one snapshot: an event may move from pending to sent meanwhile
    ops::ServiceStatus st = Status("people");
    return st.outbox_pending() + st.outbox_sent_retained();
  };
  const int64_t before = written();
  grpc::ClientContext ctx;
  Authorize(ctx, admin_);
  pb::CreatePersonRequest r;
  r.set_parent("organizations/" + org_);
  r.set_person_id("Bad Id");
  r.mutable_person()->set_email("nope");
  r.mutable_person()->set_home_site("elsewhere");
  r.mutable_person()->add_roles(static_cast<pb::Role>(42));
  pb::Person out;
  grpc::Status s = people_->CreatePerson(&ctx, r, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  absl::Status rich = kpo::rpc::FromGrpcStatus(s);
  EXPECT_EQ(kpo::core::ErrorReason(rich), "INVALID_ARGUMENT");
  std::vector<std::string> fields;
  for (const auto& v : kpo::core::FieldViolationsOf(rich)) fields.push_back(v.field);
  EXPECT_THAT(fields, ElementsAre("person_id", "person.display_name", "person.email",
                                  "person.home_site", "person.roles[0]"));

  grpc::ClientContext ctx2;
  Authorize(ctx2, admin_);
  pb::ListPeopleRequest list;
  list.set_parent("organizations/" + org_);
  list.set_page_size(-5);
  pb::ListPeopleResponse lr;
  EXPECT_EQ(people_->ListPeople(&ctx2, list, &lr).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // A parent of the wrong shape is a bad argument, not another organization.
  grpc::ClientContext ctx3;
  Authorize(ctx3, admin_);
  pb::CreateSiteRequest site;
  site.set_parent("sites/x");
  site.mutable_site()->set_display_name("X");
  site.mutable_site()->set_time_zone("UTC");
  pb::Site site_out;
  grpc::Status shape = people_->CreateSite(&ctx3, site, &site_out);
  EXPECT_EQ(shape.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << shape.error_message();

  // A string field holding invalid UTF-8, as another language's client can send it:
  // INVALID_ARGUMENT naming the field, not gRPC's empty UNIMPLEMENTED.
  grpc::GenericStub generic(
      grpc::CreateChannel(stack_->GrpcAddress("people"), grpc::InsecureChannelCredentials()));
  pb::GetPersonRequest get;
  get.set_name("organizations/" + org_ + "/people/x");
  std::string bytes = get.SerializeAsString();
  bytes.back() = '\xff';  // the last byte of the name
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::ClientContext ctx4;
  Authorize(ctx4, admin_);
  absl::Notification done;
  grpc::Status utf8;
  generic.UnaryCall(&ctx4, "/kpo.people.v1.PeopleService/GetPerson", grpc::StubOptions(), &request,
                    &response, [&](grpc::Status st) {
                      utf8 = std::move(st);
                      done.Notify();
                    });
  done.WaitForNotification();
  ASSERT_EQ(utf8.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << utf8.error_message();
  absl::Status utf8_rich = kpo::rpc::FromGrpcStatus(utf8);
  ASSERT_EQ(kpo::core::FieldViolationsOf(utf8_rich).size(), 1u);
  EXPECT_EQ(kpo::core::FieldViolationsOf(utf8_rich)[0].field, "name");
  EXPECT_EQ(written(), before);
}

TEST_F(StackTest, TokensOfOneOrganizationCannotTouchAnother) {
  pb::Person p;
  ASSERT_TRUE(CreatePerson("private", &p).ok());
  const std::string intruder = Stack::Token("globex", {"org_admin"});
  {
    grpc::ClientContext ctx;
    Authorize(ctx, intruder);
    pb::GetPersonRequest r;
    r.set_name(p.name());
    pb::Person out;
    EXPECT_EQ(people_->GetPerson(&ctx, r, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx, intruder);
    pb::ListPeopleRequest r;
    r.set_parent("organizations/" + org_);
    pb::ListPeopleResponse out;
    EXPECT_EQ(people_->ListPeople(&ctx, r, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx, intruder);
    pb::DeactivatePersonRequest r;
    r.set_name(p.name());
    pb::Person out;
    EXPECT_EQ(people_->DeactivatePerson(&ctx, r, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    auto ops_stub = stack_->Ops("kaizen");
    grpc::ClientContext ctx;
    Authorize(ctx, intruder);
    ops::GetReplicaEntryRequest r;
    r.set_name(p.name());
    ops::ReplicaEntry out;
    EXPECT_EQ(ops_stub->GetReplicaEntry(&ctx, r, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    grpc::ClientContext ctx;  // no token at all
    pb::GetPersonRequest r;
    r.set_name(p.name());
    pb::Person out;
    grpc::Status s = people_->GetPerson(&ctx, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_THAT(s.error_message(), HasSubstr("Bearer"));
  }
  {
    pb::Person out;  // a team member of the right organization may not edit the directory
    grpc::Status s = CreatePerson("nope", &out, Stack::Token(org_, {"team_member"}));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(s.error_message(), HasSubstr("org_admin"));
  }
}

TEST_F(StackTest, RestartLosesNothingAcknowledged) {
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) {
    pb::Person p;
    ASSERT_TRUE(CreatePerson("durable-" + std::to_string(i), &p).ok());
    names.push_back(p.name());
  }
  stack_->StopService("people", /*kill=*/true);
  stack_->StartService("people");
  people_ = stack_->People();
  for (const auto& n : names) {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    pb::GetPersonRequest r;
    r.set_name(n);
    pb::Person out;
    EXPECT_TRUE(people_->GetPerson(&ctx, r, &out).ok()) << n;
    EXPECT_TRUE(EverywhereAtRevision(n, 1)) << n;
  }
  // A graceful restart of a consumer keeps its replica and goes on consuming.
  stack_->StopService("daily");
  stack_->StartService("daily");
  pb::Person later;
  ASSERT_TRUE(CreatePerson("after-restart", &later).ok());
  EXPECT_TRUE(EverywhereAtRevision(later.name(), 1)) << stack_->ServiceLog("daily");
  EXPECT_EQ(Replica("daily", names[0]).first, grpc::StatusCode::OK);
}

}  // namespace
}  // namespace kpo::testing
