#pragma once

// Kaizen events, the application layer of the event aggregate: creation (and the redo
// of a backslid event), reads and lists, updates, the lifecycle with its gates, the
// checklist of standard work and finance's validation of savings. Every change runs
// through the command shell (kpo/command) and Core::ChangeEvent, so each one is one
// transaction with its outbox events and request_id record. Knows nothing of gRPC.
// Thread-safe.

#include <memory>

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/kaizen/v1/kaizen_service.pb.h"

namespace kpo::kaizen {

namespace internal {
class Core;
}

// Migrations of component "kaizen".
const std::vector<kpo::storage::Migration>& Migrations();

// Shared by the kaizen application classes (kaizen_events, action_items, audits,
// settings); create one and pass it to each. References must outlive it.
std::shared_ptr<const internal::Core> NewCore(const kpo::command::Runner& commands,
                                              const kpo::core::PageTokenCodec& tokens,
                                              kpo::core::PageOptions pages = {});

class KaizenEvents {
 public:
  using Principal = kpo::auth::Principal;

  explicit KaizenEvents(std::shared_ptr<const internal::Core> core) : core_(std::move(core)) {}

  absl::StatusOr<v1::KaizenEvent> CreateKaizenEvent(const Principal& p,
                                                    const v1::CreateKaizenEventRequest& r);
  absl::StatusOr<v1::KaizenEvent> GetKaizenEvent(const Principal& p,
                                                 const v1::GetKaizenEventRequest& r);
  absl::StatusOr<v1::ListKaizenEventsResponse> ListKaizenEvents(
      const Principal& p, const v1::ListKaizenEventsRequest& r);
  absl::StatusOr<v1::KaizenEvent> UpdateKaizenEvent(const Principal& p,
                                                    const v1::UpdateKaizenEventRequest& r);
  absl::StatusOr<v1::KaizenEvent> CharterKaizenEvent(const Principal& p,
                                                     const v1::TransitionRequest& r);
  absl::StatusOr<v1::KaizenEvent> StartKaizenEvent(const Principal& p,
                                                   const v1::TransitionRequest& r);
  absl::StatusOr<v1::KaizenEvent> CompleteKaizenEvent(const Principal& p,
                                                      const v1::CompleteKaizenEventRequest& r);
  absl::StatusOr<v1::KaizenEvent> StartFollowUp(const Principal& p, const v1::TransitionRequest& r);
  absl::StatusOr<v1::KaizenEvent> CloseKaizenEvent(const Principal& p,
                                                   const v1::TransitionRequest& r);
  absl::StatusOr<v1::KaizenEvent> CancelKaizenEvent(const Principal& p,
                                                    const v1::CancelKaizenEventRequest& r);
  absl::StatusOr<v1::KaizenEvent> CompleteChecklistItem(const Principal& p,
                                                        const v1::CompleteChecklistItemRequest& r);
  absl::StatusOr<v1::KaizenEvent> ValidateSavings(const Principal& p,
                                                  const v1::ValidateSavingsRequest& r);

 private:
  std::shared_ptr<const internal::Core> core_;
};

}  // namespace kpo::kaizen
