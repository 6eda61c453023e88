// The reporting service over real processes: the people service publishes the directory,
// the daily service the ideas submitted, reviewed and implemented through its gRPC API,
// and reporting — fed only by those events through the local broker — answers the
// scorecard. The expected figures are computed here from what the test did.
#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "grpc_checks.h"
#include "gtest/gtest.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/daily/v1/daily_service.grpc.pb.h"
#include "kpo/ops/v1/ops_service.grpc.pb.h"
#include "kpo/reporting/v1/projection_service.grpc.pb.h"
#include "kpo/reporting/v1/reporting_service.grpc.pb.h"
#include "kpo/rpc/status.h"
#include "stack.h"

namespace kpo::testing {
namespace {

namespace pb = kpo::reporting::v1;
namespace daily = kpo::daily::v1;
namespace dir = kpo::people::v1;
using google::protobuf::util::TimeUtil;

constexpr char kLyon[] = "organizations/acme/sites/lyon";
constexpr char kPune[] = "organizations/acme/sites/pune";

class ReportingStackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack({"people", "daily", "reporting"});
    admin_ = Stack::Token("acme", {"org_admin"}, "admin");
    DirectoryWriter directory(*stack_, admin_);
    directory.Organization("acme");
    directory.Site("acme", "lyon", "Europe/Paris");
    directory.Site("acme", "pune", "Asia/Kolkata");
    directory.Person("acme", "leader", "lyon", dir::TEAM_LEADER);
    directory.Person("acme", "m1", "lyon", dir::TEAM_MEMBER, "leader");
    directory.Person("acme", "m2", "lyon", dir::TEAM_MEMBER, "leader");
    directory.Person("acme", "pune-tl", "pune", dir::TEAM_LEADER);
    directory.Person("acme", "p1", "pune", dir::TEAM_MEMBER, "pune-tl");
    ASSERT_TRUE(directory.status().ok()) << directory.status();
    // The daily service must know the people before it takes their ideas.
    ASSERT_TRUE(WaitForReplica(*stack_, "daily", admin_, 5, 2)) << stack_->ServiceLog("daily");
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    ideas_ = daily::DailyKaizenService::NewStub(
        grpc::CreateChannel(stack_->GrpcAddress("daily"), grpc::InsecureChannelCredentials()));
    reporting_ = pb::ReportingService::NewStub(
        grpc::CreateChannel(stack_->GrpcAddress("reporting"), grpc::InsecureChannelCredentials()));
  }

  template <class Req>
  daily::Idea IdeaCall(grpc::Status (daily::DailyKaizenService::Stub::*method)(grpc::ClientContext*,
                                                                               const Req&,
                                                                               daily::Idea*),
                       const Req& request, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    daily::Idea out;
    const grpc::Status s = (ideas_.get()->*method)(&ctx, request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  daily::Idea Submit(const std::string& by, const char* site) {
    daily::CreateIdeaRequest r;
    r.set_parent("organizations/acme");
    r.mutable_idea()->set_title("Idea of " + by);
    r.mutable_idea()->set_problem("Walking to fetch parts");
    r.mutable_idea()->set_countermeasure("A kanban rack at the line");
    r.mutable_idea()->set_category(daily::CATEGORY_QUALITY);
    r.mutable_idea()->set_site(site);
    return IdeaCall(&daily::DailyKaizenService::Stub::CreateIdea, r,
                    Stack::Token("acme", {"team_member"}, by));
  }

  absl::StatusOr<pb::Scorecard> Card(const std::string& scope, const kpo::common::v1::Date& day,
                                     const std::string& token) {
    pb::GetScorecardRequest r;
    r.set_name(scope + "/scorecard");
    r.mutable_period()->set_granularity(pb::GRANULARITY_YEAR);
    *r.mutable_period()->mutable_start_date() = day;
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    pb::Scorecard out;
    const grpc::Status s = reporting_->GetScorecard(&ctx, r, &out);
    if (!s.ok())
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    return out;
  }

  static Stack* stack_;
  static std::string admin_;
  std::unique_ptr<daily::DailyKaizenService::Stub> ideas_;
  std::unique_ptr<pb::ReportingService::Stub> reporting_;
};

Stack* ReportingStackTest::stack_ = nullptr;
std::string ReportingStackTest::admin_;

// The civil year of an instant at a zone, as the period's start date.
kpo::common::v1::Date YearAt(const google::protobuf::Timestamp& t, const char* zone) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(zone, &tz));
  const absl::CivilDay day =
      absl::ToCivilDay(absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t)), tz);
  return kpo::core::FromCivil(absl::CivilDay(day.year(), 1, 1));
}

