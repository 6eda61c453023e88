#include "kaizen_events.h"

#include "action_items.h"
#include "audits.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/replica/directory_replica.h"
#include "kpo/testing/harness.h"
#include "kpo/testing/test_database.h"
#include "replicate.h"
#include "settings.h"

namespace kpo::kaizen {
namespace {

namespace pb = kpo::kaizen::v1;
namespace dir = kpo::people::v1;
using kpo::auth::Principal;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : kpo::core::FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

kpo::common::v1::Date D(int y, int m, int d) {
  kpo::common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

constexpr char kOrg[] = "organizations/acme";

class KaizenEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = kpo::testing::OpenTestDatabase(dir_, "kaizen");
    for (auto [component, migrations] :
         {std::pair{"events", &kpo::events::Migrations()},
          std::pair{"replica", &kpo::replica::Migrations()}, std::pair{"kaizen", &Migrations()},
          std::pair{"idempotency", &kpo::idempotency::Migrations()}}) {
      ASSERT_TRUE(db_->Migrate(component, *migrations).ok());
    }
    commands_ = std::make_unique<kpo::command::Runner>(*db_, outbox_, clock_);
    auto core = NewCore(*commands_, tokens_);
    app_ = std::make_unique<KaizenEvents>(core);
    actions_ = std::make_unique<ActionItems>(core);
    audits_ = std::make_unique<Audits>(core);
    settings_ = std::make_unique<Settings>(core);
    // The directory as the people service would have published it.
    dir::Organization org;
    org.set_name(kOrg);
    org.set_state(dir::ACTIVE);
    auto* obj = org.add_strategic_objectives();
    obj->set_id("lead-time");
    Replicate<dir::OrganizationCreated>(org);
    for (const char* site : {"lyon", "pune"}) {
      dir::Site s;
      s.set_name(std::string(kOrg) + "/sites/" + site);
      s.set_time_zone(std::string(site) == "lyon" ? "Europe/Paris" : "Asia/Kolkata");
      s.set_state(dir::ACTIVE);
      Replicate<dir::SiteCreated>(s);
    }
    dir::Area area;
    area.set_name(std::string(kOrg) + "/sites/lyon/areas/press");
    area.set_state(dir::ACTIVE);
    Replicate<dir::AreaCreated>(area);
    Person("sponsor", dir::SENIOR_LEADER);
    Person("leader", dir::TEAM_LEADER);
    Person("kpo", dir::KPO_SPECIALIST);
    Person("manager", dir::MIDDLE_MANAGER);
    for (int i = 1; i <= 5; ++i) Person("m" + std::to_string(i), dir::TEAM_MEMBER);
    Person("gone", dir::TEAM_MEMBER, dir::INACTIVE);
  }

  template <class Event, class R>
  void Replicate(const R& resource, int64_t revision = 1) {
    kpo::testing::Replicate<Event>(*db_, clock_, kOrg, resource, revision);
  }

  void Person(const std::string& id, dir::Role role, dir::ResourceState state = dir::ACTIVE) {
    dir::Person p;
    p.set_name(P(id));
    p.add_roles(role);
    p.set_state(state);
    Replicate<dir::PersonCreated>(p);
  }

  static std::string P(const std::string& id) { return std::string(kOrg) + "/people/" + id; }

  pb::KaizenEvent Proposed(const std::string& id, const std::string& facilitator = "kpo") {
    pb::CreateKaizenEventRequest r;
    r.set_parent(kOrg);
    r.set_kaizen_event_id(id);
    auto* e = r.mutable_kaizen_event();
    e->set_title("Press 4 changeover");
    e->set_site(std::string(kOrg) + "/sites/lyon");
    e->set_area(std::string(kOrg) + "/sites/lyon/areas/press");
    e->set_event_type(pb::SETUP_REDUCTION);
    auto* c = e->mutable_charter();
    c->set_problem_statement("Changeover takes 90 minutes");
    c->set_purpose("Free capacity");
    c->set_customer("Assembly line 2");
    c->mutable_scope()->set_process_start("last good part");
    c->mutable_scope()->set_process_end("first good part");
    c->mutable_scope()->add_in_scope("press 4");
    c->set_strategic_objective("lead-time");
    c->add_goals("Changeover under 30 minutes");
    *c->mutable_planned_start_date() = D(2026, 3, 2);
    *c->mutable_planned_end_date() = D(2026, 3, 6);
    c->set_sponsor(P("sponsor"));
    c->set_team_leader(P("leader"));
    c->set_facilitator(P(facilitator));
    for (int i = 1; i <= 5; ++i) c->add_team_members(P("m" + std::to_string(i)));
    auto* m = e->add_metrics();
    m->set_id("changeover");
    m->set_name("Changeover time");
    m->set_unit("min");
    m->set_direction(pb::LOWER_IS_BETTER);
    m->set_baseline(90);
    m->set_target(30);
    auto* cost = e->mutable_money()->mutable_event_cost();
    cost->set_currency_code("EUR");
    cost->set_minor_units(1'200'000);
    auto created = app_->CreateKaizenEvent(kpo_, r);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : pb::KaizenEvent();
  }

