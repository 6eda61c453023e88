// Improvement kata over a real SQLite database and the directory replica: storyboards
// owned by their learner, PDCA experiments, coaching cycles that need the coaching
// relationship the people service publishes, and every learner's cadence.
#include "fixture.h"
#include "gmock/gmock.h"
#include "kpo/daily/v1/events.pb.h"

namespace kpo::daily::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class KataTest : public DailyFixture {
 protected:
  static pb::CreateStoryboardRequest Board(const std::string& id, const std::string& coach) {
    pb::CreateStoryboardRequest r;
    r.set_parent(kOrg);
    r.set_storyboard_id(id);
    auto* s = r.mutable_storyboard();
    s->set_coach(P(coach));
    s->set_challenge("Every order shipped within 24 hours");
    s->set_strategic_objective("lead-time");
    s->set_focus_process("Press 4 changeover");
    auto* t = s->mutable_target_condition();
    t->set_description("Changeover under 20 minutes, one operator");
    t->set_metric("changeover time, minutes");
    *t->mutable_achieve_by() = kpo::core::FromCivil(absl::CivilDay(2026, 4, 30));
    s->set_current_condition("40 minutes, two operators");
    auto* o = s->add_obstacles();
    o->set_description("Fixture is searched for");
    o->set_status(pb::OBSTACLE_STATUS_WORKING_ON);
    return r;
  }

  pb::CreateCoachingCycleRequest Cycle(const std::string& board, absl::CivilDay day) {
    pb::CreateCoachingCycleRequest r;
    r.set_parent(S(board));
    auto* c = r.mutable_coaching_cycle();
    *c->mutable_date() = kpo::core::FromCivil(day);
    c->set_minutes(12);
    auto* a = c->mutable_answers();
    a->set_target_condition("under 20 minutes");
    a->set_actual_condition("31 minutes yesterday");
    a->set_obstacles("the fixture; working on it");
    a->set_next_step("shadow board for the fixture; expect 25 minutes");
    a->set_when_to_see("tomorrow at 9");
    return r;
  }
};

TEST_F(KataTest, AStoryboardIsTheLearnersAndOnlyLearnerAndCoachWriteIt) {
  auto created = boards_->CreateStoryboard(ana_, Board("changeover", "bo"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->learner(), P("ana")) << "the caller is the learner by default";
  EXPECT_EQ(created->site(), Lyon()) << "the learner's home site and area by default";
  EXPECT_EQ(created->area(), Lyon() + "/areas/press");
  EXPECT_EQ(created->state(), pb::STORYBOARD_STATE_ACTIVE);
  EXPECT_EQ(created->obstacles(0).id(), "1");
  EXPECT_EQ(created->etag(), "1");
  EXPECT_THAT(OutboxTypes(), ElementsAre("kpo.daily.v1.StoryboardCreated"));

  // Someone else may neither start a storyboard for ana nor change hers.
  auto foreign = Board("other", "bo");
  foreign.mutable_storyboard()->set_learner(P("ana"));
  EXPECT_EQ(Reason(boards_->CreateStoryboard(eve_, foreign).status()), "NOT_LEARNER_OR_COACH");
  pb::UpdateStoryboardRequest u;
  u.mutable_storyboard()->set_name(S("changeover"));
  u.mutable_storyboard()->set_current_condition("35 minutes");
  u.mutable_update_mask()->add_paths("current_condition");
  auto refused = boards_->UpdateStoryboard(eve_, u);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Reason(refused.status()), "NOT_LEARNER_OR_COACH");

  // The coach moves the obstacle on and parks a new one: it gets the next id.
  u.mutable_storyboard()->set_etag("1");
  *u.mutable_storyboard()->mutable_obstacles() = created->obstacles();
  u.mutable_storyboard()->mutable_obstacles(0)->set_status(pb::OBSTACLE_STATUS_RESOLVED);
  auto* parked = u.mutable_storyboard()->add_obstacles();
  parked->set_description("Crane shared with press 5");
  parked->set_status(pb::OBSTACLE_STATUS_OPEN);
  u.mutable_update_mask()->add_paths("obstacles");
  auto updated = boards_->UpdateStoryboard(bo_, u);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->current_condition(), "35 minutes");
  ASSERT_EQ(updated->obstacles_size(), 2);
  EXPECT_EQ(updated->obstacles(0).status(), pb::OBSTACLE_STATUS_RESOLVED);
  EXPECT_EQ(updated->obstacles(1).id(), "2");
  EXPECT_EQ(updated->etag(), "2");
  // The same etag again is stale; learner and site are not updatable.
  EXPECT_EQ(boards_->UpdateStoryboard(ana_, u).status().code(), absl::StatusCode::kAborted);
  pb::UpdateStoryboardRequest learner = u;
  learner.mutable_storyboard()->clear_etag();
  learner.mutable_update_mask()->add_paths("learner");
  EXPECT_THAT(Fields(boards_->UpdateStoryboard(ana_, learner).status()),
              ElementsAre("update_mask.paths[2]"));

  // Closed as achieved: final, and nothing changes it any more.
  pb::CloseStoryboardRequest close;
  close.set_name(S("changeover"));
  close.set_achieved(true);
  close.set_note("18 minutes for three weeks");
  auto closed = boards_->CloseStoryboard(ana_, close);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->state(), pb::STORYBOARD_STATE_ACHIEVED);
  auto again = boards_->CloseStoryboard(ana_, close);
  EXPECT_EQ(Reason(again.status()), "INVALID_TRANSITION");
  EXPECT_EQ(kpo::core::ErrorMetadata(again.status())["current_state"], "ACHIEVED");
  u.mutable_storyboard()->clear_etag();
  EXPECT_EQ(Reason(boards_->UpdateStoryboard(ana_, u).status()), "STORYBOARD_CLOSED");
  EXPECT_THAT(OutboxTypes(),
              ElementsAre("kpo.daily.v1.StoryboardCreated", "kpo.daily.v1.StoryboardUpdated",
                          "kpo.daily.v1.StoryboardClosed"));
}