TEST_F(ReportingStackTest, IdeasWrittenThroughTheDailyServiceBecomeTheScorecard) {
  const std::string leader = Stack::Token("acme", {"team_leader"}, "leader");
  const std::string pune_tl = Stack::Token("acme", {"team_leader"}, "pune-tl");
  // Lyon: m1 submits two ideas (one accepted and implemented, one left for review), m2
  // one that is rejected. Pune: p1 one, accepted.
  const daily::Idea done = Submit("m1", kLyon);
  Submit("m1", kLyon);  // left waiting for its review
  const daily::Idea refused = Submit("m2", kLyon);
  const daily::Idea pune = Submit("p1", kPune);
  daily::AcceptIdeaRequest accept;
  accept.set_name(done.name());
  IdeaCall(&daily::DailyKaizenService::Stub::AcceptIdea, accept, leader);
  daily::ImplementIdeaRequest implement;
  implement.set_name(done.name());
  const daily::Idea implemented =
      IdeaCall(&daily::DailyKaizenService::Stub::ImplementIdea, implement, leader);
  daily::RejectIdeaRequest reject;
  reject.set_name(refused.name());
  reject.set_reason("Already covered by the new rack");
  IdeaCall(&daily::DailyKaizenService::Stub::RejectIdea, reject, leader);
  accept.set_name(pune.name());
  IdeaCall(&daily::DailyKaizenService::Stub::AcceptIdea, accept, pune_tl);
  const absl::Time last_write = absl::Now();

  // What the test did, per site, in the year of each idea's submission at its site.
  const auto lyon_year = YearAt(done.create_time(), "Europe/Paris");
  const auto pune_year = YearAt(pune.create_time(), "Asia/Kolkata");
  ASSERT_EQ(lyon_year.year(), YearAt(refused.create_time(), "Europe/Paris").year())
      << "the test ran across a new year in Paris; run it again";

  pb::Scorecard lyon;
  const bool converged = WaitFor(
      [&] {
        auto card = Card(kLyon, lyon_year, admin_);
        if (!card.ok()) return false;
        lyon = *card;
        const auto& f = lyon.daily_kaizen();
        return f.ideas_submitted() == 3 && f.ideas_implemented() == 1 && f.ideas_rejected() == 1;
      },
      absl::Seconds(30));
  ASSERT_TRUE(converged) << lyon.DebugString() << stack_->ServiceLog("reporting");
  const auto& f = lyon.daily_kaizen();
  EXPECT_EQ(f.headcount(), 3);
  EXPECT_EQ(f.participation_rate().numerator(), 2);  // m1 and m2
  EXPECT_EQ(f.implementation_rate().numerator(), 1);
  EXPECT_EQ(f.implementation_rate().denominator(), 3);
  EXPECT_EQ(f.median_time_to_implement().seconds(), implemented.time_to_implement().seconds());
  EXPECT_EQ(f.open_ideas().total(), 1);  // the one waiting for its review
  EXPECT_EQ(f.review_backlog(), 1);

  // Up to when the answer is complete: positions on the topics, the last event after the
  // last write, nothing pending.
  ASSERT_GT(lyon.freshness().positions_size(), 0);
  EXPECT_GE(
      absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(lyon.freshness().complete_through())) +
          absl::Seconds(5),
      last_write - absl::Seconds(30));
  bool daily_topic = false;
  for (const auto& position : lyon.freshness().positions()) {
    daily_topic = daily_topic || position.topic() == "kpo.daily.v1";
  }
  EXPECT_TRUE(daily_topic);

  // The organization adds Pune (in its own year) to Lyon.
  if (pune_year.year() == lyon_year.year()) {
    ASSERT_TRUE(WaitFor([&] {
      auto card = Card("organizations/acme", lyon_year, admin_);
      return card.ok() && card->daily_kaizen().ideas_submitted() == 4;
    }));
    auto org = Card("organizations/acme", lyon_year, admin_);
    ASSERT_TRUE(org.ok());
    EXPECT_EQ(org->daily_kaizen().headcount(), 5);
    EXPECT_EQ(org->daily_kaizen().participation_rate().numerator(), 3);
    EXPECT_EQ(org->daily_kaizen().open_ideas().total(), 2);  // Lyon's waiting one and Pune's
    EXPECT_EQ(org->daily_kaizen().review_backlog(), 1);      // Pune's was accepted

    // Sites ranked by ideas submitted (through the reporting service's Redis): Lyon's
    // three before Pune's one; by review backlog, least first, Pune (none) before Lyon.
    for (const auto& [figure, ascending, first, second] :
         {std::tuple{"daily_kaizen.ideas_submitted", false, kLyon, kPune},
          std::tuple{"daily_kaizen.review_backlog", true, kPune, kLyon}}) {
      pb::RankSitesRequest rank;
      rank.set_name("organizations/acme/scorecard");
      rank.mutable_period()->set_granularity(pb::GRANULARITY_YEAR);
      *rank.mutable_period()->mutable_start_date() = lyon_year;
      rank.set_figure(figure);
      rank.set_ascending(ascending);
      for (int i = 0; i < 2; ++i) {  // computed, then from the sorted set
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + admin_);
        pb::RankSitesResponse ranking;
        ASSERT_TRUE(reporting_->RankSites(&ctx, rank, &ranking).ok());
        ASSERT_EQ(ranking.sites_size(), 2) << ranking.DebugString();
        EXPECT_EQ(ranking.sites(0).site(), first) << figure;
        EXPECT_EQ(ranking.sites(0).rank(), 1);
        EXPECT_EQ(ranking.sites(1).site(), second) << figure;
        EXPECT_EQ(ranking.sites(1).rank(), 2);
        EXPECT_GT(ranking.freshness().positions_size(), 0);
      }
    }
  }
  // Any member of the organization reads it.
  EXPECT_TRUE(Card(kLyon, lyon_year, Stack::Token("acme", {"team_member"}, "m2")).ok());
}

