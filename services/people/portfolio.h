#pragma once

// Certification portfolios, application layer: hand-entered evidence and its review by
// a certifier, reading a person's portfolio, and the consumer handlers that credit
// evidence from the kaizen and daily kaizen services' events — each credit once per
// person, kind and source, whatever the redeliveries. Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/events/consumer.h"
#include "kpo/events/outbox.h"
#include "kpo/people/v1/development_service.pb.h"

namespace kpo::people {

class Portfolio {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  Portfolio(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
            kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::Evidence> CreateEvidence(const Principal& p,
                                              const v1::CreateEvidenceRequest& r) const;
  absl::StatusOr<v1::Evidence> GetEvidence(const Principal& p,
                                           const v1::GetEvidenceRequest& r) const;
  absl::StatusOr<v1::ListEvidenceResponse> ListEvidence(const Principal& p,
                                                        const v1::ListEvidenceRequest& r) const;
  absl::StatusOr<v1::Evidence> ApproveEvidence(const Principal& p,
                                               const v1::ApproveEvidenceRequest& r) const;
  absl::StatusOr<v1::Evidence> RejectEvidence(const Principal& p,
                                              const v1::RejectEvidenceRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

// Credits the evidence of one event of the types below, in `tx`, publishing
// EvidenceCredited through `outbox`; other types change nothing. INVALID_ARGUMENT when
// the payload does not decode (the consumer dead-letters it).
absl::Status ApplyPortfolioEvent(kpo::storage::Transaction& tx, const kpo::events::Outbox& outbox,
                                 const kpo::common::v1::EventEnvelope& envelope);

// Registers the handlers of kpo.kaizen.v1.KaizenEventCompleted,
// kpo.daily.v1.CoachingCycleRecorded, IdeaImplemented and DeploymentTaskResolved:
// each credits its evidence (domain/portfolio.h) in the consumer's transaction and
// publishes EvidenceCredited through `outbox`. `outbox` must outlive the consumer.
void RegisterPortfolioHandlers(kpo::events::Consumer& consumer, const kpo::events::Outbox& outbox);

}  // namespace kpo::people