  void TickPhase(const std::string& name, pb::Phase phase) {
    pb::GetKaizenEventRequest get;
    get.set_name(name);
    const pb::KaizenEvent event = *app_->GetKaizenEvent(kpo_, get);
    for (const auto& item : event.checklist()) {
      if (item.phase() != phase || !item.required()) continue;
      pb::CompleteChecklistItemRequest r;
      r.set_name(name);
      r.set_item_id(item.id());
      r.set_done(true);
      ASSERT_TRUE(app_->CompleteChecklistItem(kpo_, r).ok());
    }
  }

  pb::TransitionRequest T(const std::string& name) {
    pb::TransitionRequest r;
    r.set_name(name);
    return r;
  }

  // Runs an event to FOLLOW_UP with a result of 30 min (gain 60).
  pb::KaizenEvent InFollowUp(const std::string& id) {
    pb::KaizenEvent e = Proposed(id);
    TickPhase(e.name(), pb::PLANNING);
    EXPECT_TRUE(app_->CharterKaizenEvent(kpo_, T(e.name())).ok());
    TickPhase(e.name(), pb::PREPARATION);
    EXPECT_TRUE(app_->StartKaizenEvent(kpo_, T(e.name())).ok());
    pb::UpdateKaizenEventRequest u;
    *u.mutable_kaizen_event() = *app_->GetKaizenEvent(kpo_, Get(e.name()));
    u.mutable_kaizen_event()->mutable_metrics(0)->set_result(30);
    u.mutable_update_mask()->add_paths("metrics");
    EXPECT_TRUE(app_->UpdateKaizenEvent(kpo_, u).ok());
    TickPhase(e.name(), pb::EXECUTION);
    pb::CompleteKaizenEventRequest c;
    c.set_name(e.name());
    *c.mutable_completion_date() = D(2024, 1, 31);
    EXPECT_TRUE(app_->CompleteKaizenEvent(kpo_, c).ok());
    TickPhase(e.name(), pb::HANDOVER);
    auto f = app_->StartFollowUp(kpo_, T(e.name()));
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : pb::KaizenEvent();
  }

  static pb::GetKaizenEventRequest Get(const std::string& name) {
    pb::GetKaizenEventRequest r;
    r.set_name(name);
    return r;
  }

  absl::StatusOr<pb::Audit> Audit(const std::string& event, int day, double measured) {
    pb::RecordAuditRequest r;
    r.set_name(event + "/audits/day-" + std::to_string(day));
    auto* m = r.add_measurements();
    m->set_metric_id("changeover");
    m->set_value(measured);
    return audits_->RecordAudit(kpo_, r);
  }

  std::vector<std::string> OutboxTypes() {
    std::vector<std::string> types;
    EXPECT_TRUE(db_->Read([&](kpo::storage::Transaction& tx) {
                     auto rows = tx.Query("SELECT event_type FROM outbox ORDER BY seq");
                     if (!rows.ok()) return rows.status();
                     for (const auto& r : *rows) types.push_back(r.Text(0));
                     return absl::OkStatus();
                   })
                    .ok());
    return types;
  }

  int64_t OutboxCount() { return static_cast<int64_t>(OutboxTypes().size()); }

