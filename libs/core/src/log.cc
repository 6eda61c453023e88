#include "kpo/core/log.h"

#include <atomic>
#include <iostream>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "kpo/core/trace.h"

namespace kpo::log {
namespace {

struct State {
  absl::Mutex mu;
  std::string service = "kpo";
  std::ostream* out = &std::cerr;
  std::atomic<int> min_level{static_cast<int>(Level::kInfo)};
};

State& GetState() {
  static State* const kState = new State();
  return *kState;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void Init(std::string service, Level min_level, std::ostream* out) {
  State& s = GetState();
  absl::MutexLock lock(&s.mu);
  s.service = std::move(service);
  s.out = out != nullptr ? out : &std::cerr;
  s.min_level = static_cast<int>(min_level);
}

bool ParseLevel(absl::string_view text, Level* level) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (text == LevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

bool Enabled(Level level) {
  return static_cast<int>(level) >= GetState().min_level.load(std::memory_order_relaxed);
}

void Write(Level level, absl::string_view message, const nlohmann::json& fields) {
  State& s = GetState();
  if (static_cast<int>(level) < s.min_level.load(std::memory_order_relaxed)) return;
  nlohmann::json line = nlohmann::json::object();
  line["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = LevelName(level);
  line["msg"] = std::string(message);
  const auto& trace = kpo::core::CurrentTrace();
  if (trace.valid()) {
    line["trace_id"] = trace.trace_id;
    line["span_id"] = trace.span_id;
  }
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) line[k] = v;
  }
  absl::MutexLock lock(&s.mu);
  line["service"] = s.service;
  *s.out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  s.out->flush();
}

}  // namespace kpo::log