TEST_F(KataTest, BadInputNamesEveryFieldAndWritesNothing) {
  auto r = Board("Bad Id", "gone");
  r.mutable_storyboard()->set_strategic_objective("growth");
  r.mutable_storyboard()->mutable_target_condition()->clear_description();
  r.mutable_storyboard()->set_site(Pune());
  r.mutable_storyboard()->set_area(Lyon() + "/areas/press");
  auto refused = boards_->CreateStoryboard(ana_, r);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      Fields(refused.status()),
      ElementsAre("storyboard_id", "storyboard.area", "storyboard.target_condition.description",
                  "storyboard.coach", "storyboard.strategic_objective"));
  EXPECT_THAT(OutboxTypes(), IsEmpty());

  // Another organization's names are refused before anything is read.
  r = Board("x", "bo");
  r.set_parent("organizations/globex");
  EXPECT_EQ(boards_->CreateStoryboard(ana_, r).status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(boards_->CreateStoryboard(ana_, Board("mine", "bo")).ok());
  Principal intruder{"ana", "globex", {kpo::auth::kOrgAdmin}};
  pb::GetStoryboardRequest get;
  get.set_name(S("mine"));
  EXPECT_EQ(boards_->GetStoryboard(intruder, get).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::ListLearnerCadencesRequest cadences;
  cadences.set_parent(kOrg);
  EXPECT_EQ(coaching_->ListLearnerCadences(intruder, cadences).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(coaching_->CreateCoachingCycle(intruder, Cycle("mine", LyonToday())).status().code(),
            absl::StatusCode::kPermissionDenied);

  // A retried request is one storyboard; validate_only writes nothing.
  auto once = Board("", "bo");
  once.set_request_id("5f0c6d1e-2a47-4a47-9d0e-3b8c2f1a9e77");
  auto first = boards_->CreateStoryboard(ana_, once);
  auto second = boards_->CreateStoryboard(ana_, once);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->name(), second->name());
  auto dry = Board("dry", "bo");
  dry.set_validate_only(true);
  ASSERT_TRUE(boards_->CreateStoryboard(ana_, dry).ok());
  get.set_name(S("dry"));
  EXPECT_EQ(boards_->GetStoryboard(ana_, get).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(OutboxTypes(),
              ElementsAre("kpo.daily.v1.StoryboardCreated", "kpo.daily.v1.StoryboardCreated"));
}

TEST_F(KataTest, ExperimentsArePdcaRecordsListedByDate) {
  ASSERT_TRUE(boards_->CreateStoryboard(ana_, Board("changeover", "bo")).ok());
  const absl::CivilDay today = LyonToday();
  for (auto [id, ago] :
       {std::pair{"shadow-board", 1}, std::pair{"pre-stage", 3}, std::pair{"crane", 2}}) {
    pb::CreateExperimentRequest r;
    r.set_parent(S("changeover"));
    r.set_experiment_id(id);
    r.mutable_experiment()->set_step(std::string("try ") + id);
    r.mutable_experiment()->set_expected("under 25 minutes");
    *r.mutable_experiment()->mutable_date() = kpo::core::FromCivil(today - ago);
    r.mutable_experiment()->set_obstacle("1");
    auto e = boards_->CreateExperiment(ago == 2 ? bo_ : ana_, r);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(e->recorded_by(), P(ago == 2 ? "bo" : "ana"));
  }
  pb::CreateExperimentRequest bad;
  bad.set_parent(S("changeover"));
  bad.mutable_experiment()->set_obstacle("7");
  auto refused = boards_->CreateExperiment(ana_, bad);
  EXPECT_THAT(Fields(refused.status()), ElementsAre("experiment.step", "experiment.expected",
                                                    "experiment.date", "experiment.obstacle"));
  EXPECT_EQ(Reason(boards_->CreateExperiment(eve_, bad).status()), "NOT_LEARNER_OR_COACH");

  // Oldest first, across pages of two.
  pb::ListExperimentsRequest list;
  list.set_parent(S("changeover"));
  auto page = boards_->ListExperiments(eve_, list);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->experiments_size(), 2);
  EXPECT_EQ(page->experiments(0).name(), S("changeover") + "/experiments/pre-stage");
  EXPECT_EQ(page->experiments(1).name(), S("changeover") + "/experiments/crane");
  list.set_page_token(page->next_page_token());
  auto rest = boards_->ListExperiments(eve_, list);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->experiments_size(), 1);
  EXPECT_EQ(rest->experiments(0).name(), S("changeover") + "/experiments/shadow-board");
  EXPECT_TRUE(rest->next_page_token().empty());

  // What happened and what was learned, once the step was taken.
  pb::UpdateExperimentRequest u;
  u.mutable_experiment()->set_name(S("changeover") + "/experiments/shadow-board");
  u.mutable_experiment()->set_result("27 minutes");
  u.mutable_experiment()->set_learning("the fixture was found at once; bolts are the next delay");
  u.mutable_update_mask()->add_paths("result");
  u.mutable_update_mask()->add_paths("learning");
  auto updated = boards_->UpdateExperiment(ana_, u);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->result(), "27 minutes");
  EXPECT_EQ(updated->etag(), "2");
  EXPECT_EQ(Reason(boards_->UpdateExperiment(eve_, u).status()), "NOT_LEARNER_OR_COACH");
  pb::GetStoryboardRequest get;
  get.set_name(S("changeover"));
  EXPECT_EQ(boards_->GetStoryboard(eve_, get)->experiment_count(), 3);
  EXPECT_EQ(boards_->GetStoryboard(eve_, get)->etag(), "1")
      << "experiments do not make the learner's open edit of the storyboard stale";
  list.set_parent(S("missing"));
  list.clear_page_token();
  EXPECT_EQ(boards_->ListExperiments(eve_, list).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(KataTest, ACoachingCycleNeedsTheCoachingRelationshipFromTheDirectory) {
  ASSERT_TRUE(boards_->CreateStoryboard(ana_, Board("changeover", "kim")).ok());
  auto refused = coaching_->CreateCoachingCycle(kim_, Cycle("changeover", LyonToday()));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(refused.status()), "NO_COACHING_RELATIONSHIP");
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("CreateCoachingRelationship"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("kpoctl coaching create"));

  // The people service publishes the relationship; the replica takes it; now it counts.
  Relationship("kim-ana", "kim", "ana", 3);
  pb::CreateExperimentRequest e;
  e.set_parent(S("changeover"));
  e.set_experiment_id("shadow-board");
  e.mutable_experiment()->set_step("shadow board");
  e.mutable_experiment()->set_expected("25 minutes");
  *e.mutable_experiment()->mutable_date() = kpo::core::FromCivil(LyonToday() - 1);
  ASSERT_TRUE(boards_->CreateExperiment(ana_, e).ok());
  auto cycle = coaching_->CreateCoachingCycle(kim_, Cycle("changeover", LyonToday()));
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  EXPECT_EQ(cycle->learner(), P("ana"));
  EXPECT_EQ(cycle->coach(), P("kim")) << "the storyboard's coach by default";
  EXPECT_EQ(cycle->coach_kind(), pb::COACH_KIND_KPO);
  EXPECT_EQ(cycle->coaching_relationship(), std::string(kOrg) + "/coachingRelationships/kim-ana");
  EXPECT_EQ(cycle->reviewed_experiment(), S("changeover") + "/experiments/shadow-board");
  EXPECT_EQ(cycle->site(), Lyon());
  EXPECT_EQ(cycle->strategic_objective(), "lead-time");
  EXPECT_EQ(OutboxTypes().back(), "kpo.daily.v1.CoachingCycleRecorded");
  pb::GetStoryboardRequest get;
  get.set_name(S("changeover"));
  auto board = boards_->GetStoryboard(ana_, get);
  EXPECT_EQ(board->coaching_cycle_count(), 1);
  EXPECT_EQ(kpo::core::ToCivil(board->last_coaching_date()), LyonToday());

  // A line manager coaching under another relationship is LINE; a relationship that
  // ended no longer counts; a date after today at the site is refused.
  auto named = Cycle("changeover", LyonToday());
  named.mutable_coaching_cycle()->set_coach(P("bo"));
  EXPECT_EQ(Reason(coaching_->CreateCoachingCycle(bo_, named).status()),
            "NO_COACHING_RELATIONSHIP");
  Relationship("bo-ana", "bo", "ana", 1);
  auto line = coaching_->CreateCoachingCycle(bo_, named);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->coach_kind(), pb::COACH_KIND_LINE);
  Relationship("bo-ana", "bo", "ana", 1, dir::INACTIVE, 2);
  EXPECT_EQ(Reason(coaching_->CreateCoachingCycle(bo_, named).status()),
            "NO_COACHING_RELATIONSHIP");
  EXPECT_THAT(
      Fields(coaching_->CreateCoachingCycle(kim_, Cycle("changeover", LyonToday() + 1)).status()),
      ElementsAre("coaching_cycle.date"));
  // Nobody else records a cycle for them, even naming themselves the coach.
  auto intruder = Cycle("changeover", LyonToday());
  intruder.mutable_coaching_cycle()->set_coach(P("eve"));
  EXPECT_EQ(Reason(coaching_->CreateCoachingCycle(eve_, intruder).status()),
            "NO_COACHING_RELATIONSHIP");
  EXPECT_EQ(Reason(coaching_->CreateCoachingCycle(eve_, Cycle("changeover", LyonToday())).status()),
            "NOT_LEARNER_OR_COACH");

  // Cycles of one storyboard, and of all of them filtered by coach.
  pb::ListCoachingCyclesRequest list;
  list.set_parent(S("changeover"));
  EXPECT_EQ(coaching_->ListCoachingCycles(eve_, list)->coaching_cycles_size(), 2);
  list.set_parent(S("-"));
  list.set_coach(P("kim"));
  auto kims = coaching_->ListCoachingCycles(eve_, list);
  ASSERT_TRUE(kims.ok()) << kims.status();
  ASSERT_EQ(kims->coaching_cycles_size(), 1);
  EXPECT_EQ(kims->coaching_cycles(0).name(), cycle->name());
}

