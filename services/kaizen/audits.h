#pragma once

// Sustainment audits of kaizen events: listing the audits due, and recording one,
// which changes the event with it (a failed audit backslides it and skips the rest;
// the last passed audit sustains it) in the same command. Knows nothing of gRPC.
// Thread-safe.

#include <memory>

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/kaizen/v1/kaizen_service.pb.h"

namespace kpo::kaizen {

namespace internal {
class Core;
}

class Audits {
 public:
  using Principal = kpo::auth::Principal;

  explicit Audits(std::shared_ptr<const internal::Core> core) : core_(std::move(core)) {}

  absl::StatusOr<v1::ListAuditsResponse> ListAudits(const Principal& p,
                                                    const v1::ListAuditsRequest& r);
  absl::StatusOr<v1::Audit> RecordAudit(const Principal& p, const v1::RecordAuditRequest& r);

 private:
  std::shared_ptr<const internal::Core> core_;
};

}  // namespace kpo::kaizen
