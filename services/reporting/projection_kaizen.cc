// The kaizen service's events (kpo.kaizen.v1): kaizen events, their lifecycle
// transitions and validated savings, and action items.

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/core/resource_name.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "projection_internal.h"

namespace kpo::reporting::projection {
namespace {

namespace kaizen = kpo::kaizen::v1;
using kpo::common::v1::EventEnvelope;
using kpo::storage::Transaction;

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

// A kaizen event: its lifecycle transition when the event is one (recorded whatever the
// order of arrival), then its latest state.
absl::Status ProjectKaizenEvent(Transaction& tx, const EventEnvelope& event,
                                const kaizen::KaizenEvent& e, int64_t revision) {
  auto org = OrganizationOf(event, e.name());
  if (!org.ok()) return org.status();
  if (absl::Status s = Touch(tx, *org, e.site()); !s.ok()) return s;
  if (IsLifecycleEvent(event.type())) {
    absl::Status s = tx.Exec(
                           "INSERT INTO r_kaizen_transitions (org, event, revision, "
                           "state, at_us, site) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           {*org, e.name(), revision, static_cast<int64_t>(e.state()),
                            Micros(event.time()), e.site()})
                         .status();
    if (!s.ok()) return s;
  }
  bool exists = false;
  auto newer = IsNewer(tx, "r_kaizen_events", *org, e.name(), revision, exists);
  if (!newer.ok() || !*newer) return newer.status();
  absl::Status s =
      tx.Exec(
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
  if (!s.ok()) return s;
  // Realized savings count once finance validated them.
  std::vector<Saving> savings;
  const kaizen::EventMoney& money = e.money();
  if (money.validation().validated()) {
    for (const kaizen::Savings& saving : money.realized_savings()) {
      savings.push_back({saving.amount().currency_code(), saving.amount().minor_units(),
                         static_cast<int>(saving.recurrence()), static_cast<int>(saving.kind())});
    }
  }
  return ReplaceSavings(tx, *org, e.name(), e.site(), e.area(), e.charter().strategic_objective(),
                        true, Micros(money.validation().validate_time()), savings, exists);
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
  if (absl::Status s = Touch(tx, *org, item.site()); !s.ok()) return s;
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

}  // namespace

void AddKaizenHandlers(HandlerTable& table) {
  table.insert({
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
  });
}

#undef KPO_KAIZEN_EVENT
#undef KPO_ACTION_ITEM_EVENT

}  // namespace kpo::reporting::projection
