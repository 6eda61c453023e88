// Every SQL statement the daily kaizen store issues, checked against SQLite's query
// plan (tests/services/query_plan.h): none may scan a whole table or sort every match,
// because its cost would grow with the organization.
#include "query_plan.h"

#include "gtest/gtest.h"
#include "ideas.h"
#include "store.h"

namespace kpo {
namespace {

using kpo::storage::Transaction;
namespace pb = kpo::daily::v1;
namespace store = kpo::daily::store;

class DailyQueryPlanTest : public kpo::testing::QueryPlanFixture {
 protected:
  void SetUp() override { Open("daily", kpo::daily::Migrations()); }
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

}  // namespace
}  // namespace kpo
