#pragma once

// Kaizen circles, the application layer: small standing teams at an area that own
// ideas. Created, read, listed, changed (name, members, leader) and deactivated through
// the command shell; members, site and area are checked against the directory replica.
// Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/errors.h"
#include "kpo/core/pagination.h"
#include "kpo/daily/v1/daily_service.pb.h"

namespace kpo::daily {

inline constexpr int kMaxCircleMembers = 30;

class Circles {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  Circles(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
          kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::Circle> CreateCircle(const Principal& p,
                                          const v1::CreateCircleRequest& r) const;
  absl::StatusOr<v1::Circle> GetCircle(const Principal& p, const v1::GetCircleRequest& r) const;
  absl::StatusOr<v1::ListCirclesResponse> ListCircles(const Principal& p,
                                                      const v1::ListCirclesRequest& r) const;
  absl::StatusOr<v1::Circle> UpdateCircle(const Principal& p,
                                          const v1::UpdateCircleRequest& r) const;
  absl::StatusOr<v1::Circle> DeactivateCircle(const Principal& p,
                                              const v1::DeactivateCircleRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

// Within a command: the circle an idea names must be an active circle of the idea's
// site; otherwise a violation of "idea.circle".
absl::Status CheckIdeaCircle(kpo::storage::Transaction& tx, const std::string& org,
                             const v1::Idea& idea, kpo::core::FieldViolations& v);

}  // namespace kpo::daily
