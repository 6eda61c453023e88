#pragma once

// What the daily kaizen service's application tests start from: a real SQLite file
// migrated like the service's, the application classes over it, and a directory
// replica as the people service would have published it — organization "acme" with
// objective "lead-time", sites lyon (Europe/Paris, areas press and paint) and pune
// (Asia/Kolkata, area press),
// people ana (lyon/press), raj (pune), bo (team leader), kim (KPO specialist), eve, and
// gone (inactive).

#include <memory>
#include <string>
#include <vector>

#include "coaching.h"
#include "gemba.h"
#include "gtest/gtest.h"
#include "ideas.h"  // Migrations()
#include "kata.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/replica/directory_replica.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"
#include "replicate.h"
#include "yokoten.h"

namespace kpo::daily::testing {

namespace pb = kpo::daily::v1;
namespace dir = kpo::people::v1;
using kpo::auth::Principal;

inline std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : kpo::core::FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

inline std::string Reason(const absl::Status& s) { return kpo::core::ErrorReason(s).value_or(""); }

inline constexpr char kOrg[] = "organizations/acme";

class DailyFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::testing::OpenTestDatabase(dir_, "daily");
    for (auto [component, migrations] :
         {std::pair{"events", &kpo::events::Migrations()},
          std::pair{"replica", &kpo::replica::Migrations()}, std::pair{"daily", &Migrations()},
          std::pair{"idempotency", &kpo::idempotency::Migrations()}}) {
      ASSERT_TRUE(db_->Migrate(component, *migrations).ok());
    }
    commands_ = std::make_unique<kpo::command::Runner>(*db_, outbox_, clock_);
    boards_ = std::make_unique<Storyboards>(*commands_, tokens_, kpo::core::PageOptions{2, 1000});
    coaching_ = std::make_unique<Coaching>(*commands_, tokens_, kpo::core::PageOptions{2, 1000});
    gemba_ = std::make_unique<Gemba>(*commands_, tokens_, kpo::core::PageOptions{2, 1000});
    ideas_ = std::make_unique<Ideas>(*commands_, tokens_, kpo::core::PageOptions{2, 1000});
    yokoten_ = std::make_unique<Yokoten>(*commands_, tokens_, kpo::core::PageOptions{2, 1000});
    dir::Organization org;
    org.set_name(kOrg);
    org.set_state(dir::ACTIVE);
    org.add_strategic_objectives()->set_id("lead-time");
    Replicate<dir::OrganizationCreated>(org);
    for (auto [site, zone] :
         {std::pair{"lyon", "Europe/Paris"}, std::pair{"pune", "Asia/Kolkata"}}) {
      dir::Site s;
      s.set_name(std::string(kOrg) + "/sites/" + site);
      s.set_time_zone(zone);
      s.set_state(dir::ACTIVE);
      Replicate<dir::SiteCreated>(s);
    }
    for (const std::string& name :
         {Lyon() + "/areas/press", Lyon() + "/areas/paint", Pune() + "/areas/press"}) {
      dir::Area area;
      area.set_name(name);
      area.set_state(dir::ACTIVE);
      Replicate<dir::AreaCreated>(area);
    }
    Person("ana", Lyon(), dir::TEAM_MEMBER, Lyon() + "/areas/press");
    Person("raj", Pune(), dir::TEAM_MEMBER);
    Person("bo", Lyon(), dir::TEAM_LEADER);
    Person("kim", Lyon(), dir::KPO_SPECIALIST);
    Person("eve", Lyon(), dir::TEAM_MEMBER);
    Person("gone", Lyon(), dir::TEAM_MEMBER, "", dir::INACTIVE);
  }

  template <class Event, class R>
  void Replicate(const R& resource, int64_t revision = 1) {
    kpo::testing::Replicate<Event>(*db_, clock_, kOrg, resource, revision);
  }

  static std::string Lyon() { return std::string(kOrg) + "/sites/lyon"; }
  static std::string Pune() { return std::string(kOrg) + "/sites/pune"; }
  static std::string P(const std::string& id) { return std::string(kOrg) + "/people/" + id; }
  static std::string S(const std::string& id) { return std::string(kOrg) + "/storyboards/" + id; }

  void Person(const std::string& id, const std::string& site, dir::Role role,
              const std::string& area = "", dir::ResourceState state = dir::ACTIVE) {
    dir::Person p;
    p.set_name(P(id));
    p.set_home_site(site);
    p.set_area(area);
    p.add_roles(role);
    p.set_state(state);
    Replicate<dir::PersonCreated>(p);
  }

  // The people service's coaching relationship reaching the replica.
  void Relationship(const std::string& id, const std::string& coach, const std::string& learner,
                    int per_week, dir::ResourceState state = dir::ACTIVE, int64_t revision = 1) {
    dir::CoachingRelationship r;
    r.set_name(std::string(kOrg) + "/coachingRelationships/" + id);
    r.set_coach(P(coach));
    r.set_learner(P(learner));
    r.mutable_cadence()->set_sessions_per_week(per_week);
    r.set_state(state);
    if (revision == 1) {
      Replicate<dir::CoachingRelationshipCreated>(r);
    } else {
      Replicate<dir::CoachingRelationshipUpdated>(r, revision);
    }
  }

  // Today at the fake clock in a time zone; in Lyon's.
  absl::CivilDay TodayIn(const char* zone_name) {
    absl::TimeZone zone;
    EXPECT_TRUE(absl::LoadTimeZone(zone_name, &zone));
    return absl::ToCivilDay(clock_.Now(), zone);
  }
  absl::CivilDay LyonToday() { return TodayIn("Europe/Paris"); }

  std::vector<std::string> OutboxTypes() {
    std::vector<std::string> types;
    EXPECT_TRUE(db_->Read([&](kpo::storage::Transaction& tx) {
                     auto rows = tx.Query("SELECT event_type FROM outbox ORDER BY seq");
                     if (!rows.ok()) return rows.status();
                     for (const auto& r : *rows) types.push_back(r.Text(0));
                     return absl::OkStatus();
                   })
                    .ok());
    return types;
  }

  kpo::testing::TempDir dir_;
  std::unique_ptr<kpo::storage::Database> db_;
  // 2026-02-25 06:13 UTC.
  kpo::core::FakeClock clock_{absl::FromUnixSeconds(1'772'000'000)};
  kpo::events::Outbox outbox_{{"//kpo.platform/daily", "kpo.daily.v1"}, clock_};
  kpo::core::PageTokenCodec tokens_ = kpo::core::PageTokenCodec::Random();
  std::unique_ptr<kpo::command::Runner> commands_;
  std::unique_ptr<Storyboards> boards_;
  std::unique_ptr<Coaching> coaching_;
  std::unique_ptr<Gemba> gemba_;
  std::unique_ptr<Ideas> ideas_;
  std::unique_ptr<Yokoten> yokoten_;
  Principal ana_{"ana", "acme", {kpo::auth::kTeamMember}};
  Principal bo_{"bo", "acme", {kpo::auth::kTeamLeader}};
  Principal kim_{"kim", "acme", {kpo::auth::kKpoSpecialist}};
  Principal eve_{"eve", "acme", {kpo::auth::kTeamMember}};
};

}  // namespace kpo::daily::testing
