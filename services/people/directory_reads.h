#pragma once

// Reads of the directory that people development's application classes share, and the
// access rules built on them: a resource as its message, whether someone manages a
// person, today at a site, who may act for a person, who certifies. Call within the
// caller's transaction.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kpo/auth/auth.h"
#include "kpo/people/v1/resources.pb.h"
#include "kpo/storage/database.h"
#include "store.h"

namespace kpo::people {

// A directory resource of `kind` as its message; nullopt when it does not exist.
template <class T>
absl::StatusOr<std::optional<T>> LoadDirectory(kpo::storage::Transaction& tx,
                                               const std::string& org, const char* kind,
                                               const std::string& name) {
  auto row = store::Load(tx, org, kind, name);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return std::optional<T>();
  T out;
  if (!out.ParseFromString((*row)->data)) {
    return absl::InternalError(absl::StrCat("corrupt ", kind, " ", name));
  }
  return std::optional<T>(std::move(out));
}

// Whether `manager` is a manager of `person`, anywhere up the chain (followed 20 levels
// at most).
absl::StatusOr<bool> ManagesPerson(kpo::storage::Transaction& tx, const std::string& org,
                                   const v1::Person& person, const std::string& manager);

// Today at `site` (UTC when the site or its zone is unknown).
absl::StatusOr<absl::CivilDay> TodayAt(kpo::storage::Transaction& tx, const std::string& org,
                                       const std::string& site, absl::Time now);

// kpo_specialist, external_sensei and org_admin: who reviews evidence and certifies.
bool IsCertifier(const kpo::auth::Principal& p);

// The person themself, a manager above them or a certifier may act for `person`;
// anyone else gets PERMISSION_DENIED with `reason`, told that they may not `what`
// ("enter evidence").
absl::Status CheckActsFor(kpo::storage::Transaction& tx, const kpo::auth::Principal& p,
                          const v1::Person& person, absl::string_view reason,
                          absl::string_view what);

// PERMISSION_DENIED with reason SELF_REVIEW when the caller is `person`: nobody
// decides on their own evidence or certification (`what`: "evidence").
absl::Status CheckNotSelf(const kpo::auth::Principal& p, const std::string& person,
                          absl::string_view what);

}  // namespace kpo::people
