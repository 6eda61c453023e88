#pragma once

// Certification, the pure rules: the shipped requirements of each portfolio level and
// their field rules, the prerequisites between levels, validity and expiry dates, the
// level a person works toward next, and the evaluation of a level against a person's
// portfolio and certificates ("what does this person still need"). No I/O.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "kpo/core/errors.h"
#include "kpo/people/v1/certification.pb.h"
#include "kpo/people/v1/development.pb.h"

namespace kpo::people::domain {

inline constexpr int kMaxRequirementCount = 100;
inline constexpr int kMaxValidityMonths = 120;
inline constexpr int kMaxWarningDays = 365;

// BRONZE, SILVER, GOLD.
bool IsPortfolioLevel(v1::CertificationLevel level);
// "bronze", "silver", "gold" (the resource id); empty for other levels.
std::string LevelId(v1::CertificationLevel level);
// The inverse of LevelId; UNSPECIFIED for anything else.
v1::CertificationLevel LevelFromId(absl::string_view id);

// The shipped requirements of a portfolio level (name and update_time unset; revision 0).
v1::CertificationRequirements DefaultRequirements(v1::CertificationLevel level);
// Knowledge for Bronze; Knowledge and Bronze for Silver; Knowledge, Bronze and Silver
// for Gold.
std::vector<v1::CertificationLevel> Prerequisites(v1::CertificationLevel level);

// Field rules of the writable fields (violations of "<prefix><field>").
void ValidateRequirements(const v1::CertificationRequirements& r, const std::string& prefix,
                          kpo::core::FieldViolations& v);

// `day` plus `months` calendar months, the day clamped to the end of a shorter month
// (31 January + 1 month = 28 or 29 February).
absl::CivilDay AddMonths(absl::CivilDay day, int months);
// VALID and, when it expires, `today` before its expire_date.
bool IsValidOn(const v1::Certificate& c, absl::CivilDay today);
// The first day of the warning period: expire_date - warning_days.
absl::CivilDay WarningDay(const v1::Certificate& c, int warning_days);

// The requirements of every portfolio level in force in an organization, indexed by
// level (BRONZE..GOLD).
struct LevelRequirements {
  v1::CertificationRequirements bronze, silver, gold;
  const v1::CertificationRequirements& Of(v1::CertificationLevel level) const;
};

// The latest certificate of `level` that is VALID or EXPIRED (the one a
// recertification renews); nullptr when none.
const v1::Certificate* Held(const std::vector<v1::Certificate>& certificates,
                            v1::CertificationLevel level);

// The level a person works toward: the held valid level whose warning period has
// begun (its recertification), otherwise the level above the highest valid one (Gold
// when Gold is held).
v1::CertificationLevel NextLevel(const std::vector<v1::Certificate>& certificates,
                                 const LevelRequirements& requirements, absl::CivilDay today);

// Evaluates `level` for a person with `certificates` and portfolio `evidence` on
// `today` (the person's home site's day). Sets every field of CertificationProgress
// but name, person and open_application; `ready` ignores open applications (the caller
// clears it when one is open).
v1::CertificationProgress Evaluate(v1::CertificationLevel level,
                                   const v1::CertificationRequirements& requirements,
                                   const std::vector<v1::Certificate>& certificates,
                                   const std::vector<v1::Evidence>& evidence, absl::CivilDay today);

// What is still missing in `progress`, as "KIND=n" items joined by "," (for errors).
std::string MissingSummary(const v1::CertificationProgress& progress);

}  // namespace kpo::people::domain
