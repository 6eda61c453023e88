#pragma once

// Action items of a kaizen event (the kaizen newspaper): what, who, by when, and
// whether it is done. Every change runs through the command shell. Knows nothing of
// gRPC. Thread-safe.

#include <memory>

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/kaizen/v1/kaizen_service.pb.h"

namespace kpo::kaizen {

namespace internal {
class Core;
}

class ActionItems {
 public:
  using Principal = kpo::auth::Principal;

  explicit ActionItems(std::shared_ptr<const internal::Core> core) : core_(std::move(core)) {}

  absl::StatusOr<v1::ActionItem> CreateActionItem(const Principal& p,
                                                  const v1::CreateActionItemRequest& r);
  absl::StatusOr<v1::ActionItem> UpdateActionItem(const Principal& p,
                                                  const v1::UpdateActionItemRequest& r);
  absl::StatusOr<v1::ListActionItemsResponse> ListActionItems(const Principal& p,
                                                              const v1::ListActionItemsRequest& r);

 private:
  std::shared_ptr<const internal::Core> core_;
};

}  // namespace kpo::kaizen
