#pragma once

// Yokoten, the application layer: an implemented idea shared as a good practice with
// the places it should be checked against; each place's deployment task ends ADOPTED,
// ADAPTED or NOT_APPLICABLE, crediting the adopting team and the originating one.
// Overdue tasks count in the civil days of their site. Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/daily/v1/daily_service.pb.h"

namespace kpo::daily {

class Yokoten {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  Yokoten(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
          kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::Practice> SharePractice(const Principal& p,
                                             const v1::SharePracticeRequest& r) const;
  absl::StatusOr<v1::Practice> GetPractice(const Principal& p,
                                           const v1::GetPracticeRequest& r) const;
  absl::StatusOr<v1::ListPracticesResponse> ListPractices(const Principal& p,
                                                          const v1::ListPracticesRequest& r) const;

  absl::StatusOr<v1::DeploymentTask> CreateDeploymentTask(
      const Principal& p, const v1::CreateDeploymentTaskRequest& r) const;
  absl::StatusOr<v1::DeploymentTask> GetDeploymentTask(const Principal& p,
                                                       const v1::GetDeploymentTaskRequest& r) const;
  absl::StatusOr<v1::ListDeploymentTasksResponse> ListDeploymentTasks(
      const Principal& p, const v1::ListDeploymentTasksRequest& r) const;
  absl::StatusOr<v1::DeploymentTask> UpdateDeploymentTask(
      const Principal& p, const v1::UpdateDeploymentTaskRequest& r) const;
  absl::StatusOr<v1::DeploymentTask> ResolveDeploymentTask(
      const Principal& p, const v1::ResolveDeploymentTaskRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

}  // namespace kpo::daily