TEST_F(KataTest, CadenceListsTheLearnersOverdueForCoachingPerCoachAndSite) {
  Relationship("bo-ana", "bo", "ana", 3);
  Relationship("bo-eve", "bo", "eve", 1);
  Relationship("kim-raj", "kim", "raj", 2);
  for (auto [board, learner, coach] :
       {std::tuple{"ana", &ana_, "bo"}, std::tuple{"eve", &eve_, "bo"}}) {
    ASSERT_TRUE(boards_->CreateStoryboard(*learner, Board(board, coach)).ok());
  }
  const absl::CivilDay today = LyonToday();
  for (int ago : {0, 2, 9, 30}) {
    ASSERT_TRUE(coaching_->CreateCoachingCycle(bo_, Cycle("ana", today - ago)).ok());
  }
  ASSERT_TRUE(coaching_->CreateCoachingCycle(bo_, Cycle("eve", today - 12)).ok());

  pb::ListLearnerCadencesRequest r;
  r.set_parent(kOrg);
  r.set_page_size(10);
  auto all = coaching_->ListLearnerCadences(eve_, r);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->learner_cadences_size(), 3);
  const pb::LearnerCadence& ana = all->learner_cadences(0);
  EXPECT_EQ(ana.learner(), P("ana"));
  EXPECT_EQ(ana.days_since_last_cycle(), 0);
  EXPECT_EQ(ana.cycles_last_28_days(), 3) << "30 days ago is outside the four weeks";
  EXPECT_EQ(ana.expected_last_28_days(), 12);
  EXPECT_EQ(all->learner_cadences(1).learner(), P("eve"));
  EXPECT_EQ(all->learner_cadences(1).days_since_last_cycle(), 12);
  const pb::LearnerCadence& raj = all->learner_cadences(2);
  EXPECT_EQ(raj.days_since_last_cycle(), -1);
  EXPECT_FALSE(raj.has_last_cycle_date());
  EXPECT_EQ(raj.site(), Pune());

  // Overdue: no cycle in the last 7 days (eve, 12 days; raj, never), per coach, per site.
  r.set_without_cycle_days(7);
  auto overdue = coaching_->ListLearnerCadences(eve_, r);
  ASSERT_EQ(overdue->learner_cadences_size(), 2);
  EXPECT_EQ(overdue->learner_cadences(0).learner(), P("eve"));
  EXPECT_EQ(overdue->learner_cadences(1).learner(), P("raj"));
  r.set_coach(P("bo"));
  overdue = coaching_->ListLearnerCadences(eve_, r);
  ASSERT_EQ(overdue->learner_cadences_size(), 1);
  EXPECT_EQ(overdue->learner_cadences(0).learner(), P("eve"));
  r.clear_coach();
  r.set_site(Pune());
  overdue = coaching_->ListLearnerCadences(eve_, r);
  ASSERT_EQ(overdue->learner_cadences_size(), 1);
  EXPECT_EQ(overdue->learner_cadences(0).learner(), P("raj"));

  // Pages of one through the filtered list.
  r.clear_site();
  r.set_page_size(1);
  std::vector<std::string> learners;
  do {
    auto page = coaching_->ListLearnerCadences(eve_, r);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& c : page->learner_cadences()) learners.push_back(c.learner());
    r.set_page_token(page->next_page_token());
  } while (!r.page_token().empty());
  EXPECT_THAT(learners, ElementsAre(P("eve"), P("raj")));

  // A week on, ana's last cycle is 7 days old: she is overdue too.
  r.set_page_size(10);
  clock_.Advance(absl::Hours(24 * 7));
  overdue = coaching_->ListLearnerCadences(eve_, r);
  ASSERT_EQ(overdue->learner_cadences_size(), 3);
  EXPECT_EQ(overdue->learner_cadences(0).days_since_last_cycle(), 7);

  r.set_coach(P("bo"));
  r.set_site(Lyon());
  r.set_without_cycle_days(400);
  EXPECT_THAT(Fields(coaching_->ListLearnerCadences(eve_, r).status()),
              ElementsAre("site", "without_cycle_days"));
}

