#pragma once

// W3C trace context (traceparent). A request's trace is carried through the thread
// that serves it (ScopedTrace), written into the events it causes, and logged.

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace kpo::core {

struct TraceContext {
  std::string trace_id;  // 32 lower-case hex digits, not all zero
  std::string span_id;   // 16 lower-case hex digits, not all zero
  bool sampled = false;

  bool valid() const { return trace_id.size() == 32 && span_id.size() == 16; }
  // "00-<trace_id>-<span_id>-<flags>"
  std::string ToTraceparent() const;
  // Same trace, new span id.
  TraceContext Child() const;

  static TraceContext NewRoot();
  // nullopt if `header` is not a valid version-00 traceparent.
  static std::optional<TraceContext> Parse(absl::string_view header);
};

// The trace of the current thread, or an invalid (empty) context.
const TraceContext& CurrentTrace();

// Sets the current thread's trace for its lifetime, restoring the previous one after.
class ScopedTrace {
 public:
  explicit ScopedTrace(TraceContext trace);
  ~ScopedTrace();
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  TraceContext previous_;
};

}  // namespace kpo::core
