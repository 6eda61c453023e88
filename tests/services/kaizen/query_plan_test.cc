// Every SQL statement the kaizen store issues while the application works, checked
// against SQLite's query plan (tests/services/query_plan.h): none may scan a whole
// table or sort every match, because its cost would grow with the organization.
#include "query_plan.h"

#include "gtest/gtest.h"
#include "kaizen_events.h"
#include "store.h"

namespace kpo {
namespace {

using kpo::storage::Transaction;

class QueryPlanTest : public kpo::testing::QueryPlanFixture {
 protected:
  void SetUp() override { Open("kaizen", kpo::kaizen::Migrations()); }
};

TEST_F(QueryPlanTest, KaizenStoreStatementsAllUseIndexes) {
  namespace pb = kpo::kaizen::v1;
  namespace store = kpo::kaizen::store;
  ASSERT_TRUE(recording_
                  ->Write([&](Transaction& tx) -> absl::Status {
                    pb::KaizenEvent e;
                    e.set_name("organizations/acme/kaizenEvents/e1");
                    e.set_site("organizations/acme/sites/lyon");
                    e.set_state(pb::PROPOSED);
                    if (auto s = store::InsertEvent(tx, "acme", e, 1, clock_.Now()); !s.ok()) {
                      return s;
                    }
                    if (auto s = store::UpdateEvent(tx, "acme", e, 2, clock_.Now()); !s.ok()) {
                      return s;
                    }
                    (void)store::LoadEvent(tx, "acme", e.name());
                    (void)store::EventsInStates(tx, "acme", {pb::PROPOSED, pb::CHARTERED});
                    pb::Audit a;
                    a.set_name(e.name() + "/audits/day-30");
                    a.set_state(pb::SCHEDULED);
                    if (auto s = store::InsertAudit(tx, "acme", e.name(), a); !s.ok()) return s;
                    (void)store::LoadAudit(tx, "acme", a.name());
                    (void)store::UpdateAudit(tx, "acme", a, 2);
                    (void)store::AuditsOf(tx, "acme", e.name(), pb::SCHEDULED, a.name());
                    pb::ActionItem item;
                    item.set_name(e.name() + "/actionItems/a1");
                    if (auto s = store::InsertActionItem(tx, "acme", e.name(), item, 1); !s.ok()) {
                      return s;
                    }
                    (void)store::LoadActionItem(tx, "acme", item.name());
                    (void)store::UpdateActionItem(tx, "acme", item, 2);
                    (void)store::LoadSettings(tx, "acme");
                    return store::SaveSettings(tx, "acme", pb::KaizenSettings(), 1);
                  })
                  .ok());
  kpo::storage::KeysetPage first;
  kpo::storage::KeysetPage next;
  next.after = {{20260301, "organizations/acme/kaizenEvents/e0"}};
  for (const auto& page : {first, next}) {
    ASSERT_TRUE(
        recording_
            ->Read([&](Transaction& tx) -> absl::Status {
              (void)store::ListEvents(tx, "acme", {}, page);
              (void)store::ListEvents(tx, "acme", {.site = "organizations/acme/sites/lyon"}, page);
              (void)store::ListEvents(tx, "acme", {.state = pb::PROPOSED}, page);
              (void)store::ListEvents(tx, "acme", {.area = "organizations/acme/sites/lyon/areas/a"},
                                      page);
              (void)store::ListEvents(tx, "acme", {.event_type = pb::FIVE_S}, page);
              (void)store::ListEvents(tx, "acme", {.facilitator_kind = pb::LINE}, page);
              (void)store::ListEvents(tx, "acme", {.strategic_objective = "lead-time"}, page);
              (void)store::ListActionItems(tx, "acme", {}, page);
              (void)store::ListActionItems(tx, "acme",
                                           {.event = "organizations/acme/kaizenEvents/e1"}, page);
              (void)store::ListActionItems(tx, "acme", {.open_and_due_before = 20260301}, page);
              (void)store::ListAudits(tx, "acme", {}, page);
              (void)store::ListAudits(tx, "acme", {.site = "organizations/acme/sites/lyon"}, page);
              (void)store::ListAudits(tx, "acme", {.state = pb::PASSED}, page);
              (void)store::ListActionItems(tx, "acme", {.owner = "organizations/acme/people/p1"},
                                           page);
              (void)store::ListActionItems(tx, "acme", {.site = "organizations/acme/sites/lyon"},
                                           page);
              (void)store::ListAudits(tx, "acme", {.scheduled_due_until = 20260401}, page);
              return absl::OkStatus();
            })
            .ok());
  }
  ExpectEveryStatementUsesAnIndex();
}

}  // namespace
}  // namespace kpo