TEST_F(KataTest, ReindexFillsTheCoachingIndexOfAReplicaWrittenBeforeIt) {
  Relationship("bo-ana", "bo", "ana", 3);
  // As if the replica had been written before the index tables existed.
  ASSERT_TRUE(db_->Write([](kpo::storage::Transaction& tx) -> absl::Status {
                   if (auto s = tx.Exec("DELETE FROM replica_coaching"); !s.ok()) return s.status();
                   return tx.Exec("DELETE FROM replica_people").status();
                 })
                  .ok());
  ASSERT_TRUE(boards_->CreateStoryboard(ana_, Board("changeover", "bo")).ok());
  EXPECT_EQ(Reason(coaching_->CreateCoachingCycle(bo_, Cycle("changeover", LyonToday())).status()),
            "NO_COACHING_RELATIONSHIP");
  ASSERT_TRUE(kpo::replica::Reindex(*db_).ok());
  ASSERT_TRUE(kpo::replica::Reindex(*db_).ok()) << "idempotent";
  EXPECT_TRUE(coaching_->CreateCoachingCycle(bo_, Cycle("changeover", LyonToday())).ok());
  pb::ListLearnerCadencesRequest r;
  r.set_parent(kOrg);
  r.set_site(Lyon());
  EXPECT_EQ(coaching_->ListLearnerCadences(bo_, r)->learner_cadences_size(), 1)
      << "the learner's home site is back in the index";
}

}  // namespace
}  // namespace kpo::daily::testing
