#include "directory.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"

namespace kpo::people {
namespace {

namespace pb = kpo::people::v1;
using kpo::auth::Principal;
using kpo::core::FieldViolationsOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

class DirectoryTest : public ::testing::Test {
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
    auto* o = org.mutable_organization()->add_strategic_objectives();
    o->set_id("lead-time");
    o->set_title("Halve lead time");
    ASSERT_TRUE(directory_->CreateOrganization(admin_, org).ok());
    lyon_ = Site("lyon", "Europe/Paris");
    Area("lyon", "assembly");
  }

  std::string Site(const std::string& id, const std::string& tz) {
    pb::CreateSiteRequest r;
    r.set_parent("organizations/acme");
    r.set_site_id(id);
    r.mutable_site()->set_display_name("Site " + id);
    r.mutable_site()->set_time_zone(tz);
    auto s = directory_->CreateSite(admin_, r);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? s->name() : "";
  }

  std::string Area(const std::string& site, const std::string& id) {
    pb::CreateAreaRequest r;
    r.set_parent("organizations/acme/sites/" + site);
    r.set_area_id(id);
    r.mutable_area()->set_display_name("Area " + id);
    r.mutable_area()->set_kind(pb::VALUE_STREAM);
    auto a = directory_->CreateArea(admin_, r);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? a->name() : "";
  }

  pb::CreatePersonRequest PersonRequest(const std::string& id, pb::Role role = pb::TEAM_MEMBER) {
    pb::CreatePersonRequest r;
    r.set_parent("organizations/acme");
    r.set_person_id(id);
    r.mutable_person()->set_display_name("Person " + id);
    r.mutable_person()->set_home_site(lyon_);
    r.mutable_person()->set_area(lyon_ + "/areas/assembly");
    r.mutable_person()->add_roles(role);
    return r;
  }

