// Every SQL statement the daily kaizen store issues, checked against SQLite's query
// plan (tests/services/query_plan.h): none may scan a whole table or sort every match,
// because its cost would grow with the organization.
#include "query_plan.h"

#include "gemba_store.h"
#include "gtest/gtest.h"
#include "ideas.h"
#include "kata_store.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/replica/directory_replica.h"
#include "store.h"
#include "yokoten_store.h"

namespace kpo {
namespace {

using kpo::storage::Transaction;
namespace pb = kpo::daily::v1;
namespace store = kpo::daily::store;

class DailyQueryPlanTest : public kpo::testing::QueryPlanFixture {
 protected:
  void SetUp() override {
    Open("daily", kpo::daily::Migrations());
    ASSERT_TRUE(db_->Migrate("replica", kpo::replica::Migrations()).ok());
  }
};

TEST_F(DailyQueryPlanTest, IdeaStatementsAllUseIndexes) {
  ASSERT_TRUE(recording_
                  ->Write([&](Transaction& tx) -> absl::Status {
                    pb::Idea idea;
                    idea.set_name("organizations/acme/ideas/i1");
                    idea.set_site("organizations/acme/sites/lyon");
                    idea.add_submitters("organizations/acme/people/m1");
                    idea.set_state(pb::IDEA_STATE_SUBMITTED);
                    if (auto s = store::InsertIdea(tx, "acme", idea, clock_.Now()); !s.ok()) {
                      return s;
                    }
                    (void)store::LoadIdea(tx, "acme", idea.name());
                    (void)store::LoadSettings(tx, "acme");
                    pb::Circle circle;
                    circle.set_name("organizations/acme/circles/press");
                    circle.add_members("organizations/acme/people/m1");
                    for (int64_t revision : {1, 2}) {
                      if (auto s = store::SaveCircle(tx, "acme", circle, revision); !s.ok()) {
                        return s;
                      }
                    }
                    (void)store::LoadCircle(tx, "acme", circle.name());
                    if (auto s = store::SaveSettings(tx, "acme", pb::DailySettings(), 1); !s.ok()) {
                      return s;
                    }
                    return store::UpdateIdea(tx, "acme", idea, 2, clock_.Now());
                  })
                  .ok());
  kpo::storage::KeysetPage first;
  kpo::storage::KeysetPage next;
  next.after = {{1772000000000000, "organizations/acme/ideas/i0"}};
  for (const auto& page : {first, next}) {
    ASSERT_TRUE(
        recording_
            ->Read([&](Transaction& tx) -> absl::Status {
              for (const store::IdeaFilter& f : std::initializer_list<store::IdeaFilter>{
                       {},
                       {.site = "organizations/acme/sites/lyon"},
                       {.area = "organizations/acme/sites/lyon/areas/press"},
                       {.state = pb::IDEA_STATE_SUBMITTED},
                       {.category = pb::CATEGORY_SAFETY},
                       {.reviewer = "organizations/acme/people/leader"},
                       {.submitter = "organizations/acme/people/m1"},
                       {.strategic_objective = "safety-first"},
                       {.circle = "organizations/acme/circles/press"},
                       // The review backlog: overall, per reviewer, per site.
                       {.state = pb::IDEA_STATE_SUBMITTED, .submitted_before_us = 1772000000000000},
                       {.state = pb::IDEA_STATE_SUBMITTED,
                       .reviewer = "organizations/acme/people/leader",
                       .submitted_before_us = 1772000000000000},
                       {.site = "organizations/acme/sites/lyon",
                       .state = pb::IDEA_STATE_SUBMITTED,
                       .submitted_before_us = 1772000000000000},
                   }) {
                (void)store::ListIdeas(tx, "acme", f, page);
              }
              for (const store::CircleFilter& f : std::initializer_list<store::CircleFilter>{
                       {},
                       {.site = "organizations/acme/sites/lyon"},
                       {.area = "organizations/acme/sites/lyon/areas/press"},
                       {.member = "organizations/acme/people/m1"}}) {
                (void)store::ListCircles(tx, "acme", f, page);
              }
              return absl::OkStatus();
            })
            .ok());
  }
  ExpectEveryStatementUsesAnIndex();
}

TEST_F(DailyQueryPlanTest, KataStatementsAllUseIndexes) {
  const std::string board = "organizations/acme/storyboards/s1";
  ASSERT_TRUE(recording_
                  ->Write([&](Transaction& tx) -> absl::Status {
                    pb::Storyboard s;
                    s.set_name(board);
                    for (int64_t revision : {1, 2}) {
                      if (auto st = store::SaveStoryboard(tx, "acme", s, revision, 1); !st.ok()) {
                        return st;
                      }
                    }
                    (void)store::LoadStoryboard(tx, "acme", board);
                    pb::Experiment e;
                    e.set_name(board + "/experiments/e1");
                    for (int64_t revision : {1, 2}) {
                      if (auto st = store::SaveExperiment(tx, "acme", board, e, revision);
                          !st.ok()) {
                        return st;
                      }
                    }
                    (void)store::LoadExperiment(tx, "acme", e.name());
                    (void)store::LatestExperiment(tx, "acme", board);
                    pb::CoachingCycle c;
                    c.set_name(board + "/coachingCycles/c1");
                    if (auto st = store::InsertCoachingCycle(tx, "acme", board, c); !st.ok()) {
                      return st;
                    }
                    (void)store::LoadCoachingCycle(tx, "acme", c.name());
                    (void)store::CyclesOfPair(tx, "acme", "organizations/acme/people/ana",
                                              "organizations/acme/people/bo", 20260101);
                    // The replica's query columns, as events reach it.
                    kpo::people::v1::PersonCreated person;
                    person.mutable_person()->set_name("organizations/acme/people/ana");
                    person.set_revision(1);
                    kpo::people::v1::CoachingRelationshipCreated rel;
                    rel.mutable_coaching_relationship()->set_name(
                        "organizations/acme/coachingRelationships/r1");
                    rel.set_revision(1);
                    for (const google::protobuf::Message* m :
                         std::initializer_list<const google::protobuf::Message*>{&person, &rel}) {
                      kpo::common::v1::EventEnvelope env;
                      env.set_organization("organizations/acme");
                      env.set_type(m->GetDescriptor()->full_name());
                      env.mutable_data()->PackFrom(*m);
                      if (auto st = kpo::replica::ApplyDirectoryEvent(tx, env, clock_); !st.ok()) {
                        return st;
                      }
                    }
                    (void)kpo::replica::FindCoaching(tx, "acme", "organizations/acme/people/ana",
                                                     "organizations/acme/people/bo");
                    return absl::OkStatus();
                  })
                  .ok());
  kpo::storage::KeysetPage first;
  kpo::storage::KeysetPage next;
  next.after = {{20260101, board}};
  for (const auto& page : {first, next}) {
    ASSERT_TRUE(recording_
                    ->Read([&](Transaction& tx) -> absl::Status {
                      for (const store::StoryboardFilter& f :
                           std::initializer_list<store::StoryboardFilter>{
                               {},
                               {.learner = "organizations/acme/people/ana"},
                               {.coach = "organizations/acme/people/bo"},
                               {.site = "organizations/acme/sites/lyon"},
                               {.state = pb::STORYBOARD_STATE_ACTIVE},
                               {.strategic_objective = "lead-time"}}) {
                        (void)store::ListStoryboards(tx, "acme", f, page);
                      }
                      (void)store::ListExperiments(tx, "acme", board, page);
                      for (const store::CoachingCycleFilter& f :
                           std::initializer_list<store::CoachingCycleFilter>{
                               {},
                               {.storyboard = board},
                               {.learner = "organizations/acme/people/ana"},
                               {.coach = "organizations/acme/people/bo"},
                               {.site = "organizations/acme/sites/lyon"},
                               {.from_day = 20260101, .to_day = 20260131}}) {
                        (void)store::ListCoachingCycles(tx, "acme", f, page);
                      }
                      const bool after = page.after.has_value();
                      for (const kpo::replica::CoachingFilter& f :
                           std::initializer_list<kpo::replica::CoachingFilter>{
                               {},
                               {.coach = "organizations/acme/people/bo"},
                               {.learner = "organizations/acme/people/ana"},
                               {.site = "organizations/acme/sites/lyon"}}) {
                        (void)kpo::replica::ListCoaching(
                            tx, "acme", f, after ? "organizations/acme/people/ana" : "",
                            after ? "organizations/acme/r" : "", 201);
                      }
                      return absl::OkStatus();
                    })
                    .ok());
  }
  // (kpo::replica::Reindex reads every person and relationship of the replica once at
  // start, by design; it is not a per-request statement.)
  ExpectEveryStatementUsesAnIndex();
}

TEST_F(DailyQueryPlanTest, GembaStatementsAllUseIndexes) {
  const std::string walk = "organizations/acme/gembaWalks/w1";
  ASSERT_TRUE(recording_
                  ->Write([&](Transaction& tx) -> absl::Status {
                    pb::GembaWalk w;
                    w.set_name(walk);
                    for (int64_t revision : {1, 2}) {
                      if (auto st = store::SaveGembaWalk(tx, "acme", w, revision); !st.ok()) {
                        return st;
                      }
                    }
                    (void)store::LoadGembaWalk(tx, "acme", walk);
                    pb::GembaFollowUp f;
                    f.set_name(walk + "/followUps/f1");
                    for (int64_t revision : {1, 2}) {
                      if (auto st = store::SaveFollowUp(tx, "acme", walk, f, revision); !st.ok()) {
                        return st;
                      }
                    }
                    (void)store::LoadFollowUp(tx, "acme", f.name());
                    return absl::OkStatus();
                  })
                  .ok());
  kpo::storage::KeysetPage first;
  kpo::storage::KeysetPage next;
  next.after = {{20260101, walk}};
  for (const auto& page : {first, next}) {
    ASSERT_TRUE(
        recording_
            ->Read([&](Transaction& tx) -> absl::Status {
              for (const store::GembaWalkFilter& f : std::initializer_list<store::GembaWalkFilter>{
                       {},
                       {.site = "organizations/acme/sites/lyon"},
                       {.area = "organizations/acme/sites/lyon/areas/press"},
                       {.leader = "organizations/acme/people/bo"},
                       {.from_day = 20260101, .to_day = 20260131},
                       {.site = "organizations/acme/sites/lyon", .from_day = 20260101}}) {
                (void)store::ListGembaWalks(tx, "acme", f, page);
              }
              constexpr auto kOpen = pb::FOLLOW_UP_STATUS_OPEN;
              for (const store::FollowUpFilter& f : std::initializer_list<store::FollowUpFilter>{
                       {},
                       {.walk = walk},
                       {.owner = "organizations/acme/people/ana"},
                       {.site = "organizations/acme/sites/lyon"},
                       {.status = kOpen},
                       // Overdue: across the organization, per owner, per site.
                       {.status = kOpen, .due_before = 20260201},
                       {.owner = "organizations/acme/people/ana",
                       .status = kOpen,
                       .due_before = 20260201},
                       {.site = "organizations/acme/sites/lyon",
                       .status = kOpen,
                       .due_before = 20260201},
                       {.walk = walk, .status = kOpen, .due_before = 20260201}}) {
                (void)store::ListFollowUps(tx, "acme", f, page);
              }
              return absl::OkStatus();
            })
            .ok());
  }
  ExpectEveryStatementUsesAnIndex();
}

TEST_F(DailyQueryPlanTest, YokotenStatementsAllUseIndexes) {
  const std::string practice = "organizations/acme/practices/p1";
  ASSERT_TRUE(recording_
                  ->Write([&](Transaction& tx) -> absl::Status {
                    pb::Practice p;
                    p.set_name(practice);
                    if (auto st = store::SavePractice(tx, "acme", p, 1); !st.ok()) return st;
                    (void)store::LoadPractice(tx, "acme", practice);
                    (void)store::CountTasks(tx, "acme", practice);
                    pb::DeploymentTask t;
                    t.set_name(practice + "/deploymentTasks/pune");
                    for (int64_t revision : {1, 2}) {
                      if (auto st = store::SaveTask(tx, "acme", practice, t, revision); !st.ok()) {
                        return st;
                      }
                    }
                    (void)store::LoadTask(tx, "acme", t.name());
                    return absl::OkStatus();
                  })
                  .ok());
  kpo::storage::KeysetPage first;
  kpo::storage::KeysetPage next;
  next.after = {{20260101, practice}};
  for (const auto& page : {first, next}) {
    ASSERT_TRUE(recording_
                    ->Read([&](Transaction& tx) -> absl::Status {
                      for (const store::PracticeFilter& f :
                           std::initializer_list<store::PracticeFilter>{
                               {},
                               {.origin_site = "organizations/acme/sites/lyon"},
                               {.idea = "organizations/acme/ideas/i1"},
                               {.strategic_objective = "lead-time"}}) {
                        (void)store::ListPractices(tx, "acme", f, page);
                      }
                      constexpr auto kOpen = pb::DEPLOYMENT_STATE_OPEN;
                      for (const store::TaskFilter& f : std::initializer_list<store::TaskFilter>{
                               {},
                               {.practice = practice},
                               {.owner = "organizations/acme/people/raj"},
                               {.site = "organizations/acme/sites/pune"},
                               {.state = kOpen},
                               {.practice = practice, .state = kOpen},
                               {.state = kOpen, .due_before = 20260201},
                               {.owner = "organizations/acme/people/raj",
                               .state = kOpen,
                               .due_before = 20260201},
                               {.site = "organizations/acme/sites/pune",
                               .state = kOpen,
                               .due_before = 20260201}}) {
                        (void)store::ListTasks(tx, "acme", f, page);
                      }
                      return absl::OkStatus();
                    })
                    .ok());
  }
  ExpectEveryStatementUsesAnIndex();
}

}  // namespace
}  // namespace kpo
