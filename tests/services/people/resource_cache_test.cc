// The people read cache against a real redis-server: a Get that read a row before a
// concurrent Update committed must not put the old row back after the Update's
// invalidation. The interleaving is forced deterministically: the cache's Put (which
// runs after Get's read transaction ended) first lets the Update commit.
#include "resource_cache.h"

#include <functional>

#include "gtest/gtest.h"
#include "kpo/command/command.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"

namespace kpo::people {
namespace {

namespace pb = kpo::people::v1;
using kpo::auth::Principal;

// Forwards to the real cache; runs `before_put` once, just before the first Put.
class InterleavingCache final : public ResourceCache {
 public:
  explicit InterleavingCache(ResourceCache& real) : real_(real) {}
  std::optional<std::string> Get(const std::string& org, const std::string& name) override {
    return real_.Get(org, name);
  }
  void Put(const std::string& org, const std::string& name, int64_t revision,
           const std::string& data) override {
    if (before_put) {
      auto run = std::move(before_put);
      before_put = nullptr;
      run();
    }
    real_.Put(org, name, revision, data);
  }
  void Invalidate(const std::string& org, const std::string& name, int64_t revision) override {
    real_.Invalidate(org, name, revision);
  }
  std::function<void()> before_put;

 private:
  ResourceCache& real_;
};

class ResourceCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::testing::OpenTestDatabase(dir_, "people");
    ASSERT_TRUE(db_->Migrate("events", kpo::events::Migrations()).ok());
    ASSERT_TRUE(db_->Migrate("people", Migrations()).ok());
    ASSERT_TRUE(db_->Migrate("idempotency", kpo::idempotency::Migrations()).ok());
    commands_ = std::make_unique<kpo::command::Runner>(*db_, outbox_, clock_);
    directory_ = std::make_unique<Directory>(*commands_, tokens_, &cache_);
    pb::CreateOrganizationRequest org;
    org.set_organization_id("acme");
    org.mutable_organization()->set_display_name("Acme");
    org.mutable_organization()->set_maturity_stage(pb::MATURITY_STAGE_PILOTING);
    ASSERT_TRUE(directory_->CreateOrganization(admin_, org).ok());
    pb::CreateSiteRequest site;
    site.set_parent("organizations/acme");
    site.set_site_id("lyon");
    site.mutable_site()->set_display_name("Lyon");
    site.mutable_site()->set_time_zone("Europe/Paris");
    ASSERT_TRUE(directory_->CreateSite(admin_, site).ok());
  }

  absl::StatusOr<pb::Site> GetLyon() {
    pb::GetSiteRequest get;
    get.set_name("organizations/acme/sites/lyon");
    return directory_->GetSite(admin_, get);
  }
  void Rename(const std::string& display_name) {
    pb::UpdateSiteRequest update;
    update.mutable_site()->set_name("organizations/acme/sites/lyon");
    update.mutable_site()->set_display_name(display_name);
    update.mutable_update_mask()->add_paths("display_name");
    auto updated = directory_->UpdateSite(admin_, update);
    ASSERT_TRUE(updated.ok()) << updated.status();
  }

  kpo::testing::TempDir dir_;
  kpo::testing::RedisServer redis_;
  kpo::core::FakeClock clock_{absl::FromUnixSeconds(1'790'000'000)};
  kpo::cache::RedisCache redis_cache_{{.address = redis_.address()}, clock_, nullptr};
  RedisResourceCache real_cache_{redis_cache_, absl::Minutes(5), clock_};
  InterleavingCache cache_{real_cache_};
  std::unique_ptr<kpo::storage::Database> db_;
  kpo::events::Outbox outbox_{{"//kpo.platform/people", "kpo.people.v1"}, clock_};
  std::unique_ptr<kpo::command::Runner> commands_;
  kpo::core::PageTokenCodec tokens_ = kpo::core::PageTokenCodec::Random();
  std::unique_ptr<Directory> directory_;
  Principal admin_{"p-admin", "acme", {kpo::auth::kOrgAdmin}};
};

TEST_F(ResourceCacheTest, AGetThatReadBeforeAnUpdateCannotRecacheTheOldRow) {
  // Get reads revision 1 from the database; before it caches it, an Update commits
  // revision 2 and invalidates.
  cache_.before_put = [this] { Rename("Lyon (Part-Dieu)"); };
  auto stale_read = GetLyon();
  ASSERT_TRUE(stale_read.ok());
  EXPECT_EQ(stale_read->display_name(), "Lyon") << "this read started before the update";
  // Every later read sees the update, from Redis or the database.
  for (int i = 0; i < 3; ++i) {
    auto read = GetLyon();
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(read->display_name(), "Lyon (Part-Dieu)") << "read " << i;
  }
  // ... and the entry now cached is the new revision.
  auto cached = real_cache_.Get("acme", "organizations/acme/sites/lyon");
  ASSERT_TRUE(cached.has_value());
  pb::Site site;
  ASSERT_TRUE(site.ParseFromString(*cached));
  EXPECT_EQ(site.etag(), "2");
}

TEST_F(ResourceCacheTest, OlderRevisionsNeverReplaceNewerOnes) {
  pb::Site v2;
  v2.set_display_name("two");
  pb::Site v1;
  v1.set_display_name("one");
  real_cache_.Put("acme", "organizations/acme/sites/x", 2, v2.SerializeAsString());
  real_cache_.Put("acme", "organizations/acme/sites/x", 1, v1.SerializeAsString());
  pb::Site got;
  ASSERT_TRUE(got.ParseFromString(*real_cache_.Get("acme", "organizations/acme/sites/x")));
  EXPECT_EQ(got.display_name(), "two");
  real_cache_.Invalidate("acme", "organizations/acme/sites/x", 3);
  EXPECT_FALSE(real_cache_.Get("acme", "organizations/acme/sites/x").has_value());
  real_cache_.Put("acme", "organizations/acme/sites/x", 2, v2.SerializeAsString());
  EXPECT_FALSE(real_cache_.Get("acme", "organizations/acme/sites/x").has_value())
      << "revision 2 read before the change to 3 stays out";
}

}  // namespace
}  // namespace kpo::people
