#pragma once

// The projections reporting builds from the other services' events (never by calling
// them): the latest state of each resource its figures count, in tables of its own
// (migrations/). Every event carries its whole resource and revision; a row is replaced
// only by a higher revision, so redelivered and reordered events change nothing, and
// the consumer's inbox applies each event once. Handlers run on the consumer thread, in
// the consumer's batch transaction.

#include <vector>

#include "absl/status/status.h"
#include "kpo/common/v1/event.pb.h"
#include "kpo/core/clock.h"
#include "kpo/events/consumer.h"
#include "kpo/storage/database.h"

namespace kpo::reporting {

// Migrations of component "reporting".
const std::vector<kpo::storage::Migration>& Migrations();

// The tables Migrations() creates (what a retired generation's deletion empties).
std::vector<std::string> ProjectionTables();

// The event types the projections read, full protobuf names.
std::vector<std::string> ProjectedEventTypes();

// Applies one event to the projections within `tx` (what the registered handlers do);
// events of other types change nothing. Directory events also go to the directory
// replica (which the runtime's own handlers would otherwise do).
absl::Status Project(kpo::storage::Transaction& tx, const kpo::common::v1::EventEnvelope& event,
                     const kpo::core::Clock& clock);

// Registers Project for every projected type (replacing the replica's own handlers of
// the directory events it also applies).
void RegisterProjection(kpo::events::Consumer& consumer, const kpo::core::Clock& clock);

}  // namespace kpo::reporting
