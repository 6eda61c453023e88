// Table tests of the kaizen field rules (domain/rules.h): what a client may set, what
// may change in which state, the checklist template and how it reaches an event.
#include "domain/rules.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpo::kaizen::domain {
namespace {

namespace pb = kpo::kaizen::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Fields(const kpo::core::FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& f : v.violations()) out.push_back(f.field);
  return out;
}

pb::KaizenEvent Valid() {
  pb::KaizenEvent e;
  e.set_title("Press 4 changeover");
  e.set_site("organizations/acme/sites/lyon");
  e.set_area("organizations/acme/sites/lyon/areas/machining");
  e.set_event_type(pb::SETUP_REDUCTION);
  auto* m = e.add_metrics();
  m->set_id("changeover");
  m->set_name("Changeover time");
  m->set_direction(pb::LOWER_IS_BETTER);
  m->set_baseline(95);
  m->set_target(30);
  return e;
}

TEST(EventRulesTest, EachBrokenRuleNamesItsField) {
  struct Case {
    const char* what;
    void (*mutate)(pb::KaizenEvent&);
    std::vector<std::string> fields;
  };
  const std::vector<Case> cases = {
      {"valid", [](pb::KaizenEvent&) {}, {}},
      {"no title", [](pb::KaizenEvent& e) { e.clear_title(); }, {"kaizen_event.title"}},
      {"long title",
       [](pb::KaizenEvent& e) { e.set_title(std::string(201, 'x')); },
       {"kaizen_event.title"}},
      {"site of another shape",
       [](pb::KaizenEvent& e) { e.set_site("sites/lyon"); },
       {"kaizen_event.site"}},
      {"area of another site",
       [](pb::KaizenEvent& e) { e.set_area("organizations/acme/sites/pune/areas/a"); },
       {"kaizen_event.area"}},
      {"type unset", [](pb::KaizenEvent& e) { e.clear_event_type(); }, {"kaizen_event.event_type"}},
      {"type out of range",
       [](pb::KaizenEvent& e) { e.set_event_type(static_cast<pb::EventType>(99)); },
       {"kaizen_event.event_type"}},
      {"sponsor not a person",
       [](pb::KaizenEvent& e) { e.mutable_charter()->set_sponsor("organizations/acme/x/y"); },
       {"kaizen_event.charter.sponsor"}},
      {"member twice",
       [](pb::KaizenEvent& e) {
         e.mutable_charter()->add_team_members("organizations/acme/people/a");
         e.mutable_charter()->add_team_members("organizations/acme/people/a");
       },
       {"kaizen_event.charter.team_members[1]"}},
      {"end before start",
       [](pb::KaizenEvent& e) {
         auto* c = e.mutable_charter();
         c->mutable_planned_start_date()->set_year(2026);
         c->mutable_planned_start_date()->set_month(3);
         c->mutable_planned_start_date()->set_day(6);
         c->mutable_planned_end_date()->set_year(2026);
         c->mutable_planned_end_date()->set_month(3);
         c->mutable_planned_end_date()->set_day(2);
       },
       {"kaizen_event.charter.planned_end_date"}},
      {"impossible date",
       [](pb::KaizenEvent& e) {
         auto* d = e.mutable_charter()->mutable_planned_start_date();
         d->set_year(2026);
         d->set_month(2);
         d->set_day(29);
       },
       {"kaizen_event.charter.planned_start_date"}},
      {"target not better than baseline",
       [](pb::KaizenEvent& e) { e.mutable_metrics(0)->set_target(120); },
       {"kaizen_event.metrics[0].target"}},
      {"metric id reused",
       [](pb::KaizenEvent& e) { *e.add_metrics() = e.metrics(0); },
       {"kaizen_event.metrics[1].id"}},
      {"not a finite baseline",
       [](pb::KaizenEvent& e) { e.mutable_metrics(0)->set_baseline(std::nan("")); },
       {"kaizen_event.metrics[0].baseline", "kaizen_event.metrics[0].target"}},
      {"direction unset",
       [](pb::KaizenEvent& e) { e.mutable_metrics(0)->clear_direction(); },
       {"kaizen_event.metrics[0].direction"}},
  };
  for (const Case& c : cases) {
    pb::KaizenEvent e = Valid();
    c.mutate(e);
    kpo::core::FieldViolations v;
    ValidateEvent(e, v);
    EXPECT_EQ(Fields(v), c.fields) << c.what;
  }
}

