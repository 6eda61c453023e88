#pragma once

// Development plans, the pure rules: field rules of a plan and its study items, and the
// dates a status change sets. No I/O.

#include <string>

#include "absl/time/civil_time.h"
#include "kpo/core/errors.h"
#include "kpo/people/v1/development_plan.pb.h"

namespace kpo::people::domain {

inline constexpr int kMaxFocusCompetencies = 10;

// Violations of "<prefix><field>".
void ValidatePlan(const v1::DevelopmentPlan& plan, const std::string& prefix,
                  kpo::core::FieldViolations& v);
void ValidateStudyItem(const v1::StudyItem& item, const std::string& prefix,
                       kpo::core::FieldViolations& v);

// Going IN_PROGRESS sets start_date, DONE sets done_date (and start_date when it has
// none), each to `today` unless already set.
void StampStatusDates(v1::StudyItem& item, absl::CivilDay today);

}  // namespace kpo::people::domain
