#pragma once

// Personal development plans, application layer: a person's plan (aspiration, focus
// competencies, review date) and its study items with their status and dates. The
// person and the managers above them write it; they, the KPO and org admins read it.
// Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/people/v1/development_service.pb.h"

namespace kpo::people {

class DevelopmentPlans {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  DevelopmentPlans(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
                   kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::DevelopmentPlan> GetDevelopmentPlan(
      const Principal& p, const v1::GetDevelopmentPlanRequest& r) const;
  absl::StatusOr<v1::DevelopmentPlan> UpdateDevelopmentPlan(
      const Principal& p, const v1::UpdateDevelopmentPlanRequest& r) const;
  absl::StatusOr<v1::StudyItem> CreateStudyItem(const Principal& p,
                                                const v1::CreateStudyItemRequest& r) const;
  absl::StatusOr<v1::StudyItem> GetStudyItem(const Principal& p,
                                             const v1::GetStudyItemRequest& r) const;
  absl::StatusOr<v1::ListStudyItemsResponse> ListStudyItems(
      const Principal& p, const v1::ListStudyItemsRequest& r) const;
  absl::StatusOr<v1::StudyItem> UpdateStudyItem(const Principal& p,
                                                const v1::UpdateStudyItemRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

}  // namespace kpo::people
