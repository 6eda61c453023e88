// The kaizen events service over real processes: the people service feeds its
// directory replica through the broker; its own events go out on kpo.kaizen.v1.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpc_checks.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/kaizen/v1/kaizen_service.grpc.pb.h"
#include "kpo/people/v1/development_service.grpc.pb.h"
#include "kpo/rpc/status.h"
#include "stack.h"

namespace kpo::testing {
namespace {

namespace pb = kpo::kaizen::v1;
namespace dir = kpo::people::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class KaizenStackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack({"people", "kaizen"});
    admin_ = Stack::Token("acme", {"org_admin", "kpo_specialist"}, "kpo");
    DirectoryWriter directory(*stack_, admin_);
    directory.Organization("acme", {{"lead-time", "Halve lead time"}});
    directory.Site("acme", "lyon", "Europe/Paris");
    ASSERT_TRUE(directory.status().ok()) << directory.status();
    auto people = stack_->People();
    auto call = [&](auto method, const auto& request, auto* response) {
      grpc::ClientContext ctx;
      Authorize(ctx, admin_);
      grpc::Status s = (people.get()->*method)(&ctx, request, response);
      ASSERT_TRUE(s.ok()) << s.error_message();
    };
    dir::BatchCreatePeopleRequest batch;
    batch.set_parent("organizations/acme");
    for (auto [id, role] :
         {std::pair{"sponsor", dir::SENIOR_LEADER}, std::pair{"leader", dir::TEAM_LEADER},
          std::pair{"kpo", dir::KPO_SPECIALIST}, std::pair{"m1", dir::TEAM_MEMBER},
          std::pair{"m2", dir::TEAM_MEMBER}, std::pair{"m3", dir::TEAM_MEMBER},
          std::pair{"m4", dir::TEAM_MEMBER}, std::pair{"m5", dir::TEAM_MEMBER}}) {
      auto* r = batch.add_requests();
      r->set_person_id(id);
      r->mutable_person()->set_display_name(id);
      r->mutable_person()->set_home_site("organizations/acme/sites/lyon");
      r->mutable_person()->add_roles(role);
    }
    dir::BatchCreatePeopleResponse created;
    call(&dir::PeopleService::Stub::BatchCreatePeople, batch, &created);
    // Wait for the kaizen service's replica to hold the whole directory.
    ASSERT_TRUE(WaitForReplica(*stack_, "kaizen", admin_, 8, 1)) << stack_->ServiceLog("kaizen");
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    kaizen_ = pb::KaizenEventsService::NewStub(
        grpc::CreateChannel(stack_->GrpcAddress("kaizen"), grpc::InsecureChannelCredentials()));
  }

  template <class Req, class Resp>
  grpc::Status Call(grpc::Status (pb::KaizenEventsService::Stub::*method)(grpc::ClientContext*,
                                                                          const Req&, Resp*),
                    const Req& request, Resp* response, const std::string& token = "") {
    grpc::ClientContext ctx;
    Authorize(ctx, token.empty() ? admin_ : token);
    return (kaizen_.get()->*method)(&ctx, request, response);
  }

  static std::string P(const std::string& id) { return "organizations/acme/people/" + id; }