TEST_F(ReportingStackTest, TheCsvExportStreamsOverGrpcAndStopsWhenTheClientGoes) {
  const auto day = kpo::core::FromCivil(absl::CivilDay(2026, 1, 1));
  ASSERT_TRUE(WaitFor([&] { return Card(kLyon, day, admin_).ok(); }))  // reporting knows Lyon
      << stack_->ServiceLog("reporting");
  pb::ExportScorecardsRequest r;
  r.set_name(std::string(kLyon) + "/scorecard");
  r.mutable_period()->set_granularity(pb::GRANULARITY_WEEK);
  r.set_periods(520);  // ten years of weeks
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin_);
    auto stream = reporting_->ExportScorecards(&ctx, r);
    google::api::HttpBody chunk;
    int chunks = 0;
    std::string csv;
    while (stream->Read(&chunk)) {
      if (chunks++ == 0) {
        EXPECT_EQ(chunk.content_type(), "text/csv; charset=utf-8");
      }
      csv += chunk.data();
    }
    const grpc::Status finished = stream->Finish();
    ASSERT_TRUE(finished.ok()) << finished.error_code() << " " << finished.error_message();
    EXPECT_EQ(chunks, 521);  // the header and a chunk per week
    EXPECT_EQ(csv.rfind("scope,granularity,", 0), 0u);
  }
  {  // The client reads one chunk and cancels: the server stops, and keeps serving.
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin_);
    auto stream = reporting_->ExportScorecards(&ctx, r);
    google::api::HttpBody chunk;
    ASSERT_TRUE(stream->Read(&chunk));
    ctx.TryCancel();
    while (stream->Read(&chunk)) {
    }
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  auto card = Card(kLyon, day, admin_);
  EXPECT_TRUE(card.ok()) << card.status();
  {  // Bad input: refused before any chunk.
    r.set_periods(1001);
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin_);
    auto stream = reporting_->ExportScorecards(&ctx, r);
    google::api::HttpBody chunk;
    EXPECT_FALSE(stream->Read(&chunk));
    EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_F(ReportingStackTest, EveryRpcRefusesAnotherOrganizationsNames) {
  const std::vector<std::string> names = {"organizations/acme/scorecard",
                                          "organizations/acme/sites/lyon/scorecard",
                                          "organizations/acme/sites/lyon/areas/x/scorecard"};
  const auto outcomes =
      CallEveryMethod(stack_->GrpcAddress("reporting"), "kpo.reporting.v1.ReportingService", names,
                      Stack::Token("globex", {"org_admin"}, "spy"));
  EXPECT_EQ(outcomes.size(),
            static_cast<size_t>(google::protobuf::DescriptorPool::generated_pool()
                                    ->FindServiceByName("kpo.reporting.v1.ReportingService")
                                    ->method_count()));
  ExpectEveryMethodRefusesEveryName(outcomes, names);
}

