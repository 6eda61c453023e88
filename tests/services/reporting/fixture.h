#pragma once

// What the reporting service's application tests start from: a real SQLite file
// migrated like the service's, and events put through the projections as the consumer
// would (Project, in a write transaction): organization "acme" with sites lyon
// (Europe/Paris, area press) and pune (Asia/Kolkata). A real redis-server caches the
// sites' counts of a second Scorecards, checked against the first on every Card().

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "kpo/cache/redis_cache.h"
#include "kpo/core/errors.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/events/outbox.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/replica/directory_replica.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"
#include "projection.h"
#include "prometheus/registry.h"
#include "scorecards.h"

namespace kpo::reporting::testing {

namespace pb = kpo::reporting::v1;
namespace dir = kpo::people::v1;
namespace daily = kpo::daily::v1;
namespace kaizen = kpo::kaizen::v1;

inline constexpr char kOrg[] = "organizations/acme";

inline google::protobuf::Timestamp At(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}
inline absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

// The fields an INVALID_ARGUMENT status names, in order.
inline std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : kpo::core::FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

class ReportingFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::testing::OpenTestDatabase(dir_, "reporting");
    for (auto [component, migrations] : {std::pair{"events", &kpo::events::Migrations()},
                                         std::pair{"replica", &kpo::replica::Migrations()},
                                         std::pair{"reporting", &Migrations()}}) {
      ASSERT_TRUE(db_->Migrate(component, *migrations).ok());
    }
    target_ = db_.get();
    scorecards_ = std::make_unique<Scorecards>(*db_, clock_, "kpo-reporting", [] { return 0; });
    redis_cache_ = std::make_unique<kpo::cache::RedisCache>(
        kpo::cache::RedisOptions{.address = redis_.address(), .command_timeout = absl::Seconds(2)},
        kpo::core::Clock::Real(), &registry_);
    counts_ = std::make_unique<CountsReader>(redis_cache_.get(), absl::Hours(1), &registry_);
    cached_ = std::make_unique<Scorecards>(
        *db_, clock_, "kpo-reporting", [] { return 0; }, counts_.get());
    answers_ = std::make_unique<AnswerCache>(redis_cache_.get(), absl::Hours(1), 64, &registry_);
    answered_ = std::make_unique<Scorecards>(
        *db_, clock_, "kpo-reporting", [] { return 0; }, counts_.get(), answers_.get());
    Site("lyon", "Europe/Paris");
    Site("pune", "Asia/Kolkata");
    dir::Area press;
    press.set_name(Lyon() + "/areas/press");
    press.set_state(dir::ACTIVE);
    ASSERT_TRUE(Apply<dir::AreaCreated>(press, 1).ok());
  }

  static std::string Lyon() { return std::string(kOrg) + "/sites/lyon"; }
  static std::string Pune() { return std::string(kOrg) + "/sites/pune"; }
  static std::string P(const std::string& id) { return std::string(kOrg) + "/people/" + id; }
  static std::string I(const std::string& id) { return std::string(kOrg) + "/ideas/" + id; }

  // Puts an event through the projections, as the consumer would. Returns its status.
  template <class Event, class Resource>
  absl::Status Apply(const Resource& resource, int64_t revision,
                     const std::string& organization = kOrg) {
    return ApplyAt<Event>(resource, revision, clock_.Now(), organization);
  }

  // The same, committed by its source service at `at` (the envelope's time).
  template <class Event, class Resource>
  absl::Status ApplyAt(const Resource& resource, int64_t revision, absl::Time at,
                       const std::string& organization = kOrg) {
    Event e;
    e.GetReflection()
        ->MutableMessage(&e, e.GetDescriptor()->FindFieldByNumber(1))
        ->CopyFrom(resource);
    e.set_revision(revision);
    return ApplyEvent(e, at, organization);
  }

  // Puts a whole event message (of any shape) through the projections, committed at `at`.
  absl::Status ApplyEvent(const google::protobuf::Message& e, absl::Time at,
                          const std::string& organization = kOrg) {
    kpo::common::v1::EventEnvelope env;
    env.set_id(absl::StrCat("e-", ++events_));
    env.set_source("//test");
    env.set_organization(organization);
    env.set_type(e.GetDescriptor()->full_name());
    *env.mutable_time() = At(at);
    env.mutable_data()->PackFrom(e);
    return target_->Write([&](kpo::storage::Transaction& tx) { return Project(tx, env, clock_); });
  }

  void Site(const std::string& id, const std::string& zone) {
    dir::Site s;
    s.set_name(std::string(kOrg) + "/sites/" + id);
    s.set_time_zone(zone);
    s.set_state(dir::ACTIVE);
    ASSERT_TRUE(Apply<dir::SiteCreated>(s, 1).ok());
  }

  dir::Person Person(const std::string& id, const std::string& site, absl::Time created,
                     const std::string& area = "") {
    dir::Person p;
    p.set_name(P(id));
    p.set_home_site(site);
    p.set_area(area);
    p.add_roles(dir::TEAM_MEMBER);
    p.set_state(dir::ACTIVE);
    *p.mutable_create_time() = At(created);
    *p.mutable_update_time() = At(created);
    EXPECT_TRUE(Apply<dir::PersonCreated>(p, 1).ok());
    return p;
  }

  // An idea submitted at `submitted` by `submitters` (ids) at `site`.
  static daily::Idea Idea(const std::string& id, const std::string& site, absl::Time submitted,
                          std::initializer_list<const char*> submitters,
                          const std::string& area = "") {
    daily::Idea idea;
    idea.set_name(I(id));
    idea.set_site(site);
    idea.set_area(area);
    for (const char* s : submitters) idea.add_submitters(P(s));
    idea.set_state(daily::IDEA_STATE_SUBMITTED);
    *idea.mutable_create_time() = At(submitted);
    *idea.mutable_update_time() = At(submitted);
    return idea;
  }
  static daily::Idea Accepted(daily::Idea idea, absl::Time at) {
    idea.set_state(daily::IDEA_STATE_ACCEPTED);
    *idea.mutable_review_time() = At(at);
    return idea;
  }
  static daily::Idea Rejected(daily::Idea idea, absl::Time at) {
    idea.set_state(daily::IDEA_STATE_REJECTED);
    *idea.mutable_review_time() = At(at);
    return idea;
  }
  static daily::Idea Implemented(daily::Idea idea, absl::Time at) {
    idea.set_state(daily::IDEA_STATE_IMPLEMENTED);
    *idea.mutable_implement_time() = At(at);
    idea.mutable_time_to_implement()->set_seconds(absl::ToInt64Seconds(
        at - absl::FromUnixMicros(
                 google::protobuf::util::TimeUtil::TimestampToMicroseconds(idea.create_time()))));
    return idea;
  }
  static daily::Idea Withdrawn(daily::Idea idea, absl::Time at) {
    idea.set_state(daily::IDEA_STATE_WITHDRAWN);
    *idea.mutable_withdraw_time() = At(at);
    return idea;
  }

  absl::StatusOr<pb::Scorecard> Card(const std::string& scope, pb::Granularity g, int y, int m,
                                     int d, const kpo::auth::Principal* p = nullptr) {
    pb::GetScorecardRequest r;
    r.set_name(scope + "/scorecard");
    r.mutable_period()->set_granularity(g);
    r.mutable_period()->mutable_start_date()->set_year(y);
    r.mutable_period()->mutable_start_date()->set_month(m);
    r.mutable_period()->mutable_start_date()->set_day(d);
    auto plain = scorecards_->GetScorecard(p ? *p : viewer_, r);
    // Every answer is also asked of a Scorecards whose sites' counts go through Redis, and
    // of one that also caches whole answers (in memory, then Redis), twice each (computed
    // and cached, then read from the cache): each must be the answer counted from the
    // database, whatever events came in between.
    for (Scorecards* through : {cached_.get(), answered_.get()}) {
      for (int i = 0; i < 2 && check_cache_; ++i) {
        auto cached = through->GetScorecard(p ? *p : viewer_, r);
        EXPECT_EQ(cached.status().code(), plain.status().code());
        EXPECT_EQ(cached.status().message(), plain.status().message());
        if (cached.ok() && plain.ok()) {
          EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*cached, *plain))
              << (through == answered_.get() ? "answer cached:\n" : "counts cached:\n")
              << cached->DebugString() << "\nfrom the database:\n"
              << plain->DebugString();
        }
      }
    }
    return plain;
  }

  // The site counts read from Redis and from the database so far.
  double SiteCounts(const std::string& source) {
    return Counter("kpo_reporting_site_counts_total", source);
  }
  // The answers served from memory, Redis or computed so far.
  double Answers(const std::string& source) {
    return Counter("kpo_reporting_answers_total", source);
  }
  double Counter(const std::string& name, const std::string& source) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        for (const auto& label : metric.label) {
          if (label.name == "source" && label.value == source) return metric.counter.value;
        }
      }
    }
    return -1;
  }

  kpo::testing::TempDir dir_;
  kpo::testing::RedisServer redis_;
  prometheus::Registry registry_;
  std::unique_ptr<kpo::storage::Database> db_;
  // Where events and queries go: db_, or a recording wrapper of it (query plan tests).
  kpo::storage::Database* target_ = nullptr;
  kpo::core::FakeClock clock_{Utc(2026, 11, 23, 12)};
  std::unique_ptr<Scorecards> scorecards_;
  std::unique_ptr<kpo::cache::RedisCache> redis_cache_;
  std::unique_ptr<CountsReader> counts_;
  std::unique_ptr<Scorecards> cached_;  // through Redis
  std::unique_ptr<AnswerCache> answers_;
  std::unique_ptr<Scorecards> answered_;  // whole answers cached too
  bool check_cache_ = true;
  kpo::auth::Principal viewer_{"tm", "acme", {kpo::auth::kTeamMember}};
  int events_ = 0;
};

}  // namespace kpo::reporting::testing
