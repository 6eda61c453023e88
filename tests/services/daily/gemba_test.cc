// Gemba walks over a real SQLite database and the directory replica: the leader's walk
// with the three questions and observations, follow-ups with owners and due dates, and
// the overdue ones in the civil days of each walk's site.
#include "domain/gemba.h"

#include "fixture.h"
#include "gmock/gmock.h"
#include "kpo/daily/v1/events.pb.h"

namespace kpo::daily::testing {
namespace {

using ::testing::ElementsAre;

class GembaTest : public DailyFixture {
 protected:
  pb::CreateGembaWalkRequest Walk(const std::string& id, const std::string& site,
                                  absl::CivilDay day) {
    pb::CreateGembaWalkRequest r;
    r.set_parent(kOrg);
    r.set_gemba_walk_id(id);
    pb::GembaWalk* w = r.mutable_gemba_walk();
    w->set_site(site);
    *w->mutable_date() = kpo::core::FromCivil(day);
    w->mutable_questions()->set_purpose("Presses stamp brackets for the assembly line");
    w->mutable_questions()->set_alignment("Changeover time drives our lead-time objective");
    w->mutable_questions()->set_right_thing("Batches of 500 are built ahead of the orders");
    w->add_observations("Dies are searched for at every changeover");
    w->add_observations("No standard for the die cart");
    return r;
  }

  pb::GembaFollowUp FollowUp(const std::string& walk, const std::string& id,
                             const std::string& owner, absl::CivilDay due) {
    pb::CreateGembaFollowUpRequest r;
    r.set_parent(std::string(kOrg) + "/gembaWalks/" + walk);
    r.set_follow_up_id(id);
    r.mutable_follow_up()->set_description("Shadow board for the dies");
    r.mutable_follow_up()->set_owner(P(owner));
    *r.mutable_follow_up()->mutable_due_date() = kpo::core::FromCivil(due);
    auto created = gemba_->CreateGembaFollowUp(bo_, r);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : pb::GembaFollowUp();
  }

  std::vector<std::string> Overdue(pb::ListGembaFollowUpsRequest r) {
    r.set_parent(std::string(kOrg) + "/gembaWalks/-");
    r.set_overdue_only(true);
    std::vector<std::string> ids;
    do {
      auto page = gemba_->ListGembaFollowUps(eve_, r);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& f : page->follow_ups())
        ids.push_back(f.name().substr(f.name().rfind('/') + 1));
      r.set_page_token(page->next_page_token());
    } while (!r.page_token().empty());
    return ids;
  }
};

TEST_F(GembaTest, AWalkHasItsLeaderTheThreeQuestionsObservationsAndFollowUps) {
  auto walk = gemba_->CreateGembaWalk(bo_, Walk("press", Lyon(), LyonToday()));
  ASSERT_TRUE(walk.ok()) << walk.status();
  EXPECT_EQ(walk->leader(), P("bo")) << "the caller leads by default";
  EXPECT_EQ(walk->observations_size(), 2);
  EXPECT_EQ(walk->etag(), "1");

  const pb::GembaFollowUp f = FollowUp("press", "dies", "ana", LyonToday() + 7);
  EXPECT_EQ(f.status(), pb::FOLLOW_UP_STATUS_OPEN);
  EXPECT_EQ(f.site(), Lyon());

  // Only the leader adds to the walk; the owner closes their follow-up.
  pb::UpdateGembaWalkRequest u;
  u.mutable_gemba_walk()->set_name(walk->name());
  *u.mutable_gemba_walk()->mutable_observations() = walk->observations();
  u.mutable_gemba_walk()->add_observations("The crane waits for the forklift");
  u.mutable_update_mask()->add_paths("observations");
  EXPECT_EQ(Reason(gemba_->UpdateGembaWalk(ana_, u).status()), "NOT_THE_LEADER");
  auto updated = gemba_->UpdateGembaWalk(bo_, u);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->observations_size(), 3);
  EXPECT_EQ(updated->etag(), "2");
  u.mutable_gemba_walk()->set_etag("1");
  EXPECT_EQ(gemba_->UpdateGembaWalk(bo_, u).status().code(), absl::StatusCode::kAborted);

  pb::UpdateGembaFollowUpRequest done;
  done.mutable_follow_up()->set_name(f.name());
  done.mutable_follow_up()->set_status(pb::FOLLOW_UP_STATUS_DONE);
  done.mutable_update_mask()->add_paths("status");
  EXPECT_EQ(Reason(gemba_->UpdateGembaFollowUp(eve_, done).status()), "NOT_THE_LEADER");
  auto closed = gemba_->UpdateGembaFollowUp(ana_, done);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->status(), pb::FOLLOW_UP_STATUS_DONE);
  EXPECT_TRUE(closed->has_done_time());

  pb::ListGembaWalksRequest list;
  list.set_parent(kOrg);
  list.set_site(Lyon());
  auto walks = gemba_->ListGembaWalks(eve_, list);
  ASSERT_TRUE(walks.ok()) << walks.status();
  ASSERT_EQ(walks->gemba_walks_size(), 1);
  list.clear_site();
  list.set_leader(P("ana"));
  EXPECT_EQ(gemba_->ListGembaWalks(eve_, list)->gemba_walks_size(), 0);
  EXPECT_THAT(OutboxTypes(),
              ElementsAre("kpo.daily.v1.GembaWalkRecorded", "kpo.daily.v1.GembaFollowUpCreated",
                          "kpo.daily.v1.GembaWalkUpdated", "kpo.daily.v1.GembaFollowUpUpdated"));
}

