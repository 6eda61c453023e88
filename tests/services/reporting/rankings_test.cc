// RankSites over a real SQLite file and a real redis-server: sites ranked by any figure,
// shared ranks, pages, sites without a value, the sorted set never older than the events
// applied, Redis down, bad input and tenancy.

#include "rankings.h"

#include "fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "kpo/core/page_token.h"

namespace kpo::reporting::testing {
namespace {

using ::testing::ElementsAre;

class RankingsTest : public ReportingFixture {
 protected:
  void SetUp() override {
    ReportingFixture::SetUp();
    Site("rio", "America/Sao_Paulo");
    Site("oslo", "Europe/Oslo");
    cached_rankings_ =
        std::make_unique<Rankings>(*db_, clock_, *counts_, redis_cache_.get(), absl::Hours(1),
                                   tokens_, "kpo-reporting", [] { return 0; });
    plain_rankings_ =
        std::make_unique<Rankings>(*db_, clock_, plain_counts_, nullptr, absl::Hours(1), tokens_,
                                   "kpo-reporting", [] { return 0; });
    answered_rankings_ = std::make_unique<Rankings>(
        *db_, clock_, *counts_, redis_cache_.get(), absl::Hours(1), tokens_, "kpo-reporting",
        [] { return 0; }, answers_.get());
  }
  static std::string Rio() { return std::string(kOrg) + "/sites/rio"; }
  static std::string Oslo() { return std::string(kOrg) + "/sites/oslo"; }

  pb::RankSitesRequest Request(const std::string& figure, bool ascending = false,
                               int page_size = 0) {
    pb::RankSitesRequest r;
    r.set_name(std::string(kOrg) + "/scorecard");
    r.mutable_period()->set_granularity(pb::GRANULARITY_MONTH);
    r.mutable_period()->mutable_start_date()->set_year(2026);
    r.mutable_period()->mutable_start_date()->set_month(3);
    r.mutable_period()->mutable_start_date()->set_day(1);
    r.set_figure(figure);
    r.set_ascending(ascending);
    r.set_page_size(page_size);
    return r;
  }

  // The ranking through Redis, asked twice (computed, then read from the sorted set), and
  // with whole pages cached too, asked twice (computed, then the page cached), each
  // checked against the one computed without Redis.
  pb::RankSitesResponse Rank(const pb::RankSitesRequest& r) {
    auto plain = plain_rankings_->RankSites(viewer_, r);
    EXPECT_TRUE(plain.ok()) << plain.status();
    if (!plain.ok()) return {};
    for (int i = 0; i < 4; ++i) {
      auto cached = (i < 2 ? cached_rankings_ : answered_rankings_)->RankSites(viewer_, r);
      EXPECT_TRUE(cached.ok()) << cached.status();
      if (!cached.ok()) continue;
      // Page tokens are sealed with a fresh nonce each time: compare what they open to.
      EXPECT_EQ(cached->next_page_token().empty(), plain->next_page_token().empty());
      cached->clear_next_page_token();
      pb::RankSitesResponse expected = *plain;
      expected.clear_next_page_token();
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*cached, expected))
          << "through Redis:\n"
          << cached->DebugString() << "\nwithout:\n"
          << expected.DebugString();
    }
    return *plain;
  }

  // Participation in March: Lyon 1 of 2, Pune 2 of 2, Rio 1 of 2, Oslo nobody.
  void LoadParticipation() {
    Person("ana", Lyon(), Utc(2026, 1, 1));
    Person("bo", Lyon(), Utc(2026, 1, 1));
    Person("raj", Pune(), Utc(2026, 1, 1));
    Person("ira", Pune(), Utc(2026, 1, 1));
    Person("leo", Rio(), Utc(2026, 1, 1));
    Person("bia", Rio(), Utc(2026, 1, 1));
    int n = 0;
    for (auto [site, who] : {std::pair{Lyon(), "ana"}, std::pair{Pune(), "raj"},
                             std::pair{Pune(), "ira"}, std::pair{Rio(), "leo"}}) {
      ++n;
      ASSERT_TRUE(Apply<daily::IdeaSubmitted>(
                      Idea("i" + std::to_string(n), site, Utc(2026, 3, 2 + n), {who}), 1)
                      .ok());
    }
  }

  static std::vector<std::pair<std::string, int>> Places(const pb::RankSitesResponse& r) {
    std::vector<std::pair<std::string, int>> out;
    for (const auto& s : r.sites()) out.emplace_back(s.site(), s.rank());
    return out;
  }

  kpo::core::PageTokenCodec tokens_ = kpo::core::PageTokenCodec::Random();
  CountsReader plain_counts_{nullptr, absl::ZeroDuration(), nullptr};
  std::unique_ptr<Rankings> cached_rankings_;
  std::unique_ptr<Rankings> plain_rankings_;
  std::unique_ptr<Rankings> answered_rankings_;  // whole pages cached too
};

TEST_F(RankingsTest, SitesRankByAFigureSharingRanksWithSitesWithoutAValueApart) {
  LoadParticipation();
  auto best = Rank(Request("daily_kaizen.participation_rate"));
  // Ties (Lyon and Rio at 50%) share rank 2, by name descending when highest first.
  EXPECT_THAT(Places(best),
              ElementsAre(std::pair{Pune(), 1}, std::pair{Rio(), 2}, std::pair{Lyon(), 2}));
  EXPECT_DOUBLE_EQ(best.sites(0).value(), 1.0);
  EXPECT_DOUBLE_EQ(best.sites(1).value(), 0.5);
  EXPECT_THAT(best.unranked_sites(), ElementsAre(Oslo()));  // nobody there: no rate
  EXPECT_EQ(best.total_size(), 3);
  EXPECT_EQ(best.figure(), "daily_kaizen.participation_rate");
  EXPECT_EQ(best.period().end_date().day(), 31);

  auto worst = Rank(Request("daily_kaizen.participation_rate", true));
  EXPECT_THAT(Places(worst),
              ElementsAre(std::pair{Lyon(), 1}, std::pair{Rio(), 1}, std::pair{Pune(), 3}));

  // A count ranks every site, zero included.
  auto ideas = Rank(Request("daily_kaizen.ideas_submitted"));
  EXPECT_EQ(ideas.total_size(), 4);
  EXPECT_EQ(ideas.sites(0).site(), Pune());
  EXPECT_EQ(ideas.sites(3).site(), Oslo());
  EXPECT_EQ(ideas.sites(3).rank(), 4);
  EXPECT_TRUE(ideas.unranked_sites().empty());
}

