#pragma once

// The local, read-only directory replica of the kaizen, daily and reporting services
// (event-carried state transfer from kpo.people.v1). Every people event carries the
// whole resource and its revision; the replica keeps, per resource name, the highest
// revision it has seen, so redelivered or reordered events change nothing.
// Functions are thread-safe (they go through the Database).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/any.pb.h"
#include "kpo/core/errors.h"
#include "kpo/events/consumer.h"
#include "kpo/storage/database.h"

namespace kpo::replica {

// Migrations of component "replica".
const std::vector<kpo::storage::Migration>& Migrations();

// Applies one directory event within `tx` (what the registered handlers do): upserts
// the resource if the event's revision is newer than the replica's. INVALID_ARGUMENT
// if the event is not a directory event or its resource lies outside its organization.
absl::Status ApplyDirectoryEvent(kpo::storage::Transaction& tx,
                                 const kpo::common::v1::EventEnvelope& event,
                                 const kpo::core::Clock& clock);

// Fills in the query columns (replica_people, replica_coaching) of resources stored
// without them or at another revision: for replicas written before those tables
// existed. Idempotent; the runtime calls it once at start after the migrations.
absl::Status Reindex(kpo::storage::Database& db);

// Registers a handler for every kpo.people.v1 directory event type (organization,
// site, area, person, coaching relationship; not people development's events).
void RegisterDirectoryHandlers(kpo::events::Consumer& consumer, const kpo::core::Clock& clock);

struct Entry {
  std::string name;
  std::string kind;  // "organization", "site", "area", "person", "coaching_relationship"
  int64_t revision = 0;
  bool active = false;
  google::protobuf::Any resource;
  absl::Time replicated_time;
};

// The replica's entry for `name` in organization `org` (its id), if any.
absl::StatusOr<std::optional<Entry>> Lookup(kpo::storage::Transaction& tx, const std::string& org,
                                            const std::string& name);
absl::StatusOr<std::optional<Entry>> Lookup(kpo::storage::Database& db, const std::string& org,
                                            const std::string& name);
// Active entries per kind for one organization.
absl::StatusOr<std::map<std::string, int64_t>> CountActive(kpo::storage::Database& db,
                                                           const std::string& org);

// ---- Checks every consuming service makes against the replica

// A reference from a command of organization `org` (its id) to a directory resource
// of `kind` that must be active. Adds a violation of `field` when `name` lies outside
// the organization, is unknown to the replica (or has not reached it yet), is of
// another kind, or is inactive. Does nothing for an empty name or a field that already
// has a violation. Returns the entry when it is active.
absl::StatusOr<std::optional<Entry>> RequireActive(kpo::storage::Transaction& tx,
                                                   const std::string& org, const std::string& name,
                                                   absl::string_view kind, const std::string& field,
                                                   kpo::core::FieldViolations& v);

// The same, unpacked as the directory message `T` (kpo.people.v1.Person, Site, ...).
template <class T>
absl::StatusOr<std::optional<T>> RequireActive(kpo::storage::Transaction& tx,
                                               const std::string& org, const std::string& name,
                                               absl::string_view kind, const std::string& field,
                                               kpo::core::FieldViolations& v) {
  auto entry = RequireActive(tx, org, name, kind, field, v);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value()) return std::optional<T>();
  T resource;
  if (!(*entry)->resource.UnpackTo(&resource)) {
    return absl::InternalError("corrupt replica entry " + name);
  }
  return std::optional<T>(std::move(resource));
}

// The ids of the organization's strategic objectives (none while the organization has
// not reached the replica).
absl::StatusOr<std::vector<std::string>> StrategicObjectiveIds(kpo::storage::Transaction& tx,
                                                               const std::string& org);

// A reference to one of the organization's strategic objectives (by id): adds a
// violation of `field` naming the organization's objectives when `objective` is none of
// them. Does nothing for an empty id or a field that already has a violation.
absl::Status RequireStrategicObjective(kpo::storage::Transaction& tx, const std::string& org,
                                       const std::string& objective, const std::string& field,
                                       kpo::core::FieldViolations& v);

// The site's time zone; UTC when the replica does not know the site or its zone.
absl::StatusOr<absl::TimeZone> SiteTimeZone(kpo::storage::Transaction& tx, const std::string& org,
                                            const std::string& site);

// ---- Coaching relationships, by their people

// An active coaching relationship of the replica, with the learner's home site
// (empty while the learner has not reached the replica).
struct CoachingPair {
  std::string relationship;  // its resource name
  std::string coach;
  std::string learner;
  std::string second_coach;
  int64_t sessions_per_week = 0;
  std::string learner_site;
};

// The active relationship in which `coach` coaches `learner` (the first by name).
absl::StatusOr<std::optional<CoachingPair>> FindCoaching(kpo::storage::Transaction& tx,
                                                         const std::string& org,
                                                         const std::string& learner,
                                                         const std::string& coach);

// Unset fields do not filter; site is the learner's home site.
struct CoachingFilter {
  std::string coach;
  std::string learner;
  std::string site;
};
// Active relationships ordered by (learner, relationship name), after that key when
// after_learner is set, at most `limit`.
absl::StatusOr<std::vector<CoachingPair>> ListCoaching(
    kpo::storage::Transaction& tx, const std::string& org, const CoachingFilter& filter,
    const std::string& after_learner, const std::string& after_name, int64_t limit);

}  // namespace kpo::replica
