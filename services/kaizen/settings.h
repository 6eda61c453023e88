#pragma once

// The organization's kaizen settings: audit offsets, the backslide threshold and the
// checklist template of standard work. A changed template reaches the events that have
// not yet left the phases it changes, in the same command. Knows nothing of gRPC.
// Thread-safe.

#include <memory>

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/kaizen/v1/kaizen_service.pb.h"

namespace kpo::kaizen {

namespace internal {
class Core;
}

class Settings {
 public:
  using Principal = kpo::auth::Principal;

  explicit Settings(std::shared_ptr<const internal::Core> core) : core_(std::move(core)) {}

  absl::StatusOr<v1::KaizenSettings> GetKaizenSettings(const Principal& p,
                                                       const v1::GetKaizenSettingsRequest& r);
  absl::StatusOr<v1::KaizenSettings> UpdateKaizenSettings(const Principal& p,
                                                          const v1::UpdateKaizenSettingsRequest& r);

 private:
  std::shared_ptr<const internal::Core> core_;
};

}  // namespace kpo::kaizen
