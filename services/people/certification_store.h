#pragma once

// Every SQL statement of certification: requirements per level, certificates and
// applications. Stateless: call within the caller's transaction.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/people/v1/certification.pb.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::people::store {

struct RequirementsRow {
  int64_t revision = 0;
  v1::CertificationRequirements requirements;
};
// The stored requirements of `level`; nullopt while the shipped defaults apply.
absl::StatusOr<std::optional<RequirementsRow>> LoadRequirements(kpo::storage::Transaction& tx,
                                                                const std::string& org,
                                                                v1::CertificationLevel level);
absl::Status SaveRequirements(kpo::storage::Transaction& tx, const std::string& org,
                              const v1::CertificationRequirements& r, int64_t revision);

struct CertificateRow {
  int64_t revision = 0;
  v1::Certificate certificate;
  int64_t due_day = 0;
};
absl::StatusOr<std::optional<CertificateRow>> LoadCertificate(kpo::storage::Transaction& tx,
                                                              const std::string& org,
                                                              const std::string& name);
// Writes `c` at `revision`; `due_day` (YYYYMMDD, 0: none) is when the time-driven work
// next has something to publish for it.
absl::Status SaveCertificate(kpo::storage::Transaction& tx, const std::string& org,
                             const v1::Certificate& c, int64_t revision, int64_t due_day);
// Every certificate of a person.
absl::StatusOr<std::vector<v1::Certificate>> PersonCertificates(kpo::storage::Transaction& tx,
                                                                const std::string& org,
                                                                const std::string& person);

struct CertificateFilter {
  std::string person;  // empty: everyone
  int level = 0;
  int state = 0;
  int64_t expire_before = 0;  // YYYYMMDD; 0: any
};
// By (award day, name).
absl::StatusOr<std::vector<v1::Certificate>> ListCertificates(kpo::storage::Transaction& tx,
                                                              const std::string& org,
                                                              const CertificateFilter& filter,
                                                              const kpo::storage::KeysetPage& page);

// Certificates of every organization with something due on or before `day`, in
// (due day, organization, name) order, after `after` (the previous batch's last; default
// from the start), up to `limit`.
struct DueCertificate {
  int64_t due_day = 0;
  std::string org;
  std::string name;
};
absl::StatusOr<std::vector<DueCertificate>> DueCertificates(kpo::storage::Transaction& tx,
                                                            int64_t day,
                                                            const DueCertificate& after, int limit);

struct ApplicationRow {
  int64_t revision = 0;
  v1::CertificationApplication application;
};
absl::StatusOr<std::optional<ApplicationRow>> LoadApplication(kpo::storage::Transaction& tx,
                                                              const std::string& org,
                                                              const std::string& name);
// `created`: microseconds since the epoch, the listing order (kept on updates).
absl::Status SaveApplication(kpo::storage::Transaction& tx, const std::string& org,
                             const v1::CertificationApplication& a, int64_t revision,
                             int64_t created);
// The SUBMITTED application of a person for a level, if any.
absl::StatusOr<std::optional<std::string>> OpenApplication(kpo::storage::Transaction& tx,
                                                           const std::string& org,
                                                           const std::string& person,
                                                           v1::CertificationLevel level);

struct ApplicationFilter {
  std::string person;  // empty: everyone
  int level = 0;
  int state = 0;
};
// By (creation, name).
absl::StatusOr<std::vector<v1::CertificationApplication>> ListApplications(
    kpo::storage::Transaction& tx, const std::string& org, const ApplicationFilter& filter,
    const kpo::storage::KeysetPage& page);

}  // namespace kpo::people::store
