#include "kpo/core/trace.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <random>

#include "absl/strings/escaping.h"

namespace kpo::core {
namespace {

thread_local TraceContext current_trace;

// Trace and span ids need to be unpredictable enough not to collide, not secret: a
// per-thread generator seeded once from the system's entropy costs a few nanoseconds,
// where asking the kernel for every id cost a system call per id on every request.
std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator = [] {
    static const bool kReady = sodium_init() >= 0;
    (void)kReady;
    std::array<std::uint64_t, 4> seed_words{};
    randombytes_buf(seed_words.data(), sizeof(seed_words));
    std::seed_seq seed(seed_words.begin(), seed_words.end());
    return std::mt19937_64(seed);
  }();
  return generator;
}

// `bytes` is a multiple of 8; never all zeros (the W3C marks that invalid).
std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  do {
    for (size_t i = 0; i < bytes; i += 8) {
      const std::uint64_t word = Generator()();
      std::memcpy(raw.data() + i, &word, std::min<size_t>(8, bytes - i));
    }
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