TEST_F(GembaTest, OverdueFollowUpsCountInTheCivilDaysOfEachWalksSite) {
  // 20:00 UTC on 25 February: already 26 February in Pune, still the 25th in Lyon.
  clock_.Advance(absl::FromCivil(absl::CivilSecond(2026, 2, 25, 20, 0, 0), absl::UTCTimeZone()) -
                 clock_.Now());
  const absl::CivilDay the25th(2026, 2, 25);
  ASSERT_TRUE(gemba_->CreateGembaWalk(bo_, Walk("lyon-walk", Lyon(), the25th)).ok());
  ASSERT_TRUE(gemba_->CreateGembaWalk(bo_, Walk("pune-walk", Pune(), the25th)).ok());
  FollowUp("lyon-walk", "lyon-due-today", "ana", the25th);
  FollowUp("lyon-walk", "lyon-late", "ana", the25th - 3);
  FollowUp("pune-walk", "pune-due-25th", "raj", the25th);
  FollowUp("pune-walk", "pune-late", "raj", the25th - 1);
  const pb::GembaFollowUp done = FollowUp("pune-walk", "pune-done", "raj", the25th - 5);
  pb::UpdateGembaFollowUpRequest u;
  u.mutable_follow_up()->set_name(done.name());
  u.mutable_follow_up()->set_status(pb::FOLLOW_UP_STATUS_DONE);
  u.mutable_update_mask()->add_paths("status");
  ASSERT_TRUE(gemba_->UpdateGembaFollowUp(bo_, u).ok());

  // Pages of two across rows that are not yet overdue at their site.
  EXPECT_THAT(Overdue({}), ElementsAre("lyon-late", "pune-late", "pune-due-25th"))
      << "due the 25th is overdue in Pune (the 26th there), not in Lyon (still the 25th)";
  pb::ListGembaFollowUpsRequest r;
  r.set_owner(P("ana"));
  EXPECT_THAT(Overdue(r), ElementsAre("lyon-late"));
  r.clear_owner();
  r.set_site(Pune());
  EXPECT_THAT(Overdue(r), ElementsAre("pune-late", "pune-due-25th"));
  // As of a given day, everywhere alike.
  r.clear_site();
  *r.mutable_as_of() = kpo::core::FromCivil(the25th - 1);
  EXPECT_THAT(Overdue(r), ElementsAre("lyon-late"));
  // The rule itself: OPEN and due before today; a done one never is.
  pb::GembaFollowUp open = done;
  open.set_status(pb::FOLLOW_UP_STATUS_OPEN);
  EXPECT_TRUE(domain::IsOverdue(open, the25th));
  EXPECT_FALSE(domain::IsOverdue(open, the25th - 5));
  pb::GembaFollowUp finished = done;
  finished.set_status(pb::FOLLOW_UP_STATUS_DONE);
  EXPECT_FALSE(domain::IsOverdue(finished, the25th));
}

TEST_F(GembaTest, BadInputNamesEveryFieldTenancyAndRetries) {
  auto r = Walk("Bad Id", Lyon(), LyonToday() + 1);
  r.mutable_gemba_walk()->set_area(Pune() + "/areas/press");
  r.mutable_gemba_walk()->mutable_questions()->clear_alignment();
  r.mutable_gemba_walk()->add_observations("");
  r.mutable_gemba_walk()->set_strategic_objective("growth");
  auto refused = gemba_->CreateGembaWalk(bo_, r);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(refused.status()),
              ElementsAre("gemba_walk_id", "gemba_walk.area", "gemba_walk.date",
                          "gemba_walk.questions.alignment", "gemba_walk.observations[2]",
                          "gemba_walk.strategic_objective"));
  // Another leader's walk is the KPO's to record, not a colleague's.
  r = Walk("for-bo", Lyon(), LyonToday());
  r.mutable_gemba_walk()->set_leader(P("bo"));
  EXPECT_EQ(Reason(gemba_->CreateGembaWalk(eve_, r).status()), "NOT_THE_LEADER");
  EXPECT_TRUE(gemba_->CreateGembaWalk(kim_, r).ok());
  pb::CreateGembaFollowUpRequest f;
  f.set_parent(std::string(kOrg) + "/gembaWalks/for-bo");
  f.mutable_follow_up()->set_owner(P("gone"));
  EXPECT_THAT(Fields(gemba_->CreateGembaFollowUp(bo_, f).status()),
              ElementsAre("follow_up.description", "follow_up.due_date", "follow_up.owner"));
  EXPECT_THAT(OutboxTypes(), ElementsAre("kpo.daily.v1.GembaWalkRecorded"));

  Principal intruder{"bo", "globex", {kpo::auth::kOrgAdmin}};
  pb::GetGembaWalkRequest get;
  get.set_name(std::string(kOrg) + "/gembaWalks/for-bo");
  EXPECT_EQ(gemba_->GetGembaWalk(intruder, get).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::ListGembaFollowUpsRequest list;
  list.set_parent(std::string(kOrg) + "/gembaWalks/-");
  EXPECT_EQ(gemba_->ListGembaFollowUps(intruder, list).status().code(),
            absl::StatusCode::kPermissionDenied);

  auto once = Walk("", Lyon(), LyonToday());
  once.set_request_id("8d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09");
  auto first = gemba_->CreateGembaWalk(bo_, once);
  auto second = gemba_->CreateGembaWalk(bo_, once);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->name(), second->name());
  list.set_parent(kOrg);
  EXPECT_THAT(Fields(gemba_->ListGembaFollowUps(bo_, list).status()), ElementsAre("parent"))
      << "a list's parent is a walk or gembaWalks/-";
}

}  // namespace
}  // namespace kpo::daily::testing
