// Several replicas of a service against one PostgreSQL database, over real processes:
// two of people, two of kaizen, one of each killed with SIGKILL in the middle of a load
// of creates and updates.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "kpo/core/ids.h"
#include "kpo/kaizen/v1/kaizen_service.grpc.pb.h"
#include "kpo/people/v1/people_service.grpc.pb.h"
#include "stack.h"

namespace kpo::testing {
namespace {

namespace dir = kpo::people::v1;
namespace kz = kpo::kaizen::v1;

class ReplicasTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Replicas share one database: this suite is about PostgreSQL whichever copy runs.
    setenv("KPO_TEST_DATABASE", "postgres", 1);
    stack_ = new Stack({"people", "people#2", "kaizen", "kaizen#2"});
    admin_ = Stack::Token("acme", {"org_admin", "kpo_specialist"}, "kpo");
    DirectoryWriter directory(*stack_, admin_);
    directory.Organization("acme", {{"lead-time", "Halve lead time"}});
    directory.Site("acme", "lyon", "Europe/Paris");
    for (const char* id : {"sponsor", "leader", "kpo"}) {
      directory.Person("acme", id, "lyon", dir::TEAM_LEADER);
    }
    ASSERT_TRUE(directory.status().ok()) << directory.status();
    for (const char* svc : {"kaizen", "kaizen#2"}) {
      ASSERT_TRUE(WaitForReplica(*stack_, svc, admin_, 3, 1)) << stack_->ServiceLog(svc);
    }
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  static std::unique_ptr<dir::PeopleService::Stub> People(const std::string& replica) {
    return dir::PeopleService::NewStub(
        grpc::CreateChannel(stack_->GrpcAddress(replica), grpc::InsecureChannelCredentials()));
  }
  static std::unique_ptr<kz::KaizenEventsService::Stub> Kaizen(const std::string& replica) {
    return kz::KaizenEventsService::NewStub(
        grpc::CreateChannel(stack_->GrpcAddress(replica), grpc::InsecureChannelCredentials()));
  }
  static void Prepare(grpc::ClientContext& ctx) {
    Authorize(ctx, admin_);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }

