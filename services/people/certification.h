#pragma once

// Certification, application layer: each organization's requirements per level, the
// Knowledge exam, applications reviewed by a certifier, certificates, "what does this
// person still need", and the time-driven work that publishes each certificate's
// expiry warning and expiry exactly once. Thread-safe.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/people/v1/development_service.pb.h"

namespace kpo::people {

class Certification {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  Certification(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
                kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::ListCertificationRequirementsResponse> ListCertificationRequirements(
      const Principal& p, const v1::ListCertificationRequirementsRequest& r) const;
  absl::StatusOr<v1::CertificationRequirements> GetCertificationRequirements(
      const Principal& p, const v1::GetCertificationRequirementsRequest& r) const;
  absl::StatusOr<v1::CertificationRequirements> UpdateCertificationRequirements(
      const Principal& p, const v1::UpdateCertificationRequirementsRequest& r) const;

  absl::StatusOr<v1::Certificate> RecordKnowledgeExam(
      const Principal& p, const v1::RecordKnowledgeExamRequest& r) const;
  absl::StatusOr<v1::Certificate> GetCertificate(const Principal& p,
                                                 const v1::GetCertificateRequest& r) const;
  absl::StatusOr<v1::ListCertificatesResponse> ListCertificates(
      const Principal& p, const v1::ListCertificatesRequest& r) const;
  absl::StatusOr<v1::CertificationProgress> GetCertificationProgress(
      const Principal& p, const v1::GetCertificationProgressRequest& r) const;

  absl::StatusOr<v1::CertificationApplication> CreateCertificationApplication(
      const Principal& p, const v1::CreateCertificationApplicationRequest& r) const;
  absl::StatusOr<v1::CertificationApplication> GetCertificationApplication(
      const Principal& p, const v1::GetCertificationApplicationRequest& r) const;
  absl::StatusOr<v1::ListCertificationApplicationsResponse> ListCertificationApplications(
      const Principal& p, const v1::ListCertificationApplicationsRequest& r) const;
  absl::StatusOr<v1::CertificationApplication> AwardCertification(
      const Principal& p, const v1::AwardCertificationRequest& r) const;
  absl::StatusOr<v1::CertificationApplication> ReturnCertificationApplication(
      const Principal& p, const v1::ReturnCertificationApplicationRequest& r) const;

  // The time-driven work, for every organization: each VALID certificate whose warning
  // period has begun at its holder's home site gets CertificateExpiring, each whose
  // expiry day has come becomes EXPIRED with CertificateExpired. Each transition is
  // checked and written in its own transaction with its event, so a certificate is
  // warned and expired once whatever the restarts and however many replicas run this.
  // Returns the events published.
  absl::StatusOr<int> PublishDue() const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

}  // namespace kpo::people
