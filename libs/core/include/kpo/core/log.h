#pragma once

// Structured logging: one JSON object per line on stderr (or a stream set by Init),
// with time, level, service, message, the current trace id and any extra fields.
// Thread-safe; lines from different threads never interleave.

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace kpo::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Sets the service name and minimum level. Call once at start-up; before it, lines go
// to stderr with service "kpo" at level info.
void Init(std::string service, Level min_level, std::ostream* out = nullptr);
// "debug", "info", "warn", "error"; false if unknown.
bool ParseLevel(absl::string_view text, Level* level);

// Whether lines of `level` are written: to skip building fields nobody reads.
bool Enabled(Level level);

void Write(Level level, absl::string_view message, const nlohmann::json& fields = {});
inline void Debug(absl::string_view m, const nlohmann::json& f = {}) { Write(Level::kDebug, m, f); }
inline void Info(absl::string_view m, const nlohmann::json& f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(absl::string_view m, const nlohmann::json& f = {}) { Write(Level::kWarn, m, f); }
inline void Error(absl::string_view m, const nlohmann::json& f = {}) { Write(Level::kError, m, f); }

}  // namespace kpo::log