  int64_t OutboxCount() { return kpo::events::CountOutbox(*db_, "").value().pending; }

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
  kpo::core::FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  // Counts the relay wake-ups: one per committed transaction that appended events.
  kpo::events::Outbox outbox_{{"//kpo.platform/people", "kpo.people.v1", [this] { ++commits_; }},
                              clock_};
  std::unique_ptr<kpo::command::Runner> commands_;
  kpo::core::PageTokenCodec tokens_ = kpo::core::PageTokenCodec::Random();
  std::unique_ptr<Directory> directory_;
  int commits_ = 0;
  Principal admin_{"p-admin", "acme", {kpo::auth::kOrgAdmin}};
  Principal globex_admin_{"p-g", "globex", {kpo::auth::kOrgAdmin}};
  std::string lyon_;
};

TEST_F(DirectoryTest, CreatesAndPublishesEveryResourceKind) {
  auto person = directory_->CreatePerson(admin_, PersonRequest("aiko", pb::TEAM_LEADER));
  ASSERT_TRUE(person.ok()) << person.status();
  EXPECT_EQ(person->name(), "organizations/acme/people/aiko");
  EXPECT_EQ(person->state(), pb::ACTIVE);
  EXPECT_EQ(person->etag(), "1");
  EXPECT_TRUE(person->has_create_time());
  ASSERT_TRUE(directory_->CreatePerson(admin_, PersonRequest("ben")).ok());
  pb::CreateCoachingRelationshipRequest c;
  c.set_parent("organizations/acme");
  c.mutable_coaching_relationship()->set_coach("organizations/acme/people/aiko");
  c.mutable_coaching_relationship()->set_learner("organizations/acme/people/ben");
  c.mutable_coaching_relationship()->mutable_cadence()->set_sessions_per_week(5);
  auto rel = directory_->CreateCoachingRelationship(admin_, c);
  ASSERT_TRUE(rel.ok()) << rel.status();
  EXPECT_THAT(rel->name(), HasSubstr("organizations/acme/coachingRelationships/"));
  EXPECT_THAT(
      OutboxTypes(),
      ElementsAre("kpo.people.v1.OrganizationCreated", "kpo.people.v1.SiteCreated",
                  "kpo.people.v1.AreaCreated", "kpo.people.v1.PersonCreated",
                  "kpo.people.v1.PersonCreated", "kpo.people.v1.CoachingRelationshipCreated"));
  pb::GetPersonRequest get;
  get.set_name(person->name());
  EXPECT_EQ(directory_->GetPerson(admin_, get)->display_name(), "Person aiko");
}

TEST_F(DirectoryTest, AnotherOrganizationCanNeitherReadListNorChange) {
  ASSERT_TRUE(directory_->CreatePerson(admin_, PersonRequest("aiko")).ok());
  const int64_t before = OutboxCount();
  pb::GetPersonRequest get;
  get.set_name("organizations/acme/people/aiko");
  EXPECT_EQ(directory_->GetPerson(globex_admin_, get).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::ListPeopleRequest list;
  list.set_parent("organizations/acme");
  EXPECT_EQ(directory_->ListPeople(globex_admin_, list).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::UpdatePersonRequest update;
  update.mutable_person()->set_name("organizations/acme/people/aiko");
  update.mutable_person()->set_display_name("Hacked");
  EXPECT_EQ(directory_->UpdatePerson(globex_admin_, update).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::DeactivatePersonRequest deact;
  deact.set_name("organizations/acme/people/aiko");
  EXPECT_EQ(directory_->DeactivatePerson(globex_admin_, deact).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::CreateOrganizationRequest org;
  org.set_organization_id("acme");
  EXPECT_EQ(directory_->CreateOrganization(globex_admin_, org).status().code(),
            absl::StatusCode::kPermissionDenied);
  // References into another organization are refused too.
  pb::CreatePersonRequest cross = PersonRequest("x");
  cross.set_parent("organizations/globex");
  EXPECT_EQ(directory_->CreatePerson(admin_, cross).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(OutboxCount(), before);
  EXPECT_EQ(directory_->GetPerson(admin_, get)->display_name(), "Person aiko");
}

TEST_F(DirectoryTest, InvalidInputNamesEveryFieldAndWritesNothing) {
  const int64_t before = OutboxCount();
  const int commits = commits_;
  pb::CreatePersonRequest r = PersonRequest("bad id!");
  r.mutable_person()->set_email("nope");
  r.mutable_person()->clear_roles();
  auto s = directory_->CreatePerson(admin_, r);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(s.status()), ElementsAre("person_id", "person.email", "person.roles"));
  // References are checked against the directory and reported the same way.
  pb::CreatePersonRequest refs = PersonRequest("ok");
  refs.mutable_person()->set_home_site("organizations/acme/sites/nowhere");
  refs.mutable_person()->set_area("organizations/acme/sites/nowhere/areas/a");
  refs.mutable_person()->set_manager("organizations/acme/people/ghost");
  auto s2 = directory_->CreatePerson(admin_, refs);
  EXPECT_EQ(s2.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(s2.status()),
              ElementsAre("person.home_site", "person.area", "person.manager"));
  pb::GetPersonRequest get;
  get.set_name("organizations/acme/people/ok");
  EXPECT_EQ(directory_->GetPerson(admin_, get).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(OutboxCount(), before);
  EXPECT_EQ(commits_, commits);
}

TEST_F(DirectoryTest, RetriedCreateWithSameRequestIdCreatesOnce) {
  pb::CreatePersonRequest r = PersonRequest("");
  r.set_request_id("req-1");
  auto first = directory_->CreatePerson(admin_, r);
  auto second = directory_->CreatePerson(admin_, r);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->name(), second->name()) << "generated id is not regenerated";
  pb::ListPeopleRequest list;
  list.set_parent("organizations/acme");
  EXPECT_EQ(directory_->ListPeople(admin_, list)->people_size(), 1);
  pb::CreateSiteRequest other;
  other.set_parent("organizations/acme");
  other.set_request_id("req-1");
  other.mutable_site()->set_display_name("x");
  other.mutable_site()->set_time_zone("UTC");
  EXPECT_THAT(Fields(directory_->CreateSite(admin_, other).status()), ElementsAre("request_id"));
}

TEST_F(DirectoryTest, DuplicateIdIsAlreadyExists) {
  ASSERT_TRUE(directory_->CreatePerson(admin_, PersonRequest("aiko")).ok());
  EXPECT_EQ(directory_->CreatePerson(admin_, PersonRequest("aiko")).status().code(),
            absl::StatusCode::kAlreadyExists);
  pb::CreatePersonRequest dup = PersonRequest("aiko2");
  dup.mutable_person()->set_employee_id("E1");
  ASSERT_TRUE(directory_->CreatePerson(admin_, dup).ok());
  dup.set_person_id("aiko3");
  EXPECT_THAT(Fields(directory_->CreatePerson(admin_, dup).status()),
              ElementsAre("person.employee_id"));
}

TEST_F(DirectoryTest, UpdateHonoursMaskEtagAndPublishesOnlyRealChanges) {
  auto p = directory_->CreatePerson(admin_, PersonRequest("aiko")).value();
  pb::UpdatePersonRequest u;
  *u.mutable_person() = p;
  u.mutable_person()->set_display_name("Aiko T.");
  u.mutable_person()->set_email("changed-but-not-in-mask@example.com");
  u.mutable_update_mask()->add_paths("display_name");
  auto updated = directory_->UpdatePerson(admin_, u);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->display_name(), "Aiko T.");
  EXPECT_EQ(updated->email(), "") << "fields outside the mask are untouched";
  EXPECT_EQ(updated->etag(), "2");
  // The old etag is stale now.
  EXPECT_EQ(directory_->UpdatePerson(admin_, u).status().code(), absl::StatusCode::kAborted);
  // Same values again with the fresh etag: nothing changes, no event.
  const int64_t before = OutboxCount();
  *u.mutable_person() = *updated;
  EXPECT_EQ(directory_->UpdatePerson(admin_, u)->etag(), "2");
  EXPECT_EQ(OutboxCount(), before);
  // Output-only or unknown paths are refused.
  u.mutable_update_mask()->add_paths("state");
  EXPECT_THAT(Fields(directory_->UpdatePerson(admin_, u).status()),
              ElementsAre("update_mask.paths[1]"));
  EXPECT_EQ(OutboxTypes().back(), "kpo.people.v1.PersonUpdated");
}

TEST_F(DirectoryTest, ListPaginatesWithOpaqueTokensAndFilters) {
  Site("paris", "Europe/Paris");
  for (int i = 0; i < 120; ++i) {
    auto r = PersonRequest("p" + std::to_string(1000 + i),
                           i % 3 == 0 ? pb::TEAM_LEADER : pb::TEAM_MEMBER);
    if (i % 2 == 1) {
      r.mutable_person()->set_home_site("organizations/acme/sites/paris");
      r.mutable_person()->clear_area();
    }
    ASSERT_TRUE(directory_->CreatePerson(admin_, r).ok());
  }
  pb::ListPeopleRequest list;
  list.set_parent("organizations/acme");
  list.set_page_size(50);
  std::set<std::string> seen;
  int pages = 0;
  do {
    auto page = directory_->ListPeople(admin_, list);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& p : page->people()) EXPECT_TRUE(seen.insert(p.name()).second);
    list.set_page_token(page->next_page_token());
    ++pages;
  } while (!list.page_token().empty());
  EXPECT_EQ(seen.size(), 120u);
  EXPECT_EQ(pages, 3);

  pb::ListPeopleRequest leaders;
  leaders.set_parent("organizations/acme");
  leaders.set_role(pb::TEAM_LEADER);
  leaders.set_site(lyon_);
  leaders.set_page_size(1000);
  auto page = directory_->ListPeople(admin_, leaders);
  EXPECT_EQ(page->people_size(), 20);  // i % 3 == 0 and i even: 0, 6, ..., 114
  for (const auto& p : page->people()) EXPECT_EQ(p.home_site(), lyon_);

  // A token is bound to its filters.
  list.set_page_token("");
  list.set_page_size(10);
  std::string token = directory_->ListPeople(admin_, list)->next_page_token();
  leaders.set_page_token(token);
  EXPECT_THAT(Fields(directory_->ListPeople(admin_, leaders).status()), ElementsAre("page_token"));
  list.set_page_size(-1);
  EXPECT_THAT(Fields(directory_->ListPeople(admin_, list).status()), ElementsAre("page_size"));
}

TEST_F(DirectoryTest, BatchCreateIsAllOrNothing) {
  pb::BatchCreatePeopleRequest batch;
  batch.set_parent("organizations/acme");
  *batch.add_requests() = PersonRequest("boss", pb::MIDDLE_MANAGER);
  auto report = PersonRequest("report");
  report.mutable_person()->set_manager("organizations/acme/people/boss");
  *batch.add_requests() = report;
  auto bad = PersonRequest("bad");
  bad.mutable_person()->set_home_site("organizations/acme/sites/nowhere");
  bad.mutable_person()->clear_area();
  *batch.add_requests() = bad;
  const int64_t before = OutboxCount();
  auto s = directory_->BatchCreatePeople(admin_, batch);
  EXPECT_THAT(Fields(s.status()), ElementsAre("requests[2].person.home_site"));
  EXPECT_EQ(OutboxCount(), before);
  pb::ListPeopleRequest list;
  list.set_parent("organizations/acme");
  EXPECT_EQ(directory_->ListPeople(admin_, list)->people_size(), 0);

  batch.mutable_requests()->RemoveLast();
  batch.set_validate_only(true);
  ASSERT_TRUE(directory_->BatchCreatePeople(admin_, batch).ok());
  EXPECT_EQ(directory_->ListPeople(admin_, list)->people_size(), 0) << "validate_only";
  batch.set_validate_only(false);
  auto done = directory_->BatchCreatePeople(admin_, batch);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->people_size(), 2);
  EXPECT_EQ(directory_->ListPeople(admin_, list)->people_size(), 2);
  EXPECT_EQ(OutboxCount(), before + 2);
}

TEST_F(DirectoryTest, BatchReportsEveryRowOnceWithoutCascades) {
  pb::BatchCreatePeopleRequest batch;
  batch.set_parent("organizations/acme");
  auto boss = PersonRequest("boss", pb::MIDDLE_MANAGER);
  boss.mutable_person()->set_email("broken");
  *batch.add_requests() = boss;
  for (int i = 0; i < 3; ++i) {
    auto report = PersonRequest("r" + std::to_string(i));
    report.mutable_person()->set_manager("organizations/acme/people/boss");
    *batch.add_requests() = report;
  }
  auto lost = PersonRequest("lost");
  lost.mutable_person()->set_home_site("organizations/acme/sites/nowhere");
  lost.mutable_person()->clear_area();
  *batch.add_requests() = lost;
  auto s = directory_->BatchCreatePeople(admin_, batch);
  EXPECT_THAT(Fields(s.status()),
              ElementsAre("requests[0].person.email", "requests[4].person.home_site"));
}

TEST_F(DirectoryTest, PersonWhoLeavesEndsTheirCoachingRelationships) {
  ASSERT_TRUE(directory_->CreatePerson(admin_, PersonRequest("coach")).ok());
  ASSERT_TRUE(directory_->CreatePerson(admin_, PersonRequest("a")).ok());
  ASSERT_TRUE(directory_->CreatePerson(admin_, PersonRequest("b")).ok());
  for (const char* learner : {"a", "b"}) {
    pb::CreateCoachingRelationshipRequest c;
    c.set_parent("organizations/acme");
    c.set_coaching_relationship_id(std::string("coach-") + learner);
    c.mutable_coaching_relationship()->set_coach("organizations/acme/people/coach");
    c.mutable_coaching_relationship()->set_learner(std::string("organizations/acme/people/") +
                                                   learner);
    c.mutable_coaching_relationship()->mutable_cadence()->set_sessions_per_week(3);
    ASSERT_TRUE(directory_->CreateCoachingRelationship(admin_, c).ok());
  }
  pb::DeactivatePersonRequest d;
  d.set_name("organizations/acme/people/coach");
  ASSERT_TRUE(directory_->DeactivatePerson(admin_, d).ok());
  pb::ListCoachingRelationshipsRequest list;
  list.set_parent("organizations/acme");
  EXPECT_EQ(directory_->ListCoachingRelationships(admin_, list)->coaching_relationships_size(), 0);
  auto types = OutboxTypes();
  EXPECT_THAT(std::vector<std::string>(types.end() - 3, types.end()),
              ElementsAre("kpo.people.v1.CoachingRelationshipDeactivated",
                          "kpo.people.v1.CoachingRelationshipDeactivated",
                          "kpo.people.v1.PersonDeactivated"));
  pb::GetCoachingRelationshipRequest get;
  get.set_name("organizations/acme/coachingRelationships/coach-a");
  EXPECT_EQ(directory_->GetCoachingRelationship(admin_, get)->state(), pb::INACTIVE);
}

TEST_F(DirectoryTest, DeactivationRules) {
  auto p = directory_->CreatePerson(admin_, PersonRequest("aiko")).value();
  pb::DeactivateSiteRequest ds;
  ds.set_name(lyon_);
  auto in_use = directory_->DeactivateSite(admin_, ds);
  EXPECT_EQ(in_use.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(kpo::core::ErrorReason(in_use.status()), "SITE_IN_USE");

  pb::DeactivatePersonRequest dp;
  dp.set_name(p.name());
  dp.set_etag("999");
  EXPECT_EQ(directory_->DeactivatePerson(admin_, dp).status().code(), absl::StatusCode::kAborted);
  dp.set_etag(p.etag());
  auto gone = directory_->DeactivatePerson(admin_, dp);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->state(), pb::INACTIVE);
  EXPECT_EQ(OutboxTypes().back(), "kpo.people.v1.PersonDeactivated");
  dp.clear_etag();
  EXPECT_TRUE(directory_->DeactivatePerson(admin_, dp).ok()) << "deactivating twice is harmless";

  pb::ListPeopleRequest list;
  list.set_parent("organizations/acme");
  EXPECT_EQ(directory_->ListPeople(admin_, list)->people_size(), 0);
  list.set_show_inactive(true);
  EXPECT_EQ(directory_->ListPeople(admin_, list)->people_size(), 1);
  // Inactive people cannot be referenced.
  auto r = PersonRequest("ben");
  r.mutable_person()->set_manager(p.name());
  EXPECT_THAT(Fields(directory_->CreatePerson(admin_, r).status()), ElementsAre("person.manager"));
}

}  // namespace
}  // namespace kpo::people

