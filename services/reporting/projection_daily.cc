// The daily service's events (kpo.daily.v1): ideas and their validated impact, coaching
// cycles, storyboards, practices shared and their deployment tasks.

#include <string>

#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/daily/v1/events.pb.h"
#include "projection_internal.h"

namespace kpo::reporting::projection {
namespace {

namespace daily = kpo::daily::v1;
using kpo::common::v1::EventEnvelope;
using kpo::storage::Null;
using kpo::storage::Transaction;
using kpo::storage::Value;

absl::Status ProjectIdea(Transaction& tx, const EventEnvelope& event, const daily::Idea& idea,
                         int64_t revision) {
  auto org = OrganizationOf(event, idea.name());
  if (!org.ok()) return org.status();
  bool exists = false;
  auto newer = IsNewer(tx, "r_ideas", *org, idea.name(), revision, exists);
  if (!newer.ok() || !*newer) return newer.status();
  if (absl::Status s = Touch(tx, *org, idea.site()); !s.ok()) return s;
  const int64_t submit_us = Micros(idea.create_time());
  const bool implemented = idea.state() == daily::IDEA_STATE_IMPLEMENTED ||
                           idea.state() == daily::IDEA_STATE_STANDARDIZED;
  Value closed = Null{};
  Value implement_seconds = Null{};
  if (implemented) {
    closed = Micros(idea.implement_time());
    implement_seconds = idea.time_to_implement().seconds();
  } else if (idea.state() == daily::IDEA_STATE_REJECTED) {
    closed = Micros(idea.review_time());
  } else if (idea.state() == daily::IDEA_STATE_WITHDRAWN) {
    closed = Micros(idea.withdraw_time());
  }
  absl::Status s =
      tx.Exec(
            "INSERT INTO r_ideas (org, name, revision, site, area, objective, state, submit_us, "
            "review_us, implement_us, withdraw_us, closed_us, implement_seconds) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET "
            "revision = excluded.revision, site = excluded.site, area = excluded.area, "
            "objective = excluded.objective, state = excluded.state, "
            "submit_us = excluded.submit_us, review_us = excluded.review_us, "
            "implement_us = excluded.implement_us, withdraw_us = excluded.withdraw_us, "
            "closed_us = excluded.closed_us, implement_seconds = excluded.implement_seconds",
            {*org, idea.name(), revision, idea.site(), idea.area(), idea.strategic_objective(),
             static_cast<int64_t>(idea.state()), submit_us, MicrosOrNull(idea.review_time()),
             implemented ? MicrosOrNull(idea.implement_time()) : Value(Null{}),
             MicrosOrNull(idea.withdraw_time()), closed, implement_seconds})
          .status();
  if (!s.ok()) return s;
  // The actual impact counts once finance validated it.
  std::vector<Saving> savings;
  const daily::Impact& impact = idea.impact();
  if (impact.validated() && !impact.actual().currency_code().empty()) {
    savings.push_back({impact.actual().currency_code(), impact.actual().minor_units(),
                       static_cast<int>(impact.recurrence()), static_cast<int>(impact.kind())});
  }
  s = ReplaceSavings(tx, *org, idea.name(), idea.site(), idea.area(), idea.strategic_objective(),
                     false, Micros(impact.validate_time()), savings, exists);
  if (!s.ok() || exists) return s;
  // Submitters are set at submission and never change: written with the idea's first row
  // (whichever of its events arrives first). They take part at their home sites.
  for (const std::string& person : idea.submitters()) {
    if (s = TouchHomeSite(tx, *org, person); !s.ok()) return s;
    s = tx.Exec(
              "INSERT INTO r_idea_submitters (org, person, submit_us, idea) "
              "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
              {*org, person, submit_us, idea.name()})
            .status();
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// A coaching cycle: immutable, recorded once.
absl::Status ProjectCoachingCycle(Transaction& tx, const EventEnvelope& event,
                                  const daily::CoachingCycle& cycle, int64_t) {
  auto org = OrganizationOf(event, cycle.name());
  if (!org.ok()) return org.status();
  // Counted where it was held, and at the learner's home site (recent cycles).
  if (absl::Status s = Touch(tx, *org, cycle.site()); !s.ok()) return s;
  if (absl::Status s = TouchHomeSite(tx, *org, cycle.learner()); !s.ok()) return s;
  return tx
      .Exec(
          "INSERT INTO r_coaching_cycles (org, name, site, area, learner, coach, "
          "second_coach, coach_kind, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO "
          "NOTHING",
          {*org, cycle.name(), cycle.site(), cycle.area(), cycle.learner(), cycle.coach(),
           cycle.second_coach(), static_cast<int64_t>(cycle.coach_kind()),
           kpo::core::DateKey(cycle.date())})
      .status();
}

// A storyboard: its place, objective, and when it was open.
absl::Status ProjectStoryboard(Transaction& tx, const EventEnvelope& event,
                               const daily::Storyboard& b, int64_t revision) {
  auto org = OrganizationOf(event, b.name());
  if (!org.ok()) return org.status();
  bool exists = false;
  auto newer = IsNewer(tx, "r_storyboards", *org, b.name(), revision, exists);
  if (!newer.ok() || !*newer) return newer.status();
  if (absl::Status s = Touch(tx, *org, b.site()); !s.ok()) return s;
  return tx
      .Exec(
          "INSERT INTO r_storyboards (org, name, revision, site, area, objective, create_us, "
          "close_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET "
          "revision = excluded.revision, site = excluded.site, area = excluded.area, "
          "objective = excluded.objective, create_us = excluded.create_us, "
          "close_us = excluded.close_us",
          {*org, b.name(), revision, b.site(), b.area(), b.strategic_objective(),
           Micros(b.create_time()),
           b.state() == daily::STORYBOARD_STATE_ACTIVE ? Value(Null{})
                                                       : MicrosOrNull(b.close_time())})
      .status();
}

// A practice shared: counted at the site of the idea it comes from.
absl::Status ProjectPractice(Transaction& tx, const EventEnvelope& event, const daily::Practice& p,
                             int64_t revision) {
  auto org = OrganizationOf(event, p.name());
  if (!org.ok()) return org.status();
  bool exists = false;
  auto newer = IsNewer(tx, "r_practices", *org, p.name(), revision, exists, {"origin_site"});
  if (!newer.ok() || !*newer) return newer.status();
  if (absl::Status s = Touch(tx, *org, p.origin_site()); !s.ok()) return s;
  return tx
      .Exec(
          "INSERT INTO r_practices (org, name, revision, origin_site, origin_area, objective, "
          "create_us) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET "
          "revision = excluded.revision, origin_site = excluded.origin_site, "
          "origin_area = excluded.origin_area, objective = excluded.objective, "
          "create_us = excluded.create_us",
          {*org, p.name(), revision, p.origin_site(), p.origin_area(), p.strategic_objective(),
           Micros(p.create_time())})
      .status();
}

// A deployment task: at its target place, with the practice's origin, its due day and
// when it was resolved.
absl::Status ProjectDeploymentTask(Transaction& tx, const EventEnvelope& event,
                                   const daily::DeploymentTask& t, int64_t revision) {
  auto org = OrganizationOf(event, t.name());
  if (!org.ok()) return org.status();
  bool exists = false;
  auto newer =
      IsNewer(tx, "r_deployment_tasks", *org, t.name(), revision, exists, {"site", "origin_site"});
  if (!newer.ok() || !*newer) return newer.status();
  if (absl::Status s = Touch(tx, *org, t.site()); !s.ok()) return s;
  if (absl::Status s = Touch(tx, *org, t.origin_site()); !s.ok()) return s;
  const bool resolved = t.state() != daily::DEPLOYMENT_STATE_OPEN;
  const size_t tasks = t.name().find("/deploymentTasks/");
  if (tasks == std::string::npos) {
    return absl::InvalidArgumentError("not a deployment task name: " + t.name());
  }
  return tx
      .Exec(
          "INSERT INTO r_deployment_tasks (org, name, revision, practice, site, area, "
          "origin_site, state, due_day, create_us, resolve_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?) "
          "ON CONFLICT (org, name) DO UPDATE SET revision = excluded.revision, "
          "site = excluded.site, area = excluded.area, origin_site = excluded.origin_site, "
          "state = excluded.state, due_day = excluded.due_day, create_us = excluded.create_us, "
          "resolve_us = excluded.resolve_us",
          {*org, t.name(), revision, t.name().substr(0, tasks), t.site(), t.area(), t.origin_site(),
           static_cast<int64_t>(t.state()), kpo::core::DateKey(t.due_date()),
           Micros(t.create_time()), resolved ? MicrosOrNull(t.resolve_time()) : Value(Null{})})
      .status();
}

#define KPO_IDEA_EVENT(Type) \
  { "kpo.daily.v1." #Type, &Unpacked<daily::Type, &daily::Type::idea, &ProjectIdea> }
#define KPO_STORYBOARD_EVENT(Type) \
  { "kpo.daily.v1." #Type, &Unpacked<daily::Type, &daily::Type::storyboard, &ProjectStoryboard> }
#define KPO_TASK_EVENT(Type)                                                          \
  {                                                                                   \
    "kpo.daily.v1." #Type,                                                            \
        &Unpacked<daily::Type, &daily::Type::deployment_task, &ProjectDeploymentTask> \
  }

}  // namespace

void AddDailyHandlers(HandlerTable& table) {
  table.insert({
      KPO_IDEA_EVENT(IdeaSubmitted),
      KPO_IDEA_EVENT(IdeaUpdated),
      KPO_IDEA_EVENT(IdeaReviewerReassigned),
      KPO_IDEA_EVENT(IdeaAccepted),
      KPO_IDEA_EVENT(IdeaRejected),
      KPO_IDEA_EVENT(IdeaStarted),
      KPO_IDEA_EVENT(IdeaImplemented),
      KPO_IDEA_EVENT(IdeaStandardized),
      KPO_IDEA_EVENT(IdeaWithdrawn),
      KPO_IDEA_EVENT(IdeaImpactValidated),
      {"kpo.daily.v1.CoachingCycleRecorded",
       &Unpacked<daily::CoachingCycleRecorded, &daily::CoachingCycleRecorded::coaching_cycle,
                 &ProjectCoachingCycle>},
      KPO_STORYBOARD_EVENT(StoryboardCreated),
      KPO_STORYBOARD_EVENT(StoryboardUpdated),
      KPO_STORYBOARD_EVENT(StoryboardClosed),
      {"kpo.daily.v1.PracticeShared",
       &Unpacked<daily::PracticeShared, &daily::PracticeShared::practice, &ProjectPractice>},
      KPO_TASK_EVENT(DeploymentTaskCreated),
      KPO_TASK_EVENT(DeploymentTaskUpdated),
      KPO_TASK_EVENT(DeploymentTaskResolved),
  });
}

#undef KPO_IDEA_EVENT
#undef KPO_STORYBOARD_EVENT
#undef KPO_TASK_EVENT

}  // namespace kpo::reporting::projection
