// Fuzzes what a consumer does with a record's value: decode the envelope as the
// consumer does, parse its traceparent, and apply it to a real SQLite directory
// replica inside a transaction that is rolled back. Must never crash; a bad record is
// an error status (dead-lettered by the consumer).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "kpo/core/clock.h"
#include "kpo/core/trace.h"
#include "kpo/events/consumer.h"
#include "kpo/events/outbox.h"
#include "kpo/replica/directory_replica.h"

namespace {

kpo::storage::Database& Db() {
  static kpo::storage::Database* db = [] {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("kpo-envelope-fuzz-" + std::to_string(getpid()) + ".db"))
                                 .string();
    auto opened = kpo::storage::OpenSqlite({.path = path, .synchronous_full = false});
    if (!opened.ok()) __builtin_trap();
    if (!(*opened)->Migrate("events", kpo::events::Migrations()).ok()) __builtin_trap();
    if (!(*opened)->Migrate("replica", kpo::replica::Migrations()).ok()) __builtin_trap();
    return opened->release();
  }();
  return *db;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto env = kpo::events::DecodeEnvelope(data, size);
  if (!env.ok()) return 0;
  (void)kpo::core::TraceContext::Parse(env->traceparent());
  static const kpo::core::FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  (void)Db().Write([&](kpo::storage::Transaction& tx) -> absl::Status {
    (void)kpo::replica::ApplyDirectoryEvent(tx, *env, clock);
    return absl::AbortedError("rolled back: every input starts from the same replica");
  });
  return 0;
}
