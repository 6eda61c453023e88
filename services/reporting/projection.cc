#include "projection.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/core/resource_name.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/replica/directory_replica.h"

namespace kpo::reporting {
namespace {

namespace daily = kpo::daily::v1;
namespace kaizen = kpo::kaizen::v1;
namespace people = kpo::people::v1;
using kpo::common::v1::EventEnvelope;
using kpo::storage::Null;
using kpo::storage::Transaction;
using kpo::storage::Value;

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// A timestamp's microseconds, or NULL when it is unset.
Value MicrosOrNull(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return Null{};
  return Micros(t);
}

// The kaizen event types that move an event from one state to another.
bool IsLifecycleEvent(const std::string& type) {
  static const auto* types = new std::set<std::string>{
      "kpo.kaizen.v1.KaizenEventProposed",        "kpo.kaizen.v1.KaizenEventChartered",
      "kpo.kaizen.v1.KaizenEventStarted",         "kpo.kaizen.v1.KaizenEventCompleted",
      "kpo.kaizen.v1.KaizenEventFollowUpStarted", "kpo.kaizen.v1.KaizenEventSustained",
      "kpo.kaizen.v1.KaizenEventBackslid",        "kpo.kaizen.v1.KaizenEventClosed",
      "kpo.kaizen.v1.KaizenEventCancelled"};
  return types->contains(type);
}

// The organization id of an event whose resource is `name`; INVALID_ARGUMENT (the record
// goes to the dead-letter topic) unless `name` lies in the event's organization
// ("organizations/{organization}").
absl::StatusOr<std::string> OrganizationOf(const EventEnvelope& event, const std::string& name) {
  constexpr absl::string_view kPrefix = "organizations/";
  if (!absl::StartsWith(event.organization(), kPrefix) ||
      !absl::StartsWith(name, absl::StrCat(event.organization(), "/"))) {
    return absl::InvalidArgumentError(
        absl::StrCat(event.type(), " of ", event.organization(), " carries ", name));
  }
  return event.organization().substr(kPrefix.size());
}

// Whether the projection of `name` in `table` holds a revision below `revision` or
// nothing: the event is newer and replaces it. Sets `exists`.
absl::StatusOr<bool> IsNewer(Transaction& tx, const char* table, const std::string& org,
                             const std::string& name, int64_t revision, bool& exists) {
  auto rows = tx.Query(absl::StrCat("SELECT revision FROM ", table, " WHERE org = ? AND name = ?"),
                       {org, name});
  if (!rows.ok()) return rows.status();
  exists = !rows->empty();
  return !exists || (*rows)[0].Int(0) < revision;
}

absl::Status ProjectPerson(Transaction& tx, const EventEnvelope& event,
                           const people::Person& person, int64_t revision) {
  auto org = OrganizationOf(event, person.name());
  if (!org.ok()) return org.status();
  bool exists = false;
  auto newer = IsNewer(tx, "r_people", *org, person.name(), revision, exists);
  if (!newer.ok() || !*newer) return newer.status();
  std::string roles = ",";
  for (int role : person.roles()) absl::StrAppend(&roles, role, ",");
  const Value deactivated =
      person.state() == people::INACTIVE ? Value(Micros(person.update_time())) : Value(Null{});
  return tx
      .Exec(
          "INSERT INTO r_people (org, name, revision, site, area, roles, create_us, "
          "deactivate_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET "
          "revision = excluded.revision, site = excluded.site, area = excluded.area, "
          "roles = excluded.roles, create_us = excluded.create_us, "
          "deactivate_us = excluded.deactivate_us",
          {*org, person.name(), revision, person.home_site(), person.area(), roles,
           Micros(person.create_time()), deactivated})
      .status();
}

absl::Status ProjectIdea(Transaction& tx, const EventEnvelope& event, const daily::Idea& idea,
                         int64_t revision) {
  auto org = OrganizationOf(event, idea.name());
  if (!org.ok()) return org.status();
  bool exists = false;
  auto newer = IsNewer(tx, "r_ideas", *org, idea.name(), revision, exists);
  if (!newer.ok() || !*newer) return newer.status();
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
  if (!s.ok() || exists) return s;
  // Submitters are set at submission and never change: written with the idea's first row
  // (whichever of its events arrives first).
  for (const std::string& person : idea.submitters()) {
    s = tx.Exec(
              "INSERT OR IGNORE INTO r_idea_submitters (org, person, submit_us, idea) "
              "VALUES (?, ?, ?, ?)",
              {*org, person, submit_us, idea.name()})
            .status();
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// A kaizen event: its lifecycle transition when the event is one (recorded whatever the
// order of arrival), then its latest state.
absl::Status ProjectKaizenEvent(Transaction& tx, const EventEnvelope& event,
                                const kaizen::KaizenEvent& e, int64_t revision) {
  auto org = OrganizationOf(event, e.name());
  if (!org.ok()) return org.status();
  if (IsLifecycleEvent(event.type())) {
    absl::Status s = tx.Exec(
                           "INSERT OR IGNORE INTO r_kaizen_transitions (org, event, revision, "
                           "state, at_us, site) VALUES (?, ?, ?, ?, ?, ?)",
                           {*org, e.name(), revision, static_cast<int64_t>(e.state()),
                            Micros(event.time()), e.site()})
                         .status();
    if (!s.ok()) return s;
  }
  bool exists = false;
  auto newer = IsNewer(tx, "r_kaizen_events", *org, e.name(), revision, exists);
  if (!newer.ok() || !*newer) return newer.status();
  return tx
      .Exec(
          "INSERT INTO r_kaizen_events (org, name, revision, site, area, objective, state, "
          "facilitator_kind, create_us, completion_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (org, name) DO UPDATE SET revision = excluded.revision, "
          "site = excluded.site, area = excluded.area, objective = excluded.objective, "
          "state = excluded.state, facilitator_kind = excluded.facilitator_kind, "
          "create_us = excluded.create_us, completion_day = excluded.completion_day",
          {*org, e.name(), revision, e.site(), e.area(), e.charter().strategic_objective(),
           static_cast<int64_t>(e.state()), static_cast<int64_t>(e.facilitator_kind()),
           Micros(e.create_time()), kpo::core::DateKey(e.completion_date())})
      .status();
}

// An action item: its latest state, and when it was first seen done (the commit time of
// the earliest revision that was DONE, whatever the order of arrival).
absl::Status ProjectActionItem(Transaction& tx, const EventEnvelope& event,
                               const kaizen::ActionItem& item, int64_t revision) {
  auto org = OrganizationOf(event, item.name());
  if (!org.ok()) return org.status();
  auto parsed = kpo::core::ParseName(item.name(), {"organizations", "kaizenEvents", "actionItems"});
  if (!parsed) return absl::InvalidArgumentError("not an action item name: " + item.name());
  const std::string parent =
      absl::StrCat("organizations/", (*parsed)[0], "/kaizenEvents/", (*parsed)[1]);
  bool exists = false;
  auto newer = IsNewer(tx, "r_action_items", *org, item.name(), revision, exists);
  if (!newer.ok()) return newer.status();
  if (*newer) {
    absl::Status s =
        tx.Exec(
              "INSERT INTO r_action_items (org, name, revision, event, site, due_day, status) "
              "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET "
              "revision = excluded.revision, site = excluded.site, due_day = excluded.due_day, "
              "status = excluded.status",
              {*org, item.name(), revision, parent, item.site(),
               kpo::core::DateKey(item.due_date()), static_cast<int64_t>(item.status())})
            .status();
    if (!s.ok()) return s;
  }
  if (item.status() != kaizen::DONE) return absl::OkStatus();
  return tx
      .Exec(
          "UPDATE r_action_items SET done_us = ? WHERE org = ? AND name = ? AND "
          "(done_us IS NULL OR done_us > ?)",
          {Micros(event.time()), *org, item.name(), Micros(event.time())})
      .status();
}

using Handler = absl::Status (*)(Transaction&, const EventEnvelope&);

// Unpacks an event of type `Event` and applies its resource (the accessor `Resource`)
// and revision with `Apply`.
template <class Event, auto Resource, auto Apply>
absl::Status Unpacked(Transaction& tx, const EventEnvelope& event) {
  Event e;
  if (!event.data().UnpackTo(&e)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot unpack ", event.type()));
  }
  return Apply(tx, event, (e.*Resource)(), e.revision());
}

#define KPO_PERSON_EVENT(Type) \
  { "kpo.people.v1." #Type, &Unpacked<people::Type, &people::Type::person, &ProjectPerson> }
#define KPO_KAIZEN_EVENT(Type)                                                    \
  {                                                                               \
    "kpo.kaizen.v1." #Type,                                                       \
        &Unpacked<kaizen::Type, &kaizen::Type::kaizen_event, &ProjectKaizenEvent> \
  }
#define KPO_ACTION_ITEM_EVENT(Type)                                             \
  {                                                                             \
    "kpo.kaizen.v1." #Type,                                                     \
        &Unpacked<kaizen::Type, &kaizen::Type::action_item, &ProjectActionItem> \
  }
#define KPO_IDEA_EVENT(Type) \
  { "kpo.daily.v1." #Type, &Unpacked<daily::Type, &daily::Type::idea, &ProjectIdea> }

const std::map<std::string, Handler>& Handlers() {
  static const auto* handlers = new std::map<std::string, Handler>{
      KPO_PERSON_EVENT(PersonCreated),
      KPO_PERSON_EVENT(PersonUpdated),
      KPO_PERSON_EVENT(PersonDeactivated),
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
      KPO_KAIZEN_EVENT(KaizenEventProposed),
      KPO_KAIZEN_EVENT(KaizenEventUpdated),
      KPO_KAIZEN_EVENT(KaizenEventChartered),
      KPO_KAIZEN_EVENT(KaizenEventStarted),
      KPO_KAIZEN_EVENT(KaizenEventCompleted),
      KPO_KAIZEN_EVENT(KaizenEventFollowUpStarted),
      KPO_KAIZEN_EVENT(KaizenEventSustained),
      KPO_KAIZEN_EVENT(KaizenEventBackslid),
      KPO_KAIZEN_EVENT(KaizenEventClosed),
      KPO_KAIZEN_EVENT(KaizenEventCancelled),
      KPO_KAIZEN_EVENT(SavingsValidated),
      KPO_KAIZEN_EVENT(AuditRecorded),
      KPO_ACTION_ITEM_EVENT(ActionItemCreated),
      KPO_ACTION_ITEM_EVENT(ActionItemUpdated),
  };
  return *handlers;
}

#undef KPO_PERSON_EVENT
#undef KPO_IDEA_EVENT
#undef KPO_KAIZEN_EVENT
#undef KPO_ACTION_ITEM_EVENT

bool IsDirectoryEvent(const std::string& type) {
  return absl::StartsWith(type, "kpo.people.v1.Organization") ||
         absl::StartsWith(type, "kpo.people.v1.Site") ||
         absl::StartsWith(type, "kpo.people.v1.Area") ||
         absl::StartsWith(type, "kpo.people.v1.Person") ||
         absl::StartsWith(type, "kpo.people.v1.CoachingRelationship");
}

}  // namespace

std::vector<std::string> ProjectedEventTypes() {
  std::vector<std::string> out;
  for (const auto& [type, handler] : Handlers()) out.push_back(type);
  return out;
}

absl::Status Project(Transaction& tx, const EventEnvelope& event, const kpo::core::Clock& clock) {
  if (IsDirectoryEvent(event.type())) {
    if (absl::Status s = kpo::replica::ApplyDirectoryEvent(tx, event, clock); !s.ok()) return s;
  }
  const auto it = Handlers().find(event.type());
  if (it == Handlers().end()) return absl::OkStatus();
  return it->second(tx, event);
}

void RegisterProjection(kpo::events::Consumer& consumer, const kpo::core::Clock& clock) {
  for (const std::string& type : ProjectedEventTypes()) {
    consumer.On(type, [&clock](Transaction& tx, const EventEnvelope& event) {
      return Project(tx, event, clock);
    });
  }
}

}  // namespace kpo::reporting