  kpo::testing::TempDir dir_;
  std::unique_ptr<kpo::storage::Database> db_;
  kpo::core::FakeClock clock_{absl::FromUnixSeconds(1'772'000'000)};  // 2026-02-25
  kpo::events::Outbox outbox_{{"//kpo.platform/kaizen", "kpo.kaizen.v1"}, clock_};
  kpo::core::PageTokenCodec tokens_ = kpo::core::PageTokenCodec::Random();
  std::unique_ptr<kpo::command::Runner> commands_;
  std::unique_ptr<KaizenEvents> app_;
  std::unique_ptr<ActionItems> actions_;
  std::unique_ptr<Audits> audits_;
  std::unique_ptr<Settings> settings_;
  Principal kpo_{"kpo", "acme", {kpo::auth::kKpoSpecialist}};
  Principal finance_{"sponsor", "acme", {kpo::auth::kFinance}};
  Principal intruder_{"x", "globex", {kpo::auth::kOrgAdmin}};
};

TEST_F(KaizenEventsTest, FullLifecycleToSustainedPublishesEveryStep) {
  pb::KaizenEvent e = Proposed("press-4");
  EXPECT_EQ(e.state(), pb::PROPOSED);
  EXPECT_EQ(e.checklist_size(), 11) << "default standard work copied in";
  EXPECT_TRUE(e.warnings().empty()) << "leader + 5 members";
  pb::KaizenEvent f = InFollowUp("press-4b");
  EXPECT_EQ(f.facilitator_kind(), pb::KPO);
  EXPECT_EQ(f.completion_date().year(), 2024);

  pb::ListAuditsRequest audits;
  audits.set_parent(f.name());
  auto listed = audits_->ListAudits(kpo_, audits);
  ASSERT_TRUE(listed.ok());
  std::vector<std::string> due;
  for (const auto& a : listed->audits()) {
    due.push_back(
        absl::StrCat(a.due_date().year(), "-", a.due_date().month(), "-", a.due_date().day()));
  }
  EXPECT_THAT(due, ElementsAre("2024-3-1", "2024-3-31", "2024-4-30"));

  ASSERT_TRUE(Audit(f.name(), 30, 30).ok());
  ASSERT_TRUE(Audit(f.name(), 60, 35).ok());
  auto last = Audit(f.name(), 90, 40);  // (90-40)/60 = 83% kept
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->state(), pb::PASSED);
  EXPECT_NEAR(last->measurements(0).gain_kept(), 50.0 / 60.0, 1e-9);
  EXPECT_EQ(app_->GetKaizenEvent(kpo_, Get(f.name()))->state(), pb::SUSTAINED);
  ASSERT_TRUE(app_->CloseKaizenEvent(kpo_, T(f.name())).ok());

  std::vector<std::string> lifecycle;
  for (const auto& t : OutboxTypes()) {
    if (t != "kpo.kaizen.v1.KaizenEventUpdated") lifecycle.push_back(t);
  }
  EXPECT_THAT(std::vector<std::string>(lifecycle.begin() + 1, lifecycle.end()),
              ElementsAre("kpo.kaizen.v1.KaizenEventProposed", "kpo.kaizen.v1.KaizenEventChartered",
                          "kpo.kaizen.v1.KaizenEventStarted", "kpo.kaizen.v1.KaizenEventCompleted",
                          "kpo.kaizen.v1.KaizenEventFollowUpStarted", "kpo.kaizen.v1.AuditRecorded",
                          "kpo.kaizen.v1.AuditRecorded", "kpo.kaizen.v1.AuditRecorded",
                          "kpo.kaizen.v1.KaizenEventSustained", "kpo.kaizen.v1.KaizenEventClosed"));
}

TEST_F(KaizenEventsTest, BackslideIsDetectedNamedAndReopenedByANewEvent) {
  pb::KaizenEvent f = InFollowUp("press-5");
  auto audit = Audit(f.name(), 30, 65);  // (90-65)/60 = 42% kept < 50%
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_EQ(audit->state(), pb::FAILED);
  EXPECT_TRUE(audit->measurements(0).backslid());
  EXPECT_EQ(app_->GetKaizenEvent(kpo_, Get(f.name()))->state(), pb::BACKSLID);
  EXPECT_THAT(OutboxTypes().back(), "kpo.kaizen.v1.KaizenEventBackslid");
  // The later audits are skipped; recording one is refused.
  EXPECT_EQ(Audit(f.name(), 60, 30).status().code(), absl::StatusCode::kFailedPrecondition);

  // Redo: a new event links to the backslid one, and the old one links back.
  pb::CreateKaizenEventRequest redo;
  redo.set_parent(kOrg);
  redo.set_kaizen_event_id("press-5-redo");
  redo.mutable_kaizen_event()->set_title("Press 4 changeover, second round");
  redo.mutable_kaizen_event()->set_site(std::string(kOrg) + "/sites/lyon");
  redo.mutable_kaizen_event()->set_event_type(pb::SETUP_REDUCTION);
  redo.mutable_kaizen_event()->set_reopens(f.name());
  auto created = app_->CreateKaizenEvent(kpo_, redo);
  ASSERT_TRUE(created.ok()) << created.status();
  const pb::KaizenEvent reopened = *app_->GetKaizenEvent(kpo_, Get(f.name()));
  EXPECT_THAT(reopened.reopened_by(), ElementsAre(created->name()));
  // Only events that backslid can be reopened.
  pb::KaizenEvent other = Proposed("other");
  redo.set_kaizen_event_id("bad-redo");
  redo.mutable_kaizen_event()->set_reopens(other.name());
  EXPECT_THAT(Fields(app_->CreateKaizenEvent(kpo_, redo).status()),
              ElementsAre("kaizen_event.reopens"));
}

TEST_F(KaizenEventsTest, RefusedTransitionsNameStatesAndReasons) {
  pb::KaizenEvent e = Proposed("refused");
  auto start = app_->StartKaizenEvent(kpo_, T(e.name()));
  EXPECT_EQ(start.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(kpo::core::ErrorReason(start.status()), "INVALID_TRANSITION");
  EXPECT_EQ(kpo::core::ErrorMetadata(start.status())["current_state"], "PROPOSED");
  EXPECT_EQ(kpo::core::ErrorMetadata(start.status())["requested_state"], "IN_PROGRESS");

  auto charter = app_->CharterKaizenEvent(kpo_, T(e.name()));
  EXPECT_EQ(kpo::core::ErrorReason(charter.status()), "CHECKLIST_INCOMPLETE");
  TickPhase(e.name(), pb::PLANNING);
  ASSERT_TRUE(app_->CharterKaizenEvent(kpo_, T(e.name())).ok());
  TickPhase(e.name(), pb::PREPARATION);
  ASSERT_TRUE(app_->StartKaizenEvent(kpo_, T(e.name())).ok());
  TickPhase(e.name(), pb::EXECUTION);
  auto complete = app_->CompleteKaizenEvent(kpo_, [&] {
    pb::CompleteKaizenEventRequest r;
    r.set_name(e.name());
    return r;
  }());
  EXPECT_EQ(kpo::core::ErrorReason(complete.status()), "RESULTS_MISSING");
  pb::CancelKaizenEventRequest cancel;
  cancel.set_name(e.name());
  cancel.set_reason("no longer needed");
  auto cancelled = app_->CancelKaizenEvent(kpo_, cancel);
  EXPECT_EQ(kpo::core::ErrorReason(cancelled.status()), "INVALID_TRANSITION");
  EXPECT_THAT(cancelled.status().message(), HasSubstr("IN_PROGRESS"));
}

TEST_F(KaizenEventsTest, CharterChecksTheDirectoryAndTheObjective) {
  pb::KaizenEvent e = Proposed("people-check", "manager");
  pb::UpdateKaizenEventRequest u;
  *u.mutable_kaizen_event() = e;
  u.mutable_kaizen_event()->mutable_charter()->add_team_members(P("gone"));
  u.mutable_kaizen_event()->mutable_charter()->add_team_members(P("ghost"));
  u.mutable_update_mask()->add_paths("charter.team_members");
  auto refused = app_->UpdateKaizenEvent(kpo_, u);
  EXPECT_THAT(Fields(refused.status()), ElementsAre("kaizen_event.charter.team_members[5]",
                                                    "kaizen_event.charter.team_members[6]"));
  EXPECT_THAT(refused.status().message(), HasSubstr("inactive"));

  u = {};
  *u.mutable_kaizen_event() = e;
  u.mutable_kaizen_event()->mutable_charter()->set_strategic_objective("world-peace");
  u.mutable_update_mask()->add_paths("charter.strategic_objective");
  ASSERT_TRUE(app_->UpdateKaizenEvent(kpo_, u).ok()) << "a proposal may still be unfinished";
  TickPhase(e.name(), pb::PLANNING);
  auto charter = app_->CharterKaizenEvent(kpo_, T(e.name()));
  EXPECT_EQ(kpo::core::ErrorReason(charter.status()), "CHARTER_INCOMPLETE");
  EXPECT_THAT(charter.status().message(), HasSubstr("world-peace"));
  EXPECT_THAT(charter.status().message(), Not(HasSubstr("invalid request")))
      << "a precondition, not a bad argument";

  u.mutable_kaizen_event()->mutable_charter()->set_strategic_objective("lead-time");
  u.mutable_kaizen_event()->clear_etag();
  ASSERT_TRUE(app_->UpdateKaizenEvent(kpo_, u).ok());
  auto chartered = app_->CharterKaizenEvent(kpo_, T(e.name()));
  ASSERT_TRUE(chartered.ok()) << chartered.status();
  EXPECT_EQ(chartered->facilitator_kind(), pb::LINE) << "a middle manager facilitated";
}

TEST_F(KaizenEventsTest, BadInputIsRefusedNamingFieldsAndWritesNothing) {
  pb::KaizenEvent e = Proposed("bad-input");
  const int64_t before = OutboxCount();
  pb::CreateKaizenEventRequest create;
  create.set_parent(kOrg);
  create.set_kaizen_event_id("Bad Id");
  create.mutable_kaizen_event()->set_site("lyon");
  auto* m = create.mutable_kaizen_event()->add_metrics();
  m->set_id("x");
  m->set_direction(pb::HIGHER_IS_BETTER);
  m->set_baseline(10);
  m->set_target(5);
  EXPECT_THAT(Fields(app_->CreateKaizenEvent(kpo_, create).status()),
              ElementsAre("kaizen_event_id", "kaizen_event.title", "kaizen_event.site",
                          "kaizen_event.event_type", "kaizen_event.metrics[0].name",
                          "kaizen_event.metrics[0].target"));
  pb::UpdateKaizenEventRequest u;
  *u.mutable_kaizen_event() = e;
  u.mutable_kaizen_event()->mutable_money()->mutable_event_cost()->set_currency_code("euro");
  u.mutable_update_mask()->add_paths("money.event_cost");
  u.mutable_update_mask()->add_paths("state");
  EXPECT_THAT(Fields(app_->UpdateKaizenEvent(kpo_, u).status()),
              ElementsAre("update_mask.paths[1]"));
  u.mutable_update_mask()->mutable_paths()->RemoveLast();
  EXPECT_THAT(Fields(app_->UpdateKaizenEvent(kpo_, u).status()),
              ElementsAre("kaizen_event.money.event_cost.currency_code"));
  pb::CancelKaizenEventRequest cancel;
  cancel.set_name(e.name());
  EXPECT_THAT(Fields(app_->CancelKaizenEvent(kpo_, cancel).status()), ElementsAre("reason"));
  pb::CompleteChecklistItemRequest tick;
  tick.set_name(e.name());
  tick.set_item_id("nope");
  tick.set_done(true);
  EXPECT_THAT(Fields(app_->CompleteChecklistItem(kpo_, tick).status()), ElementsAre("item_id"));
  pb::CreateActionItemRequest action;
  action.set_parent(e.name());
  action.mutable_action_item()->set_owner("bob");
  EXPECT_THAT(Fields(actions_->CreateActionItem(kpo_, action).status()),
              ElementsAre("action_item.what", "action_item.owner", "action_item.due_date"));
  pb::UpdateKaizenSettingsRequest settings;
  settings.mutable_kaizen_settings()->set_name(std::string(kOrg) + "/kaizenSettings");
  settings.mutable_kaizen_settings()->add_audit_offset_days(60);
  settings.mutable_kaizen_settings()->add_audit_offset_days(30);
  settings.mutable_kaizen_settings()->set_backslide_threshold(2);
  settings.mutable_update_mask()->add_paths("audit_offset_days");
  settings.mutable_update_mask()->add_paths("backslide_threshold");
  EXPECT_THAT(
      Fields(settings_->UpdateKaizenSettings(kpo_, settings).status()),
      ElementsAre("kaizen_settings.audit_offset_days[1]", "kaizen_settings.backslide_threshold"));
  EXPECT_EQ(OutboxCount(), before);
  EXPECT_EQ(app_->GetKaizenEvent(kpo_, Get(e.name()))->etag(), e.etag());
}

TEST_F(KaizenEventsTest, BadInputOnTheOtherMutationsWritesNothing) {
  pb::KaizenEvent f = InFollowUp("bad-input-2");
  pb::CreateActionItemRequest add;
  add.set_parent(f.name());
  add.set_action_item_id("one");
  add.mutable_action_item()->set_what("Label the racks");
  add.mutable_action_item()->set_owner(P("m1"));
  *add.mutable_action_item()->mutable_due_date() = D(2026, 3, 1);
  auto item = actions_->CreateActionItem(kpo_, add);
  ASSERT_TRUE(item.ok()) << item.status();
  const int64_t before = OutboxCount();

  pb::TransitionRequest t;
  t.set_name("organizations/acme/kaizenEvents/Bad Name");
  EXPECT_THAT(Fields(app_->CloseKaizenEvent(kpo_, t).status()), ElementsAre("name"));
  t.set_name(f.name());
  t.set_request_id(std::string(65, 'r'));
  EXPECT_THAT(Fields(app_->CloseKaizenEvent(kpo_, t).status()), ElementsAre("request_id"));
  pb::CompleteKaizenEventRequest complete;
  complete.set_name(f.name());
  *complete.mutable_completion_date() = D(2026, 2, 30);
  EXPECT_THAT(Fields(app_->CompleteKaizenEvent(kpo_, complete).status()),
              ElementsAre("completion_date"));
  pb::UpdateActionItemRequest upd;
  *upd.mutable_action_item() = *item;
  upd.mutable_action_item()->set_owner("not a person");
  *upd.mutable_action_item()->mutable_due_date() = D(2026, 13, 1);
  upd.mutable_update_mask()->add_paths("owner");
  upd.mutable_update_mask()->add_paths("due_date");
  EXPECT_THAT(Fields(actions_->UpdateActionItem(kpo_, upd).status()),
              ElementsAre("action_item.owner", "action_item.due_date"));
  upd.mutable_update_mask()->add_paths("site");
  EXPECT_THAT(Fields(actions_->UpdateActionItem(kpo_, upd).status()),
              ElementsAre("update_mask.paths[2]"));
  pb::RecordAuditRequest audit;
  audit.set_name(f.name() + "/audits/day-30");
  audit.add_measurements()->set_metric_id("scrap");
  EXPECT_THAT(Fields(audits_->RecordAudit(kpo_, audit).status()),
              ElementsAre("measurements[0].metric_id", "measurements"));
  pb::ValidateSavingsRequest validate;
  validate.set_name(f.name());
  validate.set_note(std::string(2001, 'n'));
  EXPECT_THAT(Fields(app_->ValidateSavings(finance_, validate).status()), ElementsAre("note"));
  EXPECT_EQ(OutboxCount(), before);
  pb::ListAuditsRequest audits;
  audits.set_parent(f.name());
  audits.set_state(pb::SCHEDULED);
  EXPECT_EQ(audits_->ListAudits(kpo_, audits)->audits_size(), 3) << "nothing recorded";
}

TEST_F(KaizenEventsTest, StaleEtagIsAbortedAndRetriesAreIdempotent) {
  pb::KaizenEvent e = Proposed("etag");
  pb::UpdateKaizenEventRequest u;
  *u.mutable_kaizen_event() = e;
  u.mutable_kaizen_event()->set_title("First writer");
  u.mutable_update_mask()->add_paths("title");
  ASSERT_TRUE(app_->UpdateKaizenEvent(kpo_, u).ok());
  u.mutable_kaizen_event()->set_title("Second writer with a stale etag");
  EXPECT_EQ(app_->UpdateKaizenEvent(kpo_, u).status().code(), absl::StatusCode::kAborted);

  pb::CreateKaizenEventRequest create;
  create.set_parent(kOrg);
  create.set_request_id("retry-1");
  create.mutable_kaizen_event()->set_title("Retried");
  create.mutable_kaizen_event()->set_site(std::string(kOrg) + "/sites/pune");
  create.mutable_kaizen_event()->set_event_type(pb::FIVE_S);
  auto a = app_->CreateKaizenEvent(kpo_, create);
  auto b = app_->CreateKaizenEvent(kpo_, create);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->name(), b->name());
  pb::ListKaizenEventsRequest list;
  list.set_parent(kOrg);
  list.set_site(std::string(kOrg) + "/sites/pune");
  EXPECT_EQ(app_->ListKaizenEvents(kpo_, list)->kaizen_events_size(), 1);
}

TEST_F(KaizenEventsTest, AnotherOrganizationCannotReachAnyMethod) {
  pb::KaizenEvent e = Proposed("private");
  const int64_t before = OutboxCount();
  auto denied = [](const absl::Status& s) {
    return s.code() == absl::StatusCode::kPermissionDenied;
  };
  EXPECT_TRUE(denied(app_->GetKaizenEvent(intruder_, Get(e.name())).status()));
  pb::ListKaizenEventsRequest list;
  list.set_parent(kOrg);
  EXPECT_TRUE(denied(app_->ListKaizenEvents(intruder_, list).status()));
  pb::UpdateKaizenEventRequest u;
  *u.mutable_kaizen_event() = e;
  EXPECT_TRUE(denied(app_->UpdateKaizenEvent(intruder_, u).status()));
  EXPECT_TRUE(denied(app_->CharterKaizenEvent(intruder_, T(e.name())).status()));
  EXPECT_TRUE(denied(app_->StartKaizenEvent(intruder_, T(e.name())).status()));
  EXPECT_TRUE(denied(app_->StartFollowUp(intruder_, T(e.name())).status()));
  EXPECT_TRUE(denied(app_->CloseKaizenEvent(intruder_, T(e.name())).status()));
  pb::CompleteKaizenEventRequest complete;
  complete.set_name(e.name());
  EXPECT_TRUE(denied(app_->CompleteKaizenEvent(intruder_, complete).status()));
  pb::CancelKaizenEventRequest cancel;
  cancel.set_name(e.name());
  cancel.set_reason("x");
  EXPECT_TRUE(denied(app_->CancelKaizenEvent(intruder_, cancel).status()));
  pb::CompleteChecklistItemRequest tick;
  tick.set_name(e.name());
  tick.set_item_id("select");
  EXPECT_TRUE(denied(app_->CompleteChecklistItem(intruder_, tick).status()));
  pb::ValidateSavingsRequest validate;
  validate.set_name(e.name());
  EXPECT_TRUE(denied(app_->ValidateSavings(intruder_, validate).status()));
  pb::CreateActionItemRequest action;
  action.set_parent(e.name());
  EXPECT_TRUE(denied(actions_->CreateActionItem(intruder_, action).status()));
  pb::UpdateActionItemRequest update_action;
  update_action.mutable_action_item()->set_name(e.name() + "/actionItems/a");
  EXPECT_TRUE(denied(actions_->UpdateActionItem(intruder_, update_action).status()));
  pb::ListActionItemsRequest actions;
  actions.set_parent(std::string(kOrg) + "/kaizenEvents/-");
  EXPECT_TRUE(denied(actions_->ListActionItems(intruder_, actions).status()));
  pb::ListAuditsRequest audits;
  audits.set_parent(std::string(kOrg) + "/kaizenEvents/-");
  EXPECT_TRUE(denied(audits_->ListAudits(intruder_, audits).status()));
  pb::RecordAuditRequest record;
  record.set_name(e.name() + "/audits/day-30");
  EXPECT_TRUE(denied(audits_->RecordAudit(intruder_, record).status()));
  pb::GetKaizenSettingsRequest get_settings;
  get_settings.set_name(std::string(kOrg) + "/kaizenSettings");
  EXPECT_TRUE(denied(settings_->GetKaizenSettings(intruder_, get_settings).status()));
  pb::UpdateKaizenSettingsRequest settings;
  settings.mutable_kaizen_settings()->set_name(std::string(kOrg) + "/kaizenSettings");
  EXPECT_TRUE(denied(settings_->UpdateKaizenSettings(intruder_, settings).status()));
  pb::CreateKaizenEventRequest create;
  create.set_parent(kOrg);
  EXPECT_TRUE(denied(app_->CreateKaizenEvent(intruder_, create).status()));
  EXPECT_EQ(OutboxCount(), before);
}

TEST_F(KaizenEventsTest, NewspaperListsOverdueItemsPerSiteAndPerson) {
  pb::KaizenEvent lyon = Proposed("lyon-event");
  auto add = [&](const std::string& parent, const std::string& id, const std::string& owner,
                 kpo::common::v1::Date due) {
    pb::CreateActionItemRequest r;
    r.set_parent(parent);
    r.set_action_item_id(id);
    r.mutable_action_item()->set_what("Fix " + id);
    r.mutable_action_item()->set_owner(P(owner));
    *r.mutable_action_item()->mutable_due_date() = due;
    auto item = actions_->CreateActionItem(kpo_, r);
    EXPECT_TRUE(item.ok()) << item.status();
    return item.ok() ? *item : pb::ActionItem();
  };
  add(lyon.name(), "late", "m1", D(2026, 2, 1));
  auto done = add(lyon.name(), "late-but-done", "m2", D(2026, 2, 1));
  add(lyon.name(), "future", "m1", D(2026, 4, 1));
  pb::UpdateActionItemRequest u;
  *u.mutable_action_item() = done;
  u.mutable_action_item()->set_status(pb::DONE);
  u.mutable_update_mask()->add_paths("status");
  ASSERT_TRUE(actions_->UpdateActionItem(kpo_, u).ok());

  pb::ListActionItemsRequest overdue;
  overdue.set_parent(std::string(kOrg) + "/kaizenEvents/-");
  overdue.set_overdue_only(true);
  overdue.set_site(std::string(kOrg) + "/sites/lyon");
  auto items = actions_->ListActionItems(kpo_, overdue);  // today is 2026-02-25
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->action_items_size(), 1);
  EXPECT_THAT(items->action_items(0).name(), HasSubstr("/actionItems/late"));
  overdue.clear_site();
  overdue.set_owner(P("m2"));
  EXPECT_EQ(actions_->ListActionItems(kpo_, overdue)->action_items_size(), 0);
}

TEST_F(KaizenEventsTest, AuditsDueSoonAcrossSites) {
  InFollowUp("due-a");  // completed 2024-01-31: audits 2024-03-01, 03-31, 04-30
  pb::ListAuditsRequest r;
  r.set_parent(std::string(kOrg) + "/kaizenEvents/-");
  *r.mutable_as_of() = D(2024, 2, 20);
  r.set_due_within_days(30);
  auto due = audits_->ListAudits(kpo_, r);
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->audits_size(), 1);
  EXPECT_EQ(due->audits(0).offset_days(), 30);
  r.set_due_within_days(60);
  EXPECT_EQ(audits_->ListAudits(kpo_, r)->audits_size(), 2);
}

