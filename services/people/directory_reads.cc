#include "directory_reads.h"

#include "kpo/core/errors.h"

namespace kpo::people {

namespace pb = kpo::people::v1;

absl::StatusOr<bool> ManagesPerson(kpo::storage::Transaction& tx, const std::string& org,
                                   const pb::Person& person, const std::string& manager) {
  constexpr int kMaxChain = 20;
  std::string above = person.manager();
  for (int i = 0; i < kMaxChain && !above.empty(); ++i) {
    if (above == manager) return true;
    auto next = LoadDirectory<pb::Person>(tx, org, "person", above);
    if (!next.ok()) return next.status();
    if (!next->has_value()) return false;
    above = (*next)->manager();
  }
  return false;
}

absl::StatusOr<absl::CivilDay> TodayAt(kpo::storage::Transaction& tx, const std::string& org,
                                       const std::string& site, absl::Time now) {
  auto loaded = LoadDirectory<pb::Site>(tx, org, "site", site);
  if (!loaded.ok()) return loaded.status();
  absl::TimeZone zone = absl::UTCTimeZone();
  if (loaded->has_value()) absl::LoadTimeZone((*loaded)->time_zone(), &zone);
  return absl::ToCivilDay(now, zone);
}

bool IsCertifier(const kpo::auth::Principal& p) {
  return p.HasRole(kpo::auth::kKpoSpecialist) || p.HasRole(kpo::auth::kExternalSensei) ||
         p.HasRole(kpo::auth::kOrgAdmin);
}

absl::Status CheckActsFor(kpo::storage::Transaction& tx, const kpo::auth::Principal& p,
                          const pb::Person& person, absl::string_view reason,
                          absl::string_view what) {
  if (p.person_name() == person.name() || IsCertifier(p)) return absl::OkStatus();
  auto manages = ManagesPerson(tx, p.organization_id, person, p.person_name());
  if (!manages.ok()) return manages.status();
  if (*manages) return absl::OkStatus();
  return kpo::core::Error(
      absl::StatusCode::kPermissionDenied, reason,
      absl::StrCat(p.person_name(), " may not ", what, " for ", person.name(),
                   ": the person, their managers, the KPO, external senseis and org admins may"));
}

absl::Status CheckNotSelf(const kpo::auth::Principal& p, const std::string& person,
                          absl::string_view what) {
  if (p.person_name() != person) return absl::OkStatus();
  return kpo::core::Error(
      absl::StatusCode::kPermissionDenied, "SELF_REVIEW",
      absl::StrCat("nobody reviews their own ", what, "; ask another certifier"));
}

}  // namespace kpo::people
