#include "kpo/replica/directory_replica.h"

#include "gtest/gtest.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"

namespace kpo::replica {
namespace {

namespace pb = kpo::people::v1;
using kpo::common::v1::EventEnvelope;

class ReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::testing::OpenTestDatabase(dir_, "r");
    ASSERT_TRUE(db_->Migrate("replica", Migrations()).ok());
  }

  template <class Event>
  EventEnvelope Envelope(const std::string& org, const std::string& name,
                         const std::string& display, pb::ResourceState state, int64_t revision) {
    Event e;
    e.mutable_person()->set_name(name);
    e.mutable_person()->set_display_name(display);
    e.mutable_person()->set_state(state);
    e.set_revision(revision);
    EventEnvelope env;
    env.set_organization(org);
    env.set_type(Event::descriptor()->full_name());
    env.mutable_data()->PackFrom(e);
    return env;
  }

  absl::Status Apply(const EventEnvelope& env) {
    return db_->Write([&](kpo::storage::Transaction& tx) {
      return ApplyDirectoryEvent(tx, env, kpo::core::Clock::Real());
    });
  }

  pb::Person Held(const std::string& name) {
    auto e = Lookup(*db_, "acme", name);
    EXPECT_TRUE(e.ok() && e->has_value());
    pb::Person p;
    (*e)->resource.UnpackTo(&p);
    return p;
  }

  kpo::testing::TempDir dir_;
  std::unique_ptr<kpo::storage::Database> db_;
};

TEST_F(ReplicaTest, KeepsTheNewestRevisionWhateverTheArrivalOrder) {
  const std::string name = "organizations/acme/people/p1";
  ASSERT_TRUE(
      Apply(Envelope<pb::PersonUpdated>("organizations/acme", name, "v2", pb::ACTIVE, 2)).ok());
  ASSERT_TRUE(
      Apply(Envelope<pb::PersonCreated>("organizations/acme", name, "v1", pb::ACTIVE, 1)).ok());
  EXPECT_EQ(Held(name).display_name(), "v2") << "an older revision arriving late changes nothing";
  ASSERT_TRUE(
      Apply(Envelope<pb::PersonDeactivated>("organizations/acme", name, "v3", pb::INACTIVE, 3))
          .ok());
  auto entry = Lookup(*db_, "acme", name);
  EXPECT_EQ((*entry)->revision, 3);
  EXPECT_FALSE((*entry)->active);
  EXPECT_EQ(CountActive(*db_, "acme")->count("person"), 0u);
}

TEST_F(ReplicaTest, RefusesAnEventWhoseResourceIsOutsideItsOrganization) {
  absl::Status s = Apply(Envelope<pb::PersonCreated>(
      "organizations/globex", "organizations/acme/people/p1", "x", pb::ACTIVE, 1));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Lookup(*db_, "acme", "organizations/acme/people/p1")->has_value());
  EXPECT_FALSE(Lookup(*db_, "globex", "organizations/acme/people/p1")->has_value());
  EventEnvelope unknown;
  unknown.set_type("kpo.people.v1.NoSuchEvent");
  EXPECT_FALSE(Apply(unknown).ok());
}

// The topic also carries people development's events, whose field 1 is not a
// directory resource (an assessment has no state at all): the replica refuses them
// cleanly instead of reading fields they do not have.
TEST_F(ReplicaTest, PeopleDevelopmentEventsAreNotDirectoryEvents) {
  pb::AssessmentRecorded assessed;
  assessed.mutable_assessment()->set_name("organizations/acme/people/p1/assessments/a");
  assessed.set_revision(1);
  pb::EvidenceCredited credited;
  credited.mutable_evidence()->set_name("organizations/acme/people/p1/evidence/e");
  credited.mutable_evidence()->set_state(pb::EVIDENCE_STATE_COUNTED);
  credited.set_revision(1);
  pb::KpoMemberCreated joined;
  joined.mutable_kpo_member()->set_name("organizations/acme/kpoMembers/k");
  joined.mutable_kpo_member()->set_state(pb::ACTIVE);
  joined.set_revision(1);
  for (const google::protobuf::Message* event :
       std::initializer_list<const google::protobuf::Message*>{&assessed, &credited, &joined}) {
    EventEnvelope env;
    env.set_organization("organizations/acme");
    env.set_type(event->GetDescriptor()->full_name());
    env.mutable_data()->PackFrom(*event);
    EXPECT_EQ(Apply(env).code(), absl::StatusCode::kInvalidArgument) << env.type();
  }
  EXPECT_TRUE(CountActive(*db_, "acme")->empty());
}

}  // namespace
}  // namespace kpo::replica
