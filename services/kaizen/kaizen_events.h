#pragma once

// The kaizen events application layer: tenancy, validation (domain/), directory
// checks against the local replica, the lifecycle with its gates, standard work,
// audits and money, persisted with the outbox in one transaction per command.
// Knows nothing of gRPC. Thread-safe.

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/core/clock.h"
#include "kpo/core/page_token.h"
#include "kpo/events/outbox.h"
#include "kpo/kaizen/v1/kaizen_service.pb.h"
#include "kpo/storage/database.h"

namespace kpo::kaizen {

// Migrations of component "kaizen".
const std::vector<kpo::storage::Migration>& Migrations();

class KaizenEvents {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive this object. `on_commit` wakes the outbox relay.
  KaizenEvents(kpo::storage::Database& db, const kpo::events::Outbox& outbox,
               const kpo::core::Clock& clock, const kpo::core::PageTokenCodec& tokens,
               std::function<void()> on_commit);
  ~KaizenEvents();

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
  absl::StatusOr<v1::ActionItem> CreateActionItem(const Principal& p,
                                                  const v1::CreateActionItemRequest& r);
  absl::StatusOr<v1::ActionItem> UpdateActionItem(const Principal& p,
                                                  const v1::UpdateActionItemRequest& r);
  absl::StatusOr<v1::ListActionItemsResponse> ListActionItems(const Principal& p,
                                                              const v1::ListActionItemsRequest& r);
  absl::StatusOr<v1::ListAuditsResponse> ListAudits(const Principal& p,
                                                    const v1::ListAuditsRequest& r);
  absl::StatusOr<v1::Audit> RecordAudit(const Principal& p, const v1::RecordAuditRequest& r);
  absl::StatusOr<v1::KaizenSettings> GetKaizenSettings(const Principal& p,
                                                       const v1::GetKaizenSettingsRequest& r);
  absl::StatusOr<v1::KaizenSettings> UpdateKaizenSettings(const Principal& p,
                                                          const v1::UpdateKaizenSettingsRequest& r);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kpo::kaizen