TEST_F(KaizenEventsTest, SavingsCountOnlyAfterFinanceValidation) {
  pb::KaizenEvent e = Proposed("money");
  pb::ValidateSavingsRequest validate;
  validate.set_name(e.name());
  EXPECT_EQ(kpo::core::ErrorReason(app_->ValidateSavings(finance_, validate).status()),
            "EVENT_NOT_COMPLETED");
  pb::KaizenEvent f = InFollowUp("money-2");
  validate.set_name(f.name());
  EXPECT_EQ(kpo::core::ErrorReason(app_->ValidateSavings(finance_, validate).status()),
            "NO_REALIZED_SAVINGS");
  pb::UpdateKaizenEventRequest u;
  *u.mutable_kaizen_event() = f;
  auto* s = u.mutable_kaizen_event()->mutable_money()->add_realized_savings();
  s->mutable_amount()->set_currency_code("EUR");
  s->mutable_amount()->set_minor_units(4'800'000);
  s->set_recurrence(pb::ANNUAL);
  s->set_kind(pb::HARD);
  u.mutable_update_mask()->add_paths("money.realized_savings");
  auto recorded = app_->UpdateKaizenEvent(kpo_, u);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  auto validated = app_->ValidateSavings(finance_, validate);
  ASSERT_TRUE(validated.ok()) << validated.status();
  EXPECT_TRUE(validated->money().validation().validated());
  EXPECT_EQ(validated->money().validation().validated_by(), P("sponsor"));
  EXPECT_EQ(OutboxTypes().back(), "kpo.kaizen.v1.SavingsValidated");
  u.mutable_kaizen_event()->clear_etag();
  EXPECT_EQ(kpo::core::ErrorReason(app_->UpdateKaizenEvent(kpo_, u).status()),
            "SAVINGS_ALREADY_VALIDATED");
}

