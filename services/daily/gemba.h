#pragma once

// Gemba walks and their follow-up actions, the application layer. The leader (the
// caller by default) records a walk at a site: the three questions, what was observed,
// and follow-ups with owners and due dates; overdue follow-ups are listable across the
// organization, "overdue" in the civil days of each walk's site. Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/daily/v1/daily_service.pb.h"

namespace kpo::daily {

class Gemba {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  Gemba(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
        kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::GembaWalk> CreateGembaWalk(const Principal& p,
                                                const v1::CreateGembaWalkRequest& r) const;
  absl::StatusOr<v1::GembaWalk> GetGembaWalk(const Principal& p,
                                             const v1::GetGembaWalkRequest& r) const;
  absl::StatusOr<v1::ListGembaWalksResponse> ListGembaWalks(
      const Principal& p, const v1::ListGembaWalksRequest& r) const;
  absl::StatusOr<v1::GembaWalk> UpdateGembaWalk(const Principal& p,
                                                const v1::UpdateGembaWalkRequest& r) const;

  absl::StatusOr<v1::GembaFollowUp> CreateGembaFollowUp(
      const Principal& p, const v1::CreateGembaFollowUpRequest& r) const;
  absl::StatusOr<v1::GembaFollowUp> GetGembaFollowUp(const Principal& p,
                                                     const v1::GetGembaFollowUpRequest& r) const;
  absl::StatusOr<v1::ListGembaFollowUpsResponse> ListGembaFollowUps(
      const Principal& p, const v1::ListGembaFollowUpsRequest& r) const;
  absl::StatusOr<v1::GembaFollowUp> UpdateGembaFollowUp(
      const Principal& p, const v1::UpdateGembaFollowUpRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

}  // namespace kpo::daily
