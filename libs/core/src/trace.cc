#include "kpo/core/trace.h"

#include <sodium.h>

#include "absl/strings/escaping.h"

namespace kpo::core {
namespace {

thread_local TraceContext current_trace;

std::string RandomHex(size_t bytes) {
  static const bool kReady = sodium_init() >= 0;
  (void)kReady;
  std::string raw(bytes, '\0');
  do {
    randombytes_buf(raw.data(), raw.size());
  } while (raw.find_first_not_of('\0') == std::string::npos);
  return absl::BytesToHexString(raw);
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return s.find_first_not_of('0') != absl::string_view::npos;
}

}  // namespace

std::string TraceContext::ToTraceparent() const {
  if (!valid()) return "";
  return "00-" + trace_id + "-" + span_id + (sampled ? "-01" : "-00");
}

TraceContext TraceContext::Child() const {
  TraceContext child = valid() ? *this : NewRoot();
  child.span_id = RandomHex(8);
  return child;
}

TraceContext TraceContext::NewRoot() { return TraceContext{RandomHex(16), RandomHex(8), true}; }

std::optional<TraceContext> TraceContext::Parse(absl::string_view h) {
  // 00-<32 hex>-<16 hex>-<2 hex>
  if (h.size() != 55 || h.substr(0, 3) != "00-" || h[35] != '-' || h[52] != '-') {
    return std::nullopt;
  }
  absl::string_view trace = h.substr(3, 32), span = h.substr(36, 16), flags = h.substr(53, 2);
  if (!IsLowerHex(trace) || !IsLowerHex(span)) return std::nullopt;
  if (!(std::isxdigit(static_cast<unsigned char>(flags[0])) &&
        std::isxdigit(static_cast<unsigned char>(flags[1])))) {
    return std::nullopt;
  }
  return TraceContext{std::string(trace), std::string(span), (flags[1] & 1) == 1};
}

const TraceContext& CurrentTrace() { return current_trace; }

ScopedTrace::ScopedTrace(TraceContext trace) : previous_(std::move(current_trace)) {
  current_trace = std::move(trace);
}

ScopedTrace::~ScopedTrace() { current_trace = std::move(previous_); }

}  // namespace kpo::core
