#include "projection.h"

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/replica/directory_replica.h"
#include "projection_internal.h"
#include "scorecard_store.h"

namespace kpo::reporting {
namespace projection {

using kpo::common::v1::EventEnvelope;
using kpo::storage::Null;
using kpo::storage::Transaction;
using kpo::storage::Value;

absl::StatusOr<std::string> OrganizationOf(const EventEnvelope& event, const std::string& name) {
  constexpr absl::string_view kPrefix = "organizations/";
  if (!absl::StartsWith(event.organization(), kPrefix) ||
      !absl::StartsWith(name, absl::StrCat(event.organization(), "/"))) {
    return absl::InvalidArgumentError(
        absl::StrCat(event.type(), " of ", event.organization(), " carries ", name));
  }
  return event.organization().substr(kPrefix.size());
}

namespace {

// The versions a consumer's transaction changes, collected while its handlers run and
// bumped once each just before it commits (Consumer::BeforeCommit): a batch of 2,000
// ideas of one site bumps that site's version once, not 2,000 times. One per consumer
// (a consumer applies one transaction at a time); `active` is the collection of the
// handler running on this thread, null outside a consumer (each touch is then written
// at once).
struct PendingTouches {
  absl::flat_hash_set<std::pair<std::string, std::string>> scopes;  // (org, scope)
};
thread_local PendingTouches* active = nullptr;

// Bumps each pending scope once, and the change counter of each organization they are in.
absl::Status Flush(Transaction& tx, PendingTouches& pending) {
  absl::flat_hash_set<std::string> orgs;
  for (const auto& [org, scope] : pending.scopes) {
    if (absl::Status s = store::BumpVersion(tx, org, scope); !s.ok()) return s;
    orgs.insert(org);
  }
  for (const std::string& org : orgs) {
    if (absl::Status s = store::BumpVersion(tx, org, store::kChangesScope); !s.ok()) return s;
  }
  pending.scopes.clear();
  return absl::OkStatus();
}

}  // namespace

absl::Status Touch(Transaction& tx, const std::string& org, const std::string& site) {
  if (active != nullptr) {
    active->scopes.emplace(org, site);
    return absl::OkStatus();
  }
  if (absl::Status s = store::BumpVersion(tx, org, site); !s.ok()) return s;
  return store::BumpVersion(tx, org, store::kChangesScope);
}

absl::Status TouchHomeSite(Transaction& tx, const std::string& org, const std::string& person) {
  auto rows = tx.Query("SELECT site FROM r_people WHERE org = ? AND name = ?", {org, person});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::OkStatus();
  return Touch(tx, org, (*rows)[0].Text(0));
}

absl::StatusOr<bool> IsNewer(Transaction& tx, const char* table, const std::string& org,
                             const std::string& name, int64_t revision, bool& exists,
                             std::initializer_list<const char*> site_columns) {
  std::string columns = "revision";
  for (const char* column : site_columns) absl::StrAppend(&columns, ", ", column);
  auto rows =
      tx.Query(absl::StrCat("SELECT ", columns, " FROM ", table, " WHERE org = ? AND name = ?"),
               {org, name});
  if (!rows.ok()) return rows.status();
  exists = !rows->empty();
  const bool newer = !exists || (*rows)[0].Int(0) < revision;
  if (exists && newer) {
    for (size_t i = 0; i < site_columns.size(); ++i) {
      if (absl::Status s = Touch(tx, org, (*rows)[0].Text(i + 1)); !s.ok()) return s;
    }
  }
  return newer;
}

absl::Status ReplaceSavings(Transaction& tx, const std::string& org, const std::string& source,
                            const std::string& site, const std::string& area,
                            const std::string& objective, bool from_event, int64_t validate_us,
                            const std::vector<Saving>& savings, bool had_row) {
  absl::Status s;
  if (had_row) {
    s = tx.Exec("DELETE FROM r_savings WHERE org = ? AND source = ?", {org, source}).status();
  }
  for (size_t i = 0; s.ok() && i < savings.size(); ++i) {
    const Saving& saving = savings[i];
    s = tx.Exec(
              "INSERT INTO r_savings (org, source, seq, site, area, objective, currency, "
              "minor_units, recurrence, kind, from_event, validate_us) VALUES (?, ?, ?, ?, ?, ?, "
              "?, ?, ?, ?, ?, ?)",
              {org, source, static_cast<int64_t>(i), site, area, objective, saving.currency,
               saving.minor_units, int64_t{saving.recurrence}, int64_t{saving.kind},
               int64_t{from_event}, validate_us})
            .status();
  }
  return s;
}

namespace {

namespace people = kpo::people::v1;

absl::Status ProjectPerson(Transaction& tx, const EventEnvelope& event,
                           const people::Person& person, int64_t revision) {
  auto org = OrganizationOf(event, person.name());
  if (!org.ok()) return org.status();
  bool exists = false;
  auto newer = IsNewer(tx, "r_people", *org, person.name(), revision, exists);
  if (!newer.ok() || !*newer) return newer.status();
  if (absl::Status s = Touch(tx, *org, person.home_site()); !s.ok()) return s;
  std::string roles = ",";
  for (int role : person.roles()) absl::StrAppend(&roles, role, ",");
  Value deactivated;  // NULL while active
  if (person.state() == people::INACTIVE) deactivated = Micros(person.update_time());
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

#define KPO_PERSON_EVENT(Type) \
  { "kpo.people.v1." #Type, &Unpacked<people::Type, &people::Type::person, &ProjectPerson> }

const HandlerTable& Handlers() {
  static const auto* handlers = [] {
    auto* table = new HandlerTable{
        KPO_PERSON_EVENT(PersonCreated),
        KPO_PERSON_EVENT(PersonUpdated),
        KPO_PERSON_EVENT(PersonDeactivated),
    };
    AddDevelopmentHandlers(*table);
    AddDailyHandlers(*table);
    AddKaizenHandlers(*table);
    return table;
  }();
  return *handlers;
}

#undef KPO_PERSON_EVENT

bool IsDirectoryEvent(const std::string& type) {
  return absl::StartsWith(type, "kpo.people.v1.Organization") ||
         absl::StartsWith(type, "kpo.people.v1.Site") ||
         absl::StartsWith(type, "kpo.people.v1.Area") ||
         absl::StartsWith(type, "kpo.people.v1.Person") ||
         absl::StartsWith(type, "kpo.people.v1.CoachingRelationship");
}

}  // namespace
}  // namespace projection

std::vector<std::string> ProjectionTables() {
  return {"r_people",
          "r_ideas",
          "r_idea_submitters",
          "r_kaizen_events",
          "r_kaizen_transitions",
          "r_action_items",
          "r_coaching_cycles",
          "r_certificates",
          "r_trainings",
          "r_assessments",
          "r_target_profiles",
          "r_competencies",
          "r_kpo_members",
          "r_savings",
          "r_storyboards",
          "r_practices",
          "r_deployment_tasks",
          "r_versions"};
}

std::vector<std::string> ProjectedEventTypes() {
  std::vector<std::string> out;
  for (const auto& [type, handler] : projection::Handlers()) out.push_back(type);
  return out;
}

absl::Status Project(kpo::storage::Transaction& tx, const kpo::common::v1::EventEnvelope& event,
                     const kpo::core::Clock& clock) {
  if (projection::IsDirectoryEvent(event.type())) {
    if (absl::Status s = kpo::replica::ApplyDirectoryEvent(tx, event, clock); !s.ok()) return s;
    // Sites' zones, objectives, coaching relationships: read by every site's figures.
    // (People are counted in r_people, whose handler touches their sites.)
    if (!absl::StartsWith(event.type(), "kpo.people.v1.Person")) {
      constexpr absl::string_view kPrefix = "organizations/";
      if (absl::StartsWith(event.organization(), kPrefix)) {
        const std::string org = event.organization().substr(kPrefix.size());
        if (absl::Status s = projection::Touch(tx, org, ""); !s.ok()) return s;
      }
    }
  }
  const auto it = projection::Handlers().find(event.type());
  if (it == projection::Handlers().end()) return absl::OkStatus();
  return it->second(tx, event);
}

void RegisterProjection(kpo::events::Consumer& consumer, const kpo::core::Clock& clock) {
  // Shared by the handlers and the hook: a rolled-back transaction may leave touches
  // behind, which the next commit bumps (a needless recount, never a stale answer).
  auto pending = std::make_shared<projection::PendingTouches>();
  for (const std::string& type : ProjectedEventTypes()) {
    consumer.On(type, [&clock, pending](kpo::storage::Transaction& tx,
                                        const kpo::common::v1::EventEnvelope& event) {
      projection::active = pending.get();
      absl::Status s = Project(tx, event, clock);
      projection::active = nullptr;
      return s;
    });
  }
  consumer.BeforeCommit(
      [pending](kpo::storage::Transaction& tx) { return projection::Flush(tx, *pending); });
}

}  // namespace kpo::reporting
