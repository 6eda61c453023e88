#pragma once

// Ideas (quick kaizen), the application layer: submission with the reviewer's default,
// reads and lists, content updates, the reviewer's reassignment and the lifecycle.
// Every change runs through the command shell (kpo/command): one transaction with its
// outbox event and request_id record. People, sites, areas and strategic objectives are
// checked against the directory replica. Knows nothing of gRPC. Thread-safe.

#include <vector>

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/daily/v1/daily_service.pb.h"
#include "store.h"

namespace kpo::daily {

// Migrations of component "daily".
const std::vector<kpo::storage::Migration>& Migrations();

class Ideas {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  Ideas(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
        kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::Idea> CreateIdea(const Principal& p, const v1::CreateIdeaRequest& r) const;
  absl::StatusOr<v1::Idea> GetIdea(const Principal& p, const v1::GetIdeaRequest& r) const;
  absl::StatusOr<v1::ListIdeasResponse> ListIdeas(const Principal& p,
                                                  const v1::ListIdeasRequest& r) const;
  absl::StatusOr<v1::Idea> UpdateIdea(const Principal& p, const v1::UpdateIdeaRequest& r) const;
  absl::StatusOr<v1::Idea> ReassignIdeaReviewer(const Principal& p,
                                                const v1::ReassignIdeaReviewerRequest& r) const;
  absl::StatusOr<v1::Idea> AcceptIdea(const Principal& p, const v1::AcceptIdeaRequest& r) const;
  absl::StatusOr<v1::Idea> RejectIdea(const Principal& p, const v1::RejectIdeaRequest& r) const;
  absl::StatusOr<v1::Idea> StartIdea(const Principal& p, const v1::StartIdeaRequest& r) const;
  absl::StatusOr<v1::Idea> ImplementIdea(const Principal& p,
                                         const v1::ImplementIdeaRequest& r) const;
  absl::StatusOr<v1::Idea> StandardizeIdea(const Principal& p,
                                           const v1::StandardizeIdeaRequest& r) const;
  absl::StatusOr<v1::Idea> WithdrawIdea(const Principal& p, const v1::WithdrawIdeaRequest& r) const;
  absl::StatusOr<v1::ListReviewBacklogResponse> ListReviewBacklog(
      const Principal& p, const v1::ListReviewBacklogRequest& r) const;
  absl::StatusOr<v1::Idea> ValidateIdeaImpact(const Principal& p,
                                              const v1::ValidateIdeaImpactRequest& r) const;

 private:
  struct Change;
  using ChangeFn = std::function<absl::StatusOr<Change>(kpo::command::Context&, v1::Idea&)>;
  // A whole command on one idea: the name's shape and tenancy, request_id replay, the
  // idea loaded and its etag checked, `fn`, and (if it changed) the idea stored at the
  // next revision with its event.
  absl::StatusOr<v1::Idea> Mutate(const Principal& p, const char* method,
                                  const google::protobuf::Message& request, const std::string& name,
                                  const std::string& etag, const std::string& request_id,
                                  const ChangeFn& fn) const;
  // A lifecycle step: the state machine, then `gate` (who may, extra fields), then the
  // new state and its event.
  absl::StatusOr<v1::Idea> Transition(
      const Principal& p, const char* method, const google::protobuf::Message& request,
      const std::string& name, const std::string& etag, const std::string& request_id,
      v1::IdeaState to,
      const std::function<absl::Status(kpo::command::Context&, v1::Idea&)>& gate) const;

  // One page of ideas: `filter` (read in the page's snapshot) selects them.
  absl::Status Page(
      const Principal& p, int32_t page_size, const std::string& page_token, std::string scope,
      const std::function<absl::StatusOr<store::IdeaFilter>(kpo::storage::Transaction&)>& filter,
      google::protobuf::RepeatedPtrField<v1::Idea>& ideas, std::string& next_page_token) const;

  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

}  // namespace kpo::daily