namespace kpo::people {
namespace {

TEST_F(DirectoryTest, MalformedNamesAreInvalidOnlyWellFormedOnesOfAnotherOrgAreDenied) {
  pb::CreateSiteRequest site;
  site.set_site_id("x");
  site.mutable_site()->set_display_name("X");
  site.mutable_site()->set_time_zone("UTC");
  for (const char* parent :
       {"sites/x", "", "organizations/", "organizations/ACME", "organizations/acme/sites/lyon"}) {
    site.set_parent(parent);
    auto s = directory_->CreateSite(admin_, site);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << parent;
    EXPECT_THAT(Fields(s.status()), ElementsAre("parent")) << parent;
  }
  site.set_parent("organizations/globex");
  auto denied = directory_->CreateSite(admin_, site);
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(kpo::core::ErrorReason(denied.status()), "CROSS_TENANT_ACCESS");

  pb::ListAreasRequest areas;
  areas.set_parent("sites/-");
  EXPECT_EQ(directory_->ListAreas(admin_, areas).status().code(),
            absl::StatusCode::kInvalidArgument);
  areas.set_parent("organizations/globex/sites/-");
  EXPECT_EQ(directory_->ListAreas(admin_, areas).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::ListPeopleRequest people;
  people.set_parent("people");
  EXPECT_EQ(directory_->ListPeople(admin_, people).status().code(),
            absl::StatusCode::kInvalidArgument);
  pb::GetPersonRequest get;
  get.set_name("organizations/globex/people/x");
  EXPECT_EQ(directory_->GetPerson(admin_, get).status().code(),
            absl::StatusCode::kPermissionDenied);
  get.set_name("organizations/acme/persons/x");
  EXPECT_EQ(directory_->GetPerson(admin_, get).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(DirectoryTest, OutOfRangeEnumIsNotOneOfTheAllowedValues) {
  pb::CreateAreaRequest r;
  r.set_parent(lyon_);
  r.set_area_id("paint");
  r.mutable_area()->set_display_name("Paint");
  r.mutable_area()->set_kind(static_cast<pb::AreaKind>(42));
  auto s = directory_->CreateArea(admin_, r);
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  const auto violations = kpo::core::FieldViolationsOf(s.status());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "area.kind");
  EXPECT_THAT(violations[0].description, HasSubstr("42 is not one of the allowed values"));
  EXPECT_THAT(violations[0].description, HasSubstr("VALUE_STREAM"));
  r.mutable_area()->clear_kind();
  auto missing = directory_->CreateArea(admin_, r);
  EXPECT_THAT(kpo::core::FieldViolationsOf(missing.status()).at(0).description,
              HasSubstr("is required"));
  pb::CreatePersonRequest person = PersonRequest("aiko");
  person.mutable_person()->add_roles(static_cast<pb::Role>(99));
  EXPECT_THAT(kpo::core::FieldViolationsOf(directory_->CreatePerson(admin_, person).status())
                  .at(0)
                  .description,
              HasSubstr("99 is not one of the allowed values"));
}

TEST_F(DirectoryTest, RequestIdReusedWithAnotherBodyIsRefused) {
  pb::CreatePersonRequest first = PersonRequest("aiko");
  first.set_request_id("req-7");
  ASSERT_TRUE(directory_->CreatePerson(admin_, first).ok());
  pb::CreatePersonRequest other = PersonRequest("bruno");
  other.set_request_id("req-7");
  const int64_t before = OutboxCount();
  auto reused = directory_->CreatePerson(admin_, other);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(kpo::core::ErrorReason(reused.status()), "REQUEST_ID_REUSED");
  EXPECT_THAT(Fields(reused.status()), ElementsAre("request_id"));
  pb::GetPersonRequest get;
  get.set_name("organizations/acme/people/bruno");
  EXPECT_EQ(directory_->GetPerson(admin_, get).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(OutboxCount(), before);
  // The same id on another method is refused the same way.
  pb::CreateSiteRequest site;
  site.set_parent("organizations/acme");
  site.set_site_id("pune");
  site.set_request_id("req-7");
  site.mutable_site()->set_display_name("Pune");
  site.mutable_site()->set_time_zone("Asia/Kolkata");
  EXPECT_EQ(kpo::core::ErrorReason(directory_->CreateSite(admin_, site).status()),
            "REQUEST_ID_REUSED");
}

}  // namespace
}  // namespace kpo::people
