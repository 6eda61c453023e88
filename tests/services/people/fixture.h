#pragma once

// The people service's application tests over a real SQLite file: the directory with
// an organization, two sites (Lyon UTC+1, Pune UTC+5:30), an area and people in a
// manager chain (mgr > tl > ann, ben; peer under mgr; raj at Pune), principals for
// each, and the outbox to read published events from.

#include <memory>
#include <string>
#include <vector>

#include "directory.h"
#include "gtest/gtest.h"
#include "kpo/command/command.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/core/clock.h"
#include "kpo/events/outbox.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"

namespace kpo::people::testing {

namespace pb = kpo::people::v1;
using kpo::auth::Principal;

inline constexpr char kOrg[] = "organizations/acme";
inline std::string P(const std::string& id) { return std::string(kOrg) + "/people/" + id; }

class PeopleFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::testing::OpenTestDatabase(dir_, "people");
    ASSERT_TRUE(db_->Migrate("events", kpo::events::Migrations()).ok());
    ASSERT_TRUE(db_->Migrate("people", Migrations()).ok());
    ASSERT_TRUE(db_->Migrate("idempotency", kpo::idempotency::Migrations()).ok());
    commands_ = std::make_unique<kpo::command::Runner>(*db_, outbox_, clock_);
    directory_ = std::make_unique<Directory>(*commands_, tokens_, nullptr);
    pb::CreateOrganizationRequest org;
    org.set_organization_id("acme");
    org.mutable_organization()->set_display_name("Acme");
    org.mutable_organization()->set_maturity_stage(pb::MATURITY_STAGE_SPREADING);
    ASSERT_TRUE(directory_->CreateOrganization(admin_, org).ok());
    // Lyon is UTC+1 in winter; Pune UTC+5:30.
    Site("lyon", "Europe/Paris");
    Site("pune", "Asia/Kolkata");
    pb::CreateAreaRequest area;
    area.set_parent(std::string(kOrg) + "/sites/lyon");
    area.set_area_id("assembly");
    area.mutable_area()->set_display_name("Assembly");
    area.mutable_area()->set_kind(pb::VALUE_STREAM);
    ASSERT_TRUE(directory_->CreateArea(admin_, area).ok());
    Person("mgr", "lyon", {pb::MIDDLE_MANAGER}, "");
    Person("tl", "lyon", {pb::TEAM_LEADER}, "mgr", "assembly");
    Person("peer", "lyon", {pb::TEAM_LEADER}, "mgr");
    Person("ann", "lyon", {pb::TEAM_MEMBER}, "tl", "assembly");
    Person("ben", "lyon", {pb::TEAM_MEMBER, pb::TEAM_LEADER}, "tl", "assembly");
    Person("raj", "pune", {pb::TEAM_MEMBER}, "");
  }

  void Site(const std::string& id, const std::string& tz) {
    pb::CreateSiteRequest r;
    r.set_parent(kOrg);
    r.set_site_id(id);
    r.mutable_site()->set_display_name(id);
    r.mutable_site()->set_time_zone(tz);
    ASSERT_TRUE(directory_->CreateSite(admin_, r).ok());
  }

  void Person(const std::string& id, const std::string& site, std::vector<pb::Role> roles,
              const std::string& manager, const std::string& area = "") {
    pb::CreatePersonRequest r;
    r.set_parent(kOrg);
    r.set_person_id(id);
    r.mutable_person()->set_display_name("Person " + id);
    r.mutable_person()->set_home_site(std::string(kOrg) + "/sites/" + site);
    if (!area.empty()) {
      r.mutable_person()->set_area(std::string(kOrg) + "/sites/" + site + "/areas/" + area);
    }
    for (pb::Role role : roles) r.mutable_person()->add_roles(role);
    if (!manager.empty()) r.mutable_person()->set_manager(P(manager));
    auto created = directory_->CreatePerson(admin_, r);
    ASSERT_TRUE(created.ok()) << created.status();
  }

  // The payload of the newest outbox row of `type`.
  template <class Event>
  Event LastEvent() {
    Event e;
    const std::string type = "kpo.people.v1." + Event::descriptor()->name();
    EXPECT_TRUE(db_->Read([&](kpo::storage::Transaction& tx) -> absl::Status {
                     auto rows = tx.Query(
                         "SELECT envelope FROM outbox WHERE event_type = ? ORDER BY seq DESC "
                         "LIMIT 1",
                         {type});
                     if (!rows.ok()) return rows.status();
                     if (rows->empty()) return absl::NotFoundError(type);
                     kpo::common::v1::EventEnvelope envelope;
                     if (!envelope.ParseFromString(rows->front().Text(0)) ||
                         !envelope.data().UnpackTo(&e)) {
                       return absl::InternalError("undecodable " + type);
                     }
                     return absl::OkStatus();
                   })
                    .ok());
    return e;
  }

  int64_t OutboxCount() { return kpo::events::CountOutbox(*db_, "").value().pending; }

  kpo::testing::TempDir dir_;
  std::unique_ptr<kpo::storage::Database> db_;
  // 2026-11-22 20:00 UTC: already the 23rd in Pune, still the 22nd in Lyon.
  kpo::core::FakeClock clock_{
      absl::FromCivil(absl::CivilSecond(2026, 11, 22, 20, 0, 0), absl::UTCTimeZone())};
  kpo::events::Outbox outbox_{{"//kpo.platform/people", "kpo.people.v1", nullptr}, clock_};
  std::unique_ptr<kpo::command::Runner> commands_;
  kpo::core::PageTokenCodec tokens_ = kpo::core::PageTokenCodec::Random();
  std::unique_ptr<Directory> directory_;
  Principal admin_{"p-admin", "acme", {kpo::auth::kOrgAdmin}};
  Principal kpo_{"kpo", "acme", {kpo::auth::kKpoSpecialist}};
  Principal mgr_{"mgr", "acme", {kpo::auth::kMiddleManager}};
  Principal tl_{"tl", "acme", {kpo::auth::kTeamLeader}};
  Principal peer_{"peer", "acme", {kpo::auth::kTeamLeader}};
  Principal globex_{"g", "globex", {kpo::auth::kOrgAdmin}};
};

}  // namespace kpo::people::testing