TEST_F(KaizenEventsTest, TemplateChangesReachOnlyEventsNotPastThePhase) {
  pb::KaizenEvent proposed = Proposed("early");
  pb::KaizenEvent chartered = Proposed("later");
  TickPhase(chartered.name(), pb::PLANNING);
  ASSERT_TRUE(app_->CharterKaizenEvent(kpo_, T(chartered.name())).ok());
  pb::GetKaizenSettingsRequest get;
  get.set_name(std::string(kOrg) + "/kaizenSettings");
  pb::KaizenSettings settings = *settings_->GetKaizenSettings(kpo_, get);
  pb::UpdateKaizenSettingsRequest u;
  *u.mutable_kaizen_settings() = settings;
  auto* safety = u.mutable_kaizen_settings()->add_checklist_template();
  safety->set_id("safety-review");
  safety->set_phase(pb::PLANNING);
  safety->set_text("Safety review of the target area");
  safety->set_required(true);
  u.mutable_update_mask()->add_paths("checklist_template");
  ASSERT_TRUE(settings_->UpdateKaizenSettings(kpo_, u).ok());
  auto has_safety = [&](const std::string& name) {
    const pb::KaizenEvent event = *app_->GetKaizenEvent(kpo_, Get(name));
    for (const auto& item : event.checklist()) {
      if (item.id() == "safety-review") return true;
    }
    return false;
  };
  EXPECT_TRUE(has_safety(proposed.name())) << "still planning: gets the new item";
  EXPECT_FALSE(has_safety(chartered.name())) << "planning is over: held to what it had";
  EXPECT_EQ(kpo::core::ErrorReason(app_->CharterKaizenEvent(kpo_, T(proposed.name())).status()),
            "CHECKLIST_INCOMPLETE");
}