  // Calls `call(stub, ctx)` until it answers other than UNAVAILABLE or DEADLINE_EXCEEDED
  // (20 tries); once `killed`, a client of the killed replica `service` moves to the
  // surviving one, `service#2`, keeping the request (and its request id) as it was.
  template <class Stub, class Call>
  static grpc::Status WithFailover(const std::string& service, const std::atomic<bool>& killed,
                                   std::string& replica, std::unique_ptr<Stub>& stub,
                                   std::unique_ptr<Stub> (*connect)(const std::string&),
                                   Call call) {
    grpc::Status s;
    for (int attempt = 0; attempt < 20; ++attempt) {
      grpc::ClientContext ctx;
      Prepare(ctx);
      s = call(*stub, ctx);
      if (s.ok() || (s.error_code() != grpc::StatusCode::UNAVAILABLE &&
                     s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED)) {
        return s;
      }
      if (killed.load() && replica == service) {
        replica = service + "#2";
        stub = connect(replica);
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return s;
  }

  static kz::CreateKaizenEventRequest NewEvent(const std::string& id) {
    kz::CreateKaizenEventRequest r;
    r.set_parent("organizations/acme");
    r.set_kaizen_event_id(id);
    r.set_request_id(kpo::core::NewUuid());
    auto* e = r.mutable_kaizen_event();
    e->set_title("Changeover " + id);
    e->set_site("organizations/acme/sites/lyon");
    e->set_event_type(kz::SETUP_REDUCTION);
    auto* c = e->mutable_charter();
    c->set_problem_statement("Too slow");
    c->set_purpose("Capacity");
    c->set_customer("Line 2");
    c->mutable_scope()->set_process_start("last part");
    c->mutable_scope()->set_process_end("first part");
    c->set_strategic_objective("lead-time");
    c->add_goals("Under 30 minutes");
    c->mutable_planned_start_date()->set_year(2027);
    c->mutable_planned_start_date()->set_month(1);
    c->mutable_planned_start_date()->set_day(11);
    *c->mutable_planned_end_date() = c->planned_start_date();
    c->mutable_planned_end_date()->set_day(13);
    c->set_sponsor("organizations/acme/people/sponsor");
    c->set_team_leader("organizations/acme/people/leader");
    c->set_facilitator("organizations/acme/people/kpo");
    auto* m = e->add_metrics();
    m->set_id("changeover");
    m->set_name("Changeover");
    m->set_direction(kz::LOWER_IS_BETTER);
    m->set_baseline(90);
    m->set_target(30);
    return r;
  }

  static Stack* stack_;
  static std::string admin_;
};

Stack* ReplicasTest::stack_ = nullptr;
std::string ReplicasTest::admin_;

// What the clients were told: each acknowledged person at its last acknowledged
// revision (2 once its rename was acknowledged), each acknowledged kaizen event.
struct Acknowledged {
  std::mutex mu;
  std::map<std::string, int64_t> people;
  std::set<std::string> events;
};

TEST_F(ReplicasTest, KillingOneReplicaOfEachMidLoadLosesNothingAndDuplicatesNothing) {
  Acknowledged acked;
  std::atomic<bool> stop{false}, killed{false};
  // A client keeps to its replica until that one is killed, then goes to the other one,
  // retrying what was in flight with the same request id: the answer it then gets is
  // the first one's, never a second person or event.
  auto people_client = [&](int client, const std::string& first) {
    std::string replica = first;
    auto stub = People(replica);
    for (int i = 0; !stop.load(); ++i) {
      const std::string id = "p" + std::to_string(client) + "-" + std::to_string(i);
      dir::CreatePersonRequest create;
      create.set_parent("organizations/acme");
      create.set_person_id(id);
      create.set_request_id(kpo::core::NewUuid());
      create.mutable_person()->set_display_name(id);
      create.mutable_person()->set_home_site("organizations/acme/sites/lyon");
      create.mutable_person()->add_roles(dir::TEAM_MEMBER);
      dir::Person person;
      grpc::Status s = WithFailover("people", killed, replica, stub, &People,
                                    [&](dir::PeopleService::Stub& st, grpc::ClientContext& ctx) {
                                      return st.CreatePerson(&ctx, create, &person);
                                    });
      ASSERT_TRUE(s.ok()) << id << ": " << s.error_message();
      {
        std::lock_guard<std::mutex> lock(acked.mu);
        acked.people[person.name()] = 1;
      }
      dir::UpdatePersonRequest update;
      *update.mutable_person() = person;
      update.mutable_person()->set_display_name(id + " (renamed)");
      update.mutable_update_mask()->add_paths("display_name");
      update.set_request_id(kpo::core::NewUuid());
      dir::Person updated;
      s = WithFailover("people", killed, replica, stub, &People,
                       [&](dir::PeopleService::Stub& st, grpc::ClientContext& ctx) {
                         return st.UpdatePerson(&ctx, update, &updated);
                       });
      if (s.ok()) {
        std::lock_guard<std::mutex> lock(acked.mu);
        acked.people[person.name()] = 2;
      }
      ASSERT_TRUE(s.ok()) << id << " update: " << s.error_message();
    }
  };
  auto kaizen_client = [&](int client, const std::string& first) {
    std::string replica = first;
    auto stub = Kaizen(replica);
    for (int i = 0; !stop.load(); ++i) {
      const kz::CreateKaizenEventRequest create =
          NewEvent("k" + std::to_string(client) + "-" + std::to_string(i));
      kz::KaizenEvent event;
      const grpc::Status s =
          WithFailover("kaizen", killed, replica, stub, &Kaizen,
                       [&](kz::KaizenEventsService::Stub& st, grpc::ClientContext& ctx) {
                         return st.CreateKaizenEvent(&ctx, create, &event);
                       });
      ASSERT_TRUE(s.ok()) << create.kaizen_event_id() << ": " << s.error_message();
      std::lock_guard<std::mutex> lock(acked.mu);
      acked.events.insert(event.name());
    }
  };
  std::vector<std::thread> clients;
  clients.emplace_back(people_client, 0, "people");
  clients.emplace_back(people_client, 1, "people#2");
  clients.emplace_back(kaizen_client, 0, "kaizen");
  clients.emplace_back(kaizen_client, 1, "kaizen#2");
  auto acknowledged_people = [&] {
    std::lock_guard<std::mutex> lock(acked.mu);
    return acked.people.size();
  };
  ASSERT_TRUE(WaitFor([&] { return acknowledged_people() >= 40; }, absl::Seconds(60)));
  // The first replicas started first and hold their services' relay leases.
  EXPECT_EQ(stack_->MetricValue("people", "kpo_outbox_relay_active"), 1);
  EXPECT_EQ(stack_->MetricValue("people#2", "kpo_outbox_relay_active"), 0);
  stack_->StopService("people", /*kill=*/true);
  stack_->StopService("kaizen", /*kill=*/true);
  killed = true;
  const size_t at_kill = acknowledged_people();
  ASSERT_TRUE(WaitFor([&] { return acknowledged_people() >= at_kill + 40; }, absl::Seconds(60)));
  stop = true;
  for (auto& c : clients) c.join();
  std::printf("acknowledged: %zu people (%zu before the kill), %zu kaizen events\n",
              acked.people.size(), at_kill, acked.events.size());

  // The standbys took over the relays and published everything.
  EXPECT_TRUE(WaitFor([&] {
    return stack_->MetricValue("people#2", "kpo_outbox_relay_active") == 1 &&
           stack_->MetricValue("kaizen#2", "kpo_outbox_relay_active") == 1;
  }));
  EXPECT_TRUE(WaitFor([&] {
    return stack_->MetricValue("people#2", "kpo_outbox_backlog") == 0 &&
           stack_->MetricValue("kaizen#2", "kpo_outbox_backlog") == 0;
  }));

  // Every acknowledged write is there, at its acknowledged revision, once.
  auto people = People("people#2");
  int64_t listed = 0;
  std::string page;
  do {
    grpc::ClientContext ctx;
    Prepare(ctx);
    dir::ListPeopleRequest r;
    r.set_parent("organizations/acme");
    r.set_page_size(500);
    r.set_page_token(page);
    dir::ListPeopleResponse out;
    ASSERT_TRUE(people->ListPeople(&ctx, r, &out).ok());
    for (const auto& p : out.people()) {
      auto it = acked.people.find(p.name());
      if (it == acked.people.end()) continue;  // the directory's own, or in flight at the kill
      ++listed;
      if (it->second == 2) {
        EXPECT_EQ(p.display_name(), p.name().substr(p.name().rfind('/') + 1) + " (renamed)");
      }
    }
    page = out.next_page_token();
  } while (!page.empty());
  EXPECT_EQ(listed, static_cast<int64_t>(acked.people.size()));
  auto kaizen = Kaizen("kaizen#2");
  for (const std::string& name : acked.events) {
    grpc::ClientContext ctx;
    Prepare(ctx);
    kz::GetKaizenEventRequest r;
    r.set_name(name);
    kz::KaizenEvent out;
    EXPECT_TRUE(kaizen->GetKaizenEvent(&ctx, r, &out).ok()) << name;
  }

  // Every event reached its topic, in order per aggregate; a relay taking over may send
  // again what the killed one sent without recording it, never anything new twice.
  auto check_topic = [&](const std::string& topic, const std::string& created_type,
                         const std::set<std::string>& expected) {
    std::map<std::string, std::string> created_id;  // subject -> id of its created event
    std::map<std::string, int64_t> last_sequence;
    std::set<std::string> seen_ids;
    ReadTopic(
        stack_->bootstrap(), topic,
        [&](const std::vector<kpo::common::v1::EventEnvelope>& events) {
          created_id.clear();
          for (const auto& e : events) {
            if (e.type() == created_type) created_id.emplace(e.subject(), e.id());
          }
          for (const auto& name : expected) {
            if (created_id.count(name) == 0) return false;
          }
          created_id.clear();
          last_sequence.clear();
          seen_ids.clear();
          for (const auto& e : events) {
            if (!seen_ids.insert(e.id()).second) continue;  // sent again: consumers dedupe
            if (e.type() == created_type) {
              EXPECT_TRUE(created_id.emplace(e.subject(), e.id()).second)
                  << e.subject() << " created twice";
            }
            int64_t& last = last_sequence[e.subject()];
            EXPECT_GT(e.sequence(), last) << e.subject() << " out of order";
            last = e.sequence();
          }
          return true;
        },
        absl::Seconds(60));
    for (const auto& name : expected) EXPECT_EQ(created_id.count(name), 1u) << name;
  };
  std::set<std::string> people_names;
  for (const auto& [name, revision] : acked.people) people_names.insert(name);
  check_topic("kpo.people.v1", "kpo.people.v1.PersonCreated", people_names);
  check_topic("kpo.kaizen.v1", "kpo.kaizen.v1.KaizenEventProposed", acked.events);

  // The surviving kaizen replica's directory holds every person at its last revision.
  auto ops = stack_->Ops("kaizen#2");
  EXPECT_TRUE(WaitFor(
      [&] {
        for (const auto& [name, revision] : acked.people) {
          grpc::ClientContext ctx;
          Prepare(ctx);
          kpo::ops::v1::GetReplicaEntryRequest r;
          r.set_name(name);
          kpo::ops::v1::ReplicaEntry e;
          if (!ops->GetReplicaEntry(&ctx, r, &e).ok() || e.revision() < revision) return false;
        }
        return true;
      },
      absl::Seconds(60)))
      << stack_->ServiceLog("kaizen#2");
}

}  // namespace
}  // namespace kpo::testing