  pb::KaizenEvent Create(const std::string& id) {
    pb::CreateKaizenEventRequest r;
    r.set_parent("organizations/acme");
    r.set_kaizen_event_id(id);
    auto* e = r.mutable_kaizen_event();
    e->set_title("Changeover " + id);
    e->set_site("organizations/acme/sites/lyon");
    e->set_event_type(pb::SETUP_REDUCTION);
    auto* c = e->mutable_charter();
    c->set_problem_statement("Too slow");
    c->set_purpose("Capacity");
    c->set_customer("Line 2");
    c->mutable_scope()->set_process_start("last part");
    c->mutable_scope()->set_process_end("first part");
    c->mutable_scope()->add_in_scope("press 4");
    c->set_strategic_objective("lead-time");
    c->add_goals("Under 30 minutes");
    c->mutable_planned_start_date()->set_year(2024);
    c->mutable_planned_start_date()->set_month(1);
    c->mutable_planned_start_date()->set_day(29);
    *c->mutable_planned_end_date() = c->planned_start_date();
    c->mutable_planned_end_date()->set_day(31);
    c->set_sponsor(P("sponsor"));
    c->set_team_leader(P("leader"));
    c->set_facilitator(P("kpo"));
    for (int i = 1; i <= 5; ++i) c->add_team_members(P("m" + std::to_string(i)));
    auto* m = e->add_metrics();
    m->set_id("changeover");
    m->set_name("Changeover");
    m->set_direction(pb::LOWER_IS_BETTER);
    m->set_baseline(90);
    m->set_target(30);
    pb::KaizenEvent out;
    grpc::Status s = Call(&pb::KaizenEventsService::Stub::CreateKaizenEvent, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  void Tick(const pb::KaizenEvent& e, pb::Phase phase) {
    pb::KaizenEvent current;
    pb::GetKaizenEventRequest get;
    get.set_name(e.name());
    ASSERT_TRUE(Call(&pb::KaizenEventsService::Stub::GetKaizenEvent, get, &current).ok());
    for (const auto& item : current.checklist()) {
      if (item.phase() != phase || !item.required()) continue;
      pb::CompleteChecklistItemRequest r;
      r.set_name(e.name());
      r.set_item_id(item.id());
      r.set_done(true);
      pb::KaizenEvent out;
      ASSERT_TRUE(Call(&pb::KaizenEventsService::Stub::CompleteChecklistItem, r, &out).ok());
    }
  }

  pb::KaizenEvent Step(grpc::Status (pb::KaizenEventsService::Stub::*method)(
                           grpc::ClientContext*, const pb::TransitionRequest&, pb::KaizenEvent*),
                       const std::string& name) {
    pb::TransitionRequest r;
    r.set_name(name);
    pb::KaizenEvent out;
    grpc::Status s = Call(method, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Runs an event into follow-up with a result of 30 (a gain of 60 minutes).
  pb::KaizenEvent ToFollowUp(const std::string& id) {
    pb::KaizenEvent e = Create(id);
    Tick(e, pb::PLANNING);
    Step(&pb::KaizenEventsService::Stub::CharterKaizenEvent, e.name());
    Tick(e, pb::PREPARATION);
    pb::KaizenEvent started = Step(&pb::KaizenEventsService::Stub::StartKaizenEvent, e.name());
    pb::UpdateKaizenEventRequest u;
    *u.mutable_kaizen_event() = started;
    u.mutable_kaizen_event()->mutable_metrics(0)->set_result(30);
    u.mutable_update_mask()->add_paths("metrics");
    pb::KaizenEvent updated;
    EXPECT_TRUE(Call(&pb::KaizenEventsService::Stub::UpdateKaizenEvent, u, &updated).ok());
    Tick(e, pb::EXECUTION);
    pb::CompleteKaizenEventRequest c;
    c.set_name(e.name());
    c.mutable_completion_date()->set_year(2024);
    c.mutable_completion_date()->set_month(1);
    c.mutable_completion_date()->set_day(31);
    pb::KaizenEvent completed;
    EXPECT_TRUE(Call(&pb::KaizenEventsService::Stub::CompleteKaizenEvent, c, &completed).ok());
    Tick(e, pb::HANDOVER);
    return Step(&pb::KaizenEventsService::Stub::StartFollowUp, e.name());
  }

  grpc::Status RecordAudit(const std::string& event, int day, double value, pb::Audit* out) {
    pb::RecordAuditRequest r;
    r.set_name(event + "/audits/day-" + std::to_string(day));
    r.add_measurements()->set_metric_id("changeover");
    r.mutable_measurements(0)->set_value(value);
    return Call(&pb::KaizenEventsService::Stub::RecordAudit, r, out);
  }

  // The types published for one kaizen event, in order, once `last` appears.
  std::vector<kpo::common::v1::EventEnvelope> Published(const std::string& event,
                                                        const std::string& last) {
    auto all = ReadTopic(stack_->bootstrap(), "kpo.kaizen.v1", [&](const auto& envs) {
      for (const auto& e : envs) {
        if (e.subject() == event && e.type() == last) return true;
      }
      return false;
    });
    std::vector<kpo::common::v1::EventEnvelope> mine;
    for (auto& e : all) {
      if (e.subject() == event) mine.push_back(std::move(e));
    }
    return mine;
  }

  static std::vector<std::string> Lifecycle(
      const std::vector<kpo::common::v1::EventEnvelope>& envs) {
    std::vector<std::string> types;
    for (const auto& e : envs) {
      if (e.type() != "kpo.kaizen.v1.KaizenEventUpdated") types.push_back(e.type());
    }
    return types;
  }

  static Stack* stack_;
  static std::string admin_;
  std::unique_ptr<pb::KaizenEventsService::Stub> kaizen_;
};

Stack* KaizenStackTest::stack_ = nullptr;
std::string KaizenStackTest::admin_;

TEST_F(KaizenStackTest, EventFromProposalToSustainedThroughApiAndTopic) {
  pb::KaizenEvent e = ToFollowUp("sustained");
  pb::Audit audit;
  for (auto [day, value] : {std::pair{30, 31.0}, std::pair{60, 33.0}, std::pair{90, 35.0}}) {
    ASSERT_TRUE(RecordAudit(e.name(), day, value, &audit).ok());
    EXPECT_EQ(audit.state(), pb::PASSED);
  }
  pb::GetKaizenEventRequest get;
  get.set_name(e.name());
  pb::KaizenEvent now;
  ASSERT_TRUE(Call(&pb::KaizenEventsService::Stub::GetKaizenEvent, get, &now).ok());
  EXPECT_EQ(now.state(), pb::SUSTAINED);
  EXPECT_EQ(now.facilitator_kind(), pb::KPO);

  auto envs = Published(e.name(), "kpo.kaizen.v1.KaizenEventSustained");
  EXPECT_THAT(Lifecycle(envs),
              ElementsAre("kpo.kaizen.v1.KaizenEventProposed", "kpo.kaizen.v1.KaizenEventChartered",
                          "kpo.kaizen.v1.KaizenEventStarted", "kpo.kaizen.v1.KaizenEventCompleted",
                          "kpo.kaizen.v1.KaizenEventFollowUpStarted", "kpo.kaizen.v1.AuditRecorded",
                          "kpo.kaizen.v1.AuditRecorded", "kpo.kaizen.v1.AuditRecorded",
                          "kpo.kaizen.v1.KaizenEventSustained"));
  for (const auto& env : envs) {
    if (env.type() != "kpo.kaizen.v1.KaizenEventCompleted") continue;
    pb::KaizenEventCompleted completed;
    ASSERT_TRUE(env.data().UnpackTo(&completed));
    EXPECT_EQ(completed.participants_size(), 6) << "team leader and five members";
    EXPECT_EQ(completed.facilitator(), P("kpo"));
    EXPECT_EQ(completed.facilitator_kind(), pb::KPO);
    EXPECT_EQ(completed.audits_size(), 3);
    EXPECT_EQ(env.organization(), "organizations/acme");
  }
}

TEST_F(KaizenStackTest, EventToBackslidNamesTheMetricOnTheTopic) {
  pb::KaizenEvent e = ToFollowUp("backslid");
  pb::Audit audit;
  ASSERT_TRUE(RecordAudit(e.name(), 30, 75, &audit).ok());  // (90-75)/60 = 25% kept
  EXPECT_EQ(audit.state(), pb::FAILED);
  auto envs = Published(e.name(), "kpo.kaizen.v1.KaizenEventBackslid");
  ASSERT_FALSE(envs.empty());
  pb::KaizenEventBackslid backslid;
  ASSERT_TRUE(envs.back().data().UnpackTo(&backslid));
  EXPECT_THAT(backslid.backslid_metrics(), ElementsAre("changeover"));
  EXPECT_NEAR(backslid.audit().measurements(0).gain_kept(), 0.25, 1e-9);
  EXPECT_EQ(backslid.kaizen_event().state(), pb::BACKSLID);
}

TEST_F(KaizenStackTest, TenancyAuthenticationAndRolesOverGrpc) {
  pb::KaizenEvent e = Create("guarded");
  pb::GetKaizenEventRequest get;
  get.set_name(e.name());
  pb::KaizenEvent out;
  const std::string intruder = Stack::Token("globex", {"org_admin"});
  EXPECT_EQ(Call(&pb::KaizenEventsService::Stub::GetKaizenEvent, get, &out, intruder).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::TransitionRequest t;
  t.set_name(e.name());
  EXPECT_EQ(
      Call(&pb::KaizenEventsService::Stub::CharterKaizenEvent, t, &out, intruder).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext anonymous;
  EXPECT_EQ(kaizen_->GetKaizenEvent(&anonymous, get, &out).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  const std::string member = Stack::Token("acme", {"team_member"}, "m1");
  EXPECT_EQ(Call(&pb::KaizenEventsService::Stub::CharterKaizenEvent, t, &out, member).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Call(&pb::KaizenEventsService::Stub::GetKaizenEvent, get, &out, member).ok());
  // Finance validates savings: its token passes the role check and meets the domain's
  // rule (a proposed event has nothing to validate); a team member's does not pass.
  pb::ValidateSavingsRequest validate;
  validate.set_name(e.name());
  const std::string finance = Stack::Token("acme", {"finance"}, "controller");
  grpc::Status by_finance =
      Call(&pb::KaizenEventsService::Stub::ValidateSavings, validate, &out, finance);
  EXPECT_EQ(by_finance.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << by_finance.error_message();
  EXPECT_EQ(kpo::core::ErrorReason(kpo::rpc::FromGrpcStatus(by_finance)), "EVENT_NOT_COMPLETED");
  EXPECT_EQ(
      Call(&pb::KaizenEventsService::Stub::ValidateSavings, validate, &out, member).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Team members keep the kaizen newspaper.
  pb::CreateActionItemRequest action;
  action.set_parent(e.name());
  action.mutable_action_item()->set_what("Shadow board for the tools");
  action.mutable_action_item()->set_owner(P("m1"));
  action.mutable_action_item()->mutable_due_date()->set_year(2030);
  action.mutable_action_item()->mutable_due_date()->set_month(1);
  action.mutable_action_item()->mutable_due_date()->set_day(15);
  pb::ActionItem item;
  grpc::Status s = Call(&pb::KaizenEventsService::Stub::CreateActionItem, action, &item, member);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(KaizenStackTest, ConcurrentStaleEtagIsAbortedAndRetriedCreateIsOne) {
  pb::KaizenEvent e = Create("contended");
  // Two editors read the same version; both write at once; exactly one wins.
  std::atomic<int> ok{0}, aborted{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 2; ++i) {
    writers.emplace_back([&, i] {
      pb::UpdateKaizenEventRequest u;
      *u.mutable_kaizen_event() = e;
      u.mutable_kaizen_event()->set_title("Editor " + std::to_string(i));
      u.mutable_update_mask()->add_paths("title");
      pb::KaizenEvent out;
      grpc::Status s = Call(&pb::KaizenEventsService::Stub::UpdateKaizenEvent, u, &out);
      if (s.ok()) ++ok;
      if (s.error_code() == grpc::StatusCode::ABORTED) ++aborted;
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), 1);

  pb::CreateKaizenEventRequest r;
  r.set_parent("organizations/acme");
  r.set_request_id("create-once");
  r.mutable_kaizen_event()->set_title("Retried");
  r.mutable_kaizen_event()->set_site("organizations/acme/sites/lyon");
  r.mutable_kaizen_event()->set_event_type(pb::FIVE_S);
  pb::KaizenEvent first, second;
  ASSERT_TRUE(Call(&pb::KaizenEventsService::Stub::CreateKaizenEvent, r, &first).ok());
  ASSERT_TRUE(Call(&pb::KaizenEventsService::Stub::CreateKaizenEvent, r, &second).ok());
  EXPECT_EQ(first.name(), second.name());
  pb::ListKaizenEventsRequest list;
  list.set_parent("organizations/acme");
  list.set_event_type(pb::FIVE_S);
  pb::ListKaizenEventsResponse listed;
  ASSERT_TRUE(Call(&pb::KaizenEventsService::Stub::ListKaizenEvents, list, &listed).ok());
  EXPECT_EQ(listed.kaizen_events_size(), 1);
}

TEST_F(KaizenStackTest, EveryRpcRefusesAnotherOrganization) {
  pb::KaizenEvent e = Create("tenant-guarded");
  const std::vector<std::string> names = {"organizations/acme",
                                          e.name(),
                                          "organizations/acme/kaizenEvents/-",
                                          e.name() + "/actionItems/a",
                                          e.name() + "/audits/day-30",
                                          "organizations/acme/kaizenSettings"};
  const int64_t before = stack_->EventsWritten("kaizen", admin_);
  const auto outcomes =
      CallEveryMethod(stack_->GrpcAddress("kaizen"), "kpo.kaizen.v1.KaizenEventsService", names,
                      Stack::Token("globex", {"org_admin"}, "spy"));
  EXPECT_EQ(outcomes.size(),
            static_cast<size_t>(google::protobuf::DescriptorPool::generated_pool()
                                    ->FindServiceByName("kpo.kaizen.v1.KaizenEventsService")
                                    ->method_count()));
  ExpectEveryMethodRefusesEveryName(outcomes, names);
  // With this organization's token, a malformed request_id is refused by every mutating
  // method, naming the field.
  const auto malformed = CallEveryMethod(
      stack_->GrpcAddress("kaizen"), "kpo.kaizen.v1.KaizenEventsService", names,
      Stack::Token("acme", {"org_admin", "kpo_specialist", "finance"}, "kpo"), MalformRequestId);
  ExpectEveryMutationRefusesABadRequestId(malformed, "kpo.kaizen.v1.KaizenEventsService");
  EXPECT_EQ(stack_->EventsWritten("kaizen", admin_), before) << "a refused call wrote an event";
  pb::GetKaizenEventRequest get;
  get.set_name(e.name());
  pb::KaizenEvent now;
  ASSERT_TRUE(Call(&pb::KaizenEventsService::Stub::GetKaizenEvent, get, &now).ok());
  EXPECT_EQ(now.etag(), e.etag()) << "nothing changed";
}

TEST_F(KaizenStackTest, BadInputOnEveryMutatingRpcNamesFieldsAndWritesNothing) {
  pb::KaizenEvent e = Create("bad-input");
  auto written = [&] { return stack_->EventsWritten("kaizen", admin_); };
  const int64_t before = written();
  using S = pb::KaizenEventsService::Stub;
  auto fields_of = [&](auto method, const auto& request, auto* response) {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    return ViolatedFields((kaizen_.get()->*method)(&ctx, request, response));
  };
  pb::KaizenEvent ev;
  pb::CreateKaizenEventRequest create;
  create.set_parent("organizations/acme");
  create.set_kaizen_event_id("Bad!");
  EXPECT_THAT(fields_of(&S::CreateKaizenEvent, create, &ev),
              ElementsAre("kaizen_event_id", "kaizen_event.title", "kaizen_event.site",
                          "kaizen_event.event_type"));
  pb::UpdateKaizenEventRequest update;
  *update.mutable_kaizen_event() = e;
  update.mutable_kaizen_event()->set_title("");
  update.mutable_update_mask()->add_paths("title");
  EXPECT_THAT(fields_of(&S::UpdateKaizenEvent, update, &ev), ElementsAre("kaizen_event.title"));
  pb::TransitionRequest t;
  t.set_name("organizations/acme/kaizenEvents/NOT VALID");
  for (auto method :
       {&S::CharterKaizenEvent, &S::StartKaizenEvent, &S::StartFollowUp, &S::CloseKaizenEvent}) {
    EXPECT_THAT(fields_of(method, t, &ev), ElementsAre("name"));
  }
  pb::CompleteKaizenEventRequest complete;
  complete.set_name(e.name());
  complete.mutable_completion_date()->set_year(2026);
  complete.mutable_completion_date()->set_month(2);
  complete.mutable_completion_date()->set_day(30);
  EXPECT_THAT(fields_of(&S::CompleteKaizenEvent, complete, &ev), ElementsAre("completion_date"));
  pb::CancelKaizenEventRequest cancel;
  cancel.set_name(e.name());
  EXPECT_THAT(fields_of(&S::CancelKaizenEvent, cancel, &ev), ElementsAre("reason"));
  pb::CompleteChecklistItemRequest tick;
  tick.set_name(e.name());
  tick.set_item_id("no-such-item");
  EXPECT_THAT(fields_of(&S::CompleteChecklistItem, tick, &ev), ElementsAre("item_id"));
  pb::ValidateSavingsRequest validate;
  validate.set_name(e.name());
  validate.set_note(std::string(2001, 'n'));
  EXPECT_THAT(fields_of(&S::ValidateSavings, validate, &ev), ElementsAre("note"));
  pb::ActionItem item;
  pb::CreateActionItemRequest add;
  add.set_parent(e.name());
  EXPECT_THAT(fields_of(&S::CreateActionItem, add, &item),
              ElementsAre("action_item.what", "action_item.owner", "action_item.due_date"));
  pb::UpdateActionItemRequest upd;
  upd.mutable_action_item()->set_name(e.name() + "/actionItems/a");
  upd.mutable_update_mask()->add_paths("event");
  EXPECT_THAT(fields_of(&S::UpdateActionItem, upd, &item), ElementsAre("update_mask.paths[0]"));
  pb::RecordAuditRequest record;
  record.set_name("organizations/acme/kaizenEvents/x/audits");
  pb::Audit audit;
  EXPECT_THAT(fields_of(&S::RecordAudit, record, &audit), ElementsAre("name"));
  pb::UpdateKaizenSettingsRequest settings;
  settings.mutable_kaizen_settings()->set_name("organizations/acme/kaizenSettings");
  settings.mutable_kaizen_settings()->set_backslide_threshold(-1);
  settings.mutable_update_mask()->add_paths("backslide_threshold");
  pb::KaizenSettings s;
  EXPECT_THAT(fields_of(&S::UpdateKaizenSettings, settings, &s),
              ElementsAre("kaizen_settings.backslide_threshold"));
  EXPECT_EQ(written(), before) << "no event was written";
}

TEST_F(KaizenStackTest, BadInputIsInvalidArgumentWithFieldsOverGrpc) {
  pb::CreateKaizenEventRequest r;
  r.set_parent("organizations/acme");
  r.mutable_kaizen_event()->set_site("organizations/acme/sites/nowhere");
  r.mutable_kaizen_event()->set_event_type(pb::FIVE_S);
  pb::KaizenEvent out;
  grpc::Status s = Call(&pb::KaizenEventsService::Stub::CreateKaizenEvent, r, &out);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("kaizen_event.title", "kaizen_event.site"));
  EXPECT_THAT(s.error_message(), HasSubstr("not in the directory"));
}

// People development credits the portfolio from this service's events: a completed
// event credits each team member's participation and the facilitator's facilitation in
// the people service, once, even when the event is delivered again.
TEST_F(KaizenStackTest, ACompletedEventCreditsItsTeamInThePeopleServiceOnce) {
  const pb::KaizenEvent e = ToFollowUp("credits-portfolio");
  auto development = dir::PeopleDevelopmentService::NewStub(
      grpc::CreateChannel(stack_->GrpcAddress("people"), grpc::InsecureChannelCredentials()));
  // Everyone's evidence from this event, as (person, kind).
  auto credited = [&] {
    std::multiset<std::pair<std::string, int>> out;
    dir::ListEvidenceRequest r;
    r.set_parent("organizations/acme/people/-");
    r.set_page_size(1000);
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    dir::ListEvidenceResponse resp;
    EXPECT_TRUE(development->ListEvidence(&ctx, r, &resp).ok());
    for (const auto& ev : resp.evidence()) {
      if (ev.source() != e.name()) continue;
      EXPECT_EQ(ev.state(), dir::EVIDENCE_STATE_COUNTED);
      EXPECT_FALSE(ev.source_event().empty()) << "traceable to the event that credited it";
      EXPECT_EQ(ev.date().day(), 31);
      out.emplace(ev.person(), ev.kind());
    }
    return out;
  };
  std::multiset<std::pair<std::string, int>> expected = {
      {P("kpo"), dir::EVIDENCE_KIND_KAIZEN_FACILITATION},
      {P("leader"), dir::EVIDENCE_KIND_KAIZEN_PARTICIPATION}};
  for (int i = 1; i <= 5; ++i) {
    expected.emplace(P("m" + std::to_string(i)), dir::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
  }
  ASSERT_TRUE(WaitFor([&] { return credited() == expected; })) << stack_->ServiceLog("people");

  const double duplicates =
      stack_->MetricValue("people", "kpo_consumer_records_total", "outcome=\"duplicate\"");
  auto ops = stack_->Ops("kaizen");
  // Republishing requeues what was sent: wait until the relay has marked every event
  // sent (its delivery reports may lag the consumer on a busy machine).
  ASSERT_TRUE(WaitFor([&] {
    grpc::ClientContext status_ctx;
    Authorize(status_ctx, admin_);
    kpo::ops::v1::ServiceStatus st;
    return ops->GetServiceStatus(&status_ctx, {}, &st).ok() && st.outbox_pending() == 0;
  }));
  grpc::ClientContext ctx;
  Authorize(ctx, admin_);
  kpo::ops::v1::RepublishOutboxRequest again;
  again.mutable_since()->set_seconds(0);
  kpo::ops::v1::RepublishOutboxResponse requeued;
  ASSERT_TRUE(ops->RepublishOutbox(&ctx, again, &requeued).ok());
  ASSERT_TRUE(WaitFor([&] {
    return stack_->MetricValue("people", "kpo_consumer_records_total", "outcome=\"duplicate\"") >
           duplicates;
  })) << "the people service saw the completion again; requeued "
      << requeued.events_requeued() << "\n"
      << stack_->Metrics("people") << "\n"
      << stack_->ServiceLog("people");
  EXPECT_EQ(credited(), expected);
}

}  // namespace
}  // namespace kpo::testing