TEST_F(KaizenEventsTest, NamesAreCheckedForShapeBeforeTenancy) {
  pb::GetKaizenEventRequest get;
  get.set_name("kaizenEvents/x");
  EXPECT_EQ(app_->GetKaizenEvent(kpo_, get).status().code(), absl::StatusCode::kInvalidArgument);
  get.set_name("organizations/globex/kaizenEvents/x");
  EXPECT_EQ(app_->GetKaizenEvent(kpo_, get).status().code(), absl::StatusCode::kPermissionDenied);
  pb::ListActionItemsRequest items;
  items.set_parent("organizations/globex/kaizenEvents/-");
  EXPECT_EQ(actions_->ListActionItems(kpo_, items).status().code(),
            absl::StatusCode::kPermissionDenied);
  items.set_parent("kaizenEvents/-");
  EXPECT_EQ(actions_->ListActionItems(kpo_, items).status().code(),
            absl::StatusCode::kInvalidArgument);
  pb::GetKaizenSettingsRequest settings;
  settings.set_name("kaizenSettings");
  EXPECT_EQ(settings_->GetKaizenSettings(kpo_, settings).status().code(),
            absl::StatusCode::kInvalidArgument);
  settings.set_name("organizations/globex/kaizenSettings");
  EXPECT_EQ(settings_->GetKaizenSettings(kpo_, settings).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::RecordAuditRequest audit;
  audit.set_name("organizations/acme/kaizenEvents/e/audit/day-30");
  EXPECT_EQ(audits_->RecordAudit(kpo_, audit).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(KaizenEventsTest, OutOfRangeEnumsAndReusedRequestIds) {
  pb::ListKaizenEventsRequest list;
  list.set_parent(kOrg);
  list.set_state(static_cast<pb::EventState>(77));
  auto bad = app_->ListKaizenEvents(kpo_, list);
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(kpo::core::FieldViolationsOf(bad.status()).at(0).description,
              HasSubstr("77 is not one of the allowed values"));

  pb::KaizenEvent e = Proposed("reuse");
  pb::CancelKaizenEventRequest cancel;
  cancel.set_name(e.name());
  cancel.set_reason("the line moved");
  cancel.set_request_id("cancel-1");
  ASSERT_TRUE(app_->CancelKaizenEvent(kpo_, cancel).ok());
  auto again = app_->CancelKaizenEvent(kpo_, cancel);
  ASSERT_TRUE(again.ok()) << "a retry gets the first answer: " << again.status();
  EXPECT_EQ(again->state(), pb::CANCELLED);
  cancel.set_reason("another reason");
  auto reused = app_->CancelKaizenEvent(kpo_, cancel);
  EXPECT_EQ(kpo::core::ErrorReason(reused.status()), "REQUEST_ID_REUSED");
}

}  // namespace
}  // namespace kpo::kaizen
