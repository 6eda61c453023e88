#pragma once

// What the projection's files share: the handler table's shape and the helpers every
// handler uses. Private to the reporting service's projection (projection*.cc).

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/timestamp.pb.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/storage/database.h"

namespace kpo::reporting::projection {

using Handler = absl::Status (*)(kpo::storage::Transaction&, const kpo::common::v1::EventEnvelope&);
using HandlerTable = std::map<std::string, Handler>;

inline int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// A timestamp's microseconds, or NULL when it is unset.
inline kpo::storage::Value MicrosOrNull(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return kpo::storage::Null{};
  return Micros(t);
}

// The organization id of an event whose resource is `name`; INVALID_ARGUMENT (the record
// goes to the dead-letter topic) unless `name` lies in the event's organization
// ("organizations/{organization}").
absl::StatusOr<std::string> OrganizationOf(const kpo::common::v1::EventEnvelope& event,
                                           const std::string& name);

// Whether the projection of `name` in `table` holds a revision below `revision` or
// nothing: the event is newer and replaces it. Sets `exists`. When it replaces a stored
// row, the sites that row counted at (its `site_columns`) are touched: their figures are
// about to change. The caller touches the sites of the row it writes.
absl::StatusOr<bool> IsNewer(kpo::storage::Transaction& tx, const char* table,
                             const std::string& org, const std::string& name, int64_t revision,
                             bool& exists,
                             std::initializer_list<const char*> site_columns = {"site"});

// Bumps the version of `site` (resource name) in r_versions, or of the whole
// organization for an empty `site`, and the organization's change counter
// (kChangesScope): every cached answer that counted it is stale. Within a consumer
// registered by RegisterProjection the bumps are made once per transaction, before it
// commits.
absl::Status Touch(kpo::storage::Transaction& tx, const std::string& org, const std::string& site);

// Touches the home site of `person` (resource name) as r_people has it (nothing when
// unknown: the person's own event touches it when it arrives).
absl::Status TouchHomeSite(kpo::storage::Transaction& tx, const std::string& org,
                           const std::string& person);

// One validated amount of a kaizen event or an idea (r_savings).
struct Saving {
  std::string currency;
  int64_t minor_units = 0;
  int recurrence = 0;  // kpo.kaizen.v1.Recurrence numbers
  int kind = 0;        // kpo.kaizen.v1.SavingsKind numbers
};

// Replaces the validated savings of `source` (a kaizen event or an idea) with `savings`,
// validated at `validate_us` (none when it is not validated). `had_row`: the source's
// projection row existed before this event (without one it has no savings to replace).
absl::Status ReplaceSavings(kpo::storage::Transaction& tx, const std::string& org,
                            const std::string& source, const std::string& site,
                            const std::string& area, const std::string& objective, bool from_event,
                            int64_t validate_us, const std::vector<Saving>& savings, bool had_row);

// Unpacks the event's payload as `Event`; INVALID_ARGUMENT when it is not one.
template <class Event>
absl::StatusOr<Event> Unpack(const kpo::common::v1::EventEnvelope& event) {
  Event e;
  if (!event.data().UnpackTo(&e)) {
    return absl::InvalidArgumentError(absl::StrCat("cannot unpack ", event.type()));
  }
  return e;
}

// Unpacks an event of type `Event` and applies its resource (the accessor `Resource`)
// and revision with `Apply`.
template <class Event, auto Resource, auto Apply>
absl::Status Unpacked(kpo::storage::Transaction& tx, const kpo::common::v1::EventEnvelope& event) {
  auto e = Unpack<Event>(event);
  if (!e.ok()) return e.status();
  return Apply(tx, event, ((*e).*Resource)(), e->revision());
}

// The handlers of people development's events (certificates, training, assessments,
// target profiles, competencies) and of the KPO office (projection_development.cc).
void AddDevelopmentHandlers(HandlerTable& table);
// ... of the daily service's events: ideas (and their validated impact), coaching cycles,
// storyboards, practices and deployment tasks (projection_daily.cc).
void AddDailyHandlers(HandlerTable& table);
// ... of the kaizen service's events: kaizen events (and their validated savings) and
// action items (projection_kaizen.cc).
void AddKaizenHandlers(HandlerTable& table);

}  // namespace kpo::reporting::projection