TEST(EventRulesTest, WhatMayChangeInEachState) {
  EXPECT_TRUE(UpdatablePaths(pb::PROPOSED).contains("charter"));
  EXPECT_TRUE(UpdatablePaths(pb::CHARTERED).contains("metrics"));
  EXPECT_FALSE(UpdatablePaths(pb::IN_PROGRESS).contains("charter")) << "fixed once started";
  EXPECT_TRUE(UpdatablePaths(pb::IN_PROGRESS).contains("money.realized_savings"));
  EXPECT_FALSE(UpdatablePaths(pb::PROPOSED).contains("money.realized_savings"))
      << "nothing is realized before the event ran";
  for (auto state : {pb::COMPLETED, pb::FOLLOW_UP, pb::SUSTAINED, pb::BACKSLID}) {
    EXPECT_THAT(UpdatablePaths(state),
                ::testing::UnorderedElementsAre("money.event_cost", "money.realized_savings"))
        << pb::EventState_Name(state);
  }
  EXPECT_THAT(UpdatablePaths(pb::CLOSED), IsEmpty());
  EXPECT_THAT(UpdatablePaths(pb::CANCELLED), IsEmpty());
}

TEST(ActionItemRulesTest, OwnerDueDateAndStatus) {
  pb::ActionItem item;
  item.set_what("Shadow board");
  item.set_owner("organizations/acme/people/tm-5");
  item.mutable_due_date()->set_year(2026);
  item.mutable_due_date()->set_month(3);
  item.mutable_due_date()->set_day(20);
  kpo::core::FieldViolations ok;
  ValidateActionItem(item, ok);
  EXPECT_TRUE(ok.empty());
  item.clear_what();
  item.set_owner("tm-5");
  item.clear_due_date();
  item.set_status(static_cast<pb::ActionItemStatus>(7));
  kpo::core::FieldViolations v;
  ValidateActionItem(item, v);
  EXPECT_THAT(Fields(v), ElementsAre("action_item.what", "action_item.owner",
                                     "action_item.due_date", "action_item.status"));
}

TEST(ChecklistTemplateTest, IdsPhasesAndTexts) {
  google::protobuf::RepeatedPtrField<pb::ChecklistTemplateItem> items;
  auto add = [&](const char* id, pb::Phase phase, const char* text) {
    auto* t = items.Add();
    t->set_id(id);
    t->set_phase(phase);
    t->set_text(text);
  };
  add("scope", pb::PLANNING, "Scope agreed");
  add("scope", pb::PREPARATION, "Data collected");  // id reused
  add("Bad Id", pb::EXECUTION, "x");
  add("no-phase", pb::PHASE_UNSPECIFIED, "x");
  add("no-text", pb::HANDOVER, "");
  kpo::core::FieldViolations v;
  ValidateChecklistTemplate(items, "kaizen_settings.", v);
  EXPECT_THAT(Fields(v), ElementsAre("kaizen_settings.checklist_template[1].id",
                                     "kaizen_settings.checklist_template[2].id",
                                     "kaizen_settings.checklist_template[3].phase",
                                     "kaizen_settings.checklist_template[4].text"));
}

TEST(ChecklistTemplateTest, ATemplateReachesOnlyPhasesTheEventHasNotLeft) {
  pb::KaizenEvent e;
  e.set_state(pb::IN_PROGRESS);  // planning and preparation are over
  auto item = [&](const char* id, pb::Phase phase, bool done) {
    auto* i = e.add_checklist();
    i->set_id(id);
    i->set_phase(phase);
    i->set_text(std::string("old ") + id);
    i->set_done(done);
  };
  item("scope", pb::PLANNING, true);
  item("measure", pb::EXECUTION, true);
  item("gone", pb::EXECUTION, false);
  google::protobuf::RepeatedPtrField<pb::ChecklistTemplateItem> t;
  for (auto [id, phase] :
       {std::pair{"scope", pb::PLANNING}, std::pair{"new-plan", pb::PLANNING},
        std::pair{"measure", pb::EXECUTION}, std::pair{"new-exec", pb::EXECUTION}}) {
    auto* x = t.Add();
    x->set_id(id);
    x->set_phase(phase);
    x->set_text(std::string("new ") + id);
    x->set_required(true);
  }
  auto out = ApplyTemplate(e, t);
  std::vector<std::string> got;
  for (const auto& i : out) {
    got.push_back(std::string(i.id()) + (i.done() ? "+" : "-") + ":" + i.text());
  }
  EXPECT_THAT(got, ElementsAre("scope+:old scope",       // a phase left: kept as held
                               "measure+:new measure",   // still open: new text, done kept
                               "new-exec-:new new-exec"  // added; "gone" dropped
                               ));
}

}  // namespace
}  // namespace kpo::kaizen::domain
