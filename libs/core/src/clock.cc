#include "kpo/core/clock.h"

namespace kpo::core {
namespace {
class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};
}  // namespace

Clock& Clock::Real() {
  static RealClock* const kClock = new RealClock();
  return *kClock;
}

}  // namespace kpo::core
