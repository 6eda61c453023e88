#pragma once

// The KPO office's pure rules: the field rules of a membership and its monthly cost.

#include <string>

#include "kpo/core/errors.h"
#include "kpo/people/v1/development.pb.h"

namespace kpo::people::domain {

// Violations of "<prefix><field>"; the person and the value stream are checked
// against the directory by the application.
void ValidateKpoMember(const v1::KpoMember& m, const std::string& prefix,
                       kpo::core::FieldViolations& v);

// What one month of the membership costs the KPO: cost_per_month x time_share / 100,
// in minor units, rounded half up.
int64_t MonthlyCost(const v1::KpoMember& m);

}  // namespace kpo::people::domain