// Every answer of the organization's and each site's scorecards for the last 24 months,
// with the positions it reflects but not when reporting applied them (which a rebuild
// changes).
std::string Answers(pb::ReportingService::Stub& reporting, const std::string& token) {
  std::string out;
  for (const char* scope : {"organizations/acme", kLyon, kPune}) {
    pb::QueryScorecardTrendRequest r;
    r.set_name(std::string(scope) + "/scorecard");
    r.mutable_period()->set_granularity(pb::GRANULARITY_MONTH);
    r.set_periods(24);
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    pb::QueryScorecardTrendResponse trend;
    const grpc::Status s = reporting.QueryScorecardTrend(&ctx, r, &trend);
    if (!s.ok()) return "error: " + s.error_message();
    for (auto& position : *trend.mutable_freshness()->mutable_positions()) {
      position.clear_apply_time();
    }
    trend.mutable_freshness()->clear_pending_records();
    absl::StrAppend(&out, trend.DebugString());
  }
  return out;
}

std::optional<pb::ProjectionGeneration> Generation(pb::ProjectionService::Stub& projections,
                                                   const std::string& token, int64_t number) {
  grpc::ClientContext ctx;
  Authorize(ctx, token);
  pb::ListProjectionGenerationsResponse list;
  if (!projections.ListProjectionGenerations(&ctx, {}, &list).ok()) return std::nullopt;
  for (const auto& g : list.generations()) {
    if (g.number() == number) return g;
  }
  return std::nullopt;
}