TEST_F(RankingsTest, PagesCarryTheRanksOnAndATokenOnlyServesItsOwnQuery) {
  LoadParticipation();
  std::vector<std::pair<std::string, int>> seen;
  pb::RankSitesRequest r = Request("daily_kaizen.participation_rate", false, 1);
  for (int page = 0; page < 5; ++page) {
    auto response = cached_rankings_->RankSites(viewer_, r);
    ASSERT_TRUE(response.ok()) << response.status();
    for (const auto& p : Places(*response)) seen.push_back(p);
    EXPECT_EQ(response->unranked_sites_size(), page == 0 ? 1 : 0);
    if (response->next_page_token().empty()) break;
    r.set_page_token(response->next_page_token());
  }
  EXPECT_THAT(seen, ElementsAre(std::pair{Pune(), 1}, std::pair{Rio(), 2}, std::pair{Lyon(), 2}));

  pb::RankSitesRequest other = Request("daily_kaizen.ideas_submitted", false, 1);
  other.set_page_token(r.page_token());
  auto refused = cached_rankings_->RankSites(viewer_, other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RankingsTest, ACachedRankingIsNeverOlderThanTheEventsApplied) {
  LoadParticipation();
  Rank(Request("daily_kaizen.participation_rate"));
  // Oslo gets a person who takes part: the ranking changes at once.
  Person("ola", Oslo(), Utc(2026, 1, 1));
  ASSERT_TRUE(Apply<daily::IdeaSubmitted>(Idea("o1", Oslo(), Utc(2026, 3, 20), {"ola"}), 1).ok());
  auto after = Rank(Request("daily_kaizen.participation_rate"));
  EXPECT_THAT(Places(after), ElementsAre(std::pair{Pune(), 1}, std::pair{Oslo(), 1},
                                         std::pair{Rio(), 3}, std::pair{Lyon(), 3}));
  EXPECT_TRUE(after.unranked_sites().empty());

  // Redis down: computed from the sites' counts, the same ranking.
  redis_.Stop();
  auto down = cached_rankings_->RankSites(viewer_, Request("daily_kaizen.participation_rate"));
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_THAT(Places(*down), ElementsAre(std::pair{Pune(), 1}, std::pair{Oslo(), 1},
                                         std::pair{Rio(), 3}, std::pair{Lyon(), 3}));
}

TEST_F(RankingsTest, EntriesOfRepeatedSectionsRankByTheirKey) {
  LoadParticipation();
  kaizen::KaizenEvent e;
  e.set_name(std::string(kOrg) + "/kaizenEvents/k1");
  e.set_site(Pune());
  e.set_state(kaizen::COMPLETED);
  e.mutable_money()->mutable_validation()->set_validated(true);
  *e.mutable_money()->mutable_validation()->mutable_validate_time() = At(Utc(2026, 3, 10));
  auto* saving = e.mutable_money()->add_realized_savings();
  saving->mutable_amount()->set_currency_code("EUR");
  saving->mutable_amount()->set_minor_units(500000);
  saving->set_recurrence(kaizen::ONE_TIME);
  ASSERT_TRUE(Apply<kaizen::SavingsValidated>(e, 3).ok());
  auto eur = Rank(Request("money.currencies[EUR].one_time_savings"));
  ASSERT_EQ(eur.sites_size(), 1);
  EXPECT_EQ(eur.sites(0).site(), Pune());
  EXPECT_DOUBLE_EQ(eur.sites(0).value(), 500000);
  EXPECT_EQ(eur.unranked_sites_size(), 3);  // no euros there
  auto usd = Rank(Request("money.currencies[USD].one_time_savings"));
  EXPECT_EQ(usd.total_size(), 0);
  EXPECT_EQ(usd.unranked_sites_size(), 4);
  auto none = Rank(Request("alignment.objectives[none].ideas"));
  EXPECT_EQ(none.total_size(), 3);  // the three sites with ideas linked to no objective
}

TEST_F(RankingsTest, BadInputNamesEveryFieldAndAnotherOrganizationIsRefused) {
  pb::RankSitesRequest r = Request("daily_kaizen");
  r.set_name(Lyon() + "/scorecard");
  r.set_page_size(501);
  auto bad = cached_rankings_->RankSites(viewer_, r);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(bad.status()), ElementsAre("name", "figure", "page_size"));
  for (const char* figure :
       {"", "name", "daily_kaizen.nope", "daily_kaizen.ideas_submitted.x",
        "money.currencies.kpo_cost", "daily_kaizen.open_ideas", "money.currencies[EUR]",
        "daily_kaizen[x].ideas_submitted", "freshness.pending_records", "a..b"}) {
    auto refused = cached_rankings_->RankSites(viewer_, Request(figure));
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << figure;
  }
  const kpo::auth::Principal spy{"spy", "globex", {kpo::auth::kOrgAdmin}};
  auto foreign = cached_rankings_->RankSites(spy, Request("daily_kaizen.ideas_submitted"));
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace kpo::reporting::testing