TEST_F(ReportingStackTest, ARebuildServesTheSameAnswersThenKeepsUpAndSurvivesARestart) {
  const std::string op = Stack::Token("acme", {"platform_operator"}, "ops");
  auto projections = pb::ProjectionService::NewStub(
      grpc::CreateChannel(stack_->GrpcAddress("reporting"), grpc::InsecureChannelCredentials()));
  // Something to rebuild: an idea at Pune, counted, and nothing more on its way (the
  // same answers twice, a second apart).
  const daily::Idea idea = Submit("p1", kPune);
  const auto year = YearAt(idea.create_time(), "Asia/Kolkata");
  std::string before;
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string first = Answers(*reporting_, admin_);
        absl::SleepFor(absl::Seconds(1));
        before = Answers(*reporting_, admin_);
        return first == before && first.find("error:") == std::string::npos;
      },
      absl::Seconds(30)));
  auto pune_card = Card(kPune, year, admin_);
  ASSERT_TRUE(pune_card.ok());
  const int64_t before_ideas = pune_card->daily_kaizen().ideas_submitted();
  ASSERT_GE(before_ideas, 1);

  // Operators only: an organization's administrator may not rebuild everyone's figures,
  // and the operator reads no organization's figures.
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    pb::ProjectionGeneration out;
    EXPECT_EQ(projections->StartProjectionRebuild(&ctx, {}, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_FALSE(Card(kPune, year, op).ok());
  }
  pb::ProjectionGeneration started;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, op);
    const grpc::Status s = projections->StartProjectionRebuild(&ctx, {}, &started);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(started.state(), pb::ProjectionGeneration::STATE_BUILDING);
  EXPECT_EQ(started.name(), absl::StrCat("projectionGenerations/", started.number()));
  const int64_t previous = started.number() - 1;
  {
    grpc::ClientContext ctx;
    Authorize(ctx, op);
    pb::ProjectionGeneration again;
    const grpc::Status s = projections->StartProjectionRebuild(&ctx, {}, &again);
    // Unless the first one has switched in already (it is small).
    if (!s.ok()) {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
      EXPECT_EQ(kpo::core::ErrorReason(kpo::rpc::FromGrpcStatus(s)).value_or(""),
                "REBUILD_IN_PROGRESS");
    }
  }
  std::optional<pb::ProjectionGeneration> rebuilt;
  ASSERT_TRUE(WaitFor(
      [&] {
        rebuilt = Generation(*projections, op, started.number());
        return rebuilt && rebuilt->state() == pb::ProjectionGeneration::STATE_SERVING;
      },
      absl::Seconds(60)))
      << (rebuilt ? rebuilt->DebugString() : "") << stack_->ServiceLog("reporting");
  EXPECT_GT(rebuilt->records_applied(), 0);
  EXPECT_GT(rebuilt->progress().positions_size(), 0);
  EXPECT_TRUE(rebuilt->has_switch_time());
  const auto old = Generation(*projections, op, previous);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->state(), pb::ProjectionGeneration::STATE_RETIRED);
  EXPECT_TRUE(old->has_retire_time());

  // The same answers, from projections built anew from the topics (and read through
  // Redis keys of the new generation).
  EXPECT_EQ(Answers(*reporting_, admin_), before);
  // The new generation applies what happens next.
  Submit("p1", kPune);
  ASSERT_TRUE(WaitFor([&] {
    auto card = Card(kPune, year, admin_);
    return card.ok() && card->daily_kaizen().ideas_submitted() == before_ideas + 1;
  })) << stack_->ServiceLog("reporting");
  // The ops service reads the serving generation's inbox and replica.
  {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    kpo::ops::v1::ServiceStatus status;
    ASSERT_TRUE(stack_->Ops("reporting")->GetServiceStatus(&ctx, {}, &status).ok());
    EXPECT_GT(status.inbox_processed(), 0);
    EXPECT_GE(status.replica_counts().at("person"), 5);
  }
  // A restart opens the generation that serves.
  const std::string after = Answers(*reporting_, admin_);
  stack_->StopService("reporting");
  stack_->StartService("reporting");
  SetUp();  // its new address
  projections = pb::ProjectionService::NewStub(
      grpc::CreateChannel(stack_->GrpcAddress("reporting"), grpc::InsecureChannelCredentials()));
  std::optional<pb::ProjectionGeneration> serving;
  ASSERT_TRUE(WaitFor([&] {
    serving = Generation(*projections, op, started.number());
    return serving.has_value();
  })) << stack_->ServiceLog("reporting");
  EXPECT_EQ(serving->state(), pb::ProjectionGeneration::STATE_SERVING);
  EXPECT_EQ(Answers(*reporting_, admin_), after);
}

TEST_F(ReportingStackTest, BadInputNamesTheFields) {
  pb::GetScorecardRequest r;
  r.set_name("organizations/acme/sites/lyon");
  grpc::ClientContext ctx;
  Authorize(ctx, admin_);
  pb::Scorecard out;
  const grpc::Status s = reporting_->GetScorecard(&ctx, r, &out);
  EXPECT_EQ(ViolatedFields(s), (std::vector<std::string>{"name", "period.granularity"}));
}

}  // namespace
}  // namespace kpo::testing
