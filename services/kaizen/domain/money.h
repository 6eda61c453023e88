#pragma once

// Money of kaizen events (kpo/core/money.h: integer minor units and ISO 4217 codes,
// never floating point). Pure.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "kpo/common/v1/money.pb.h"
#include "kpo/core/errors.h"
#include "kpo/core/money.h"
#include "kpo/kaizen/v1/resources.pb.h"

namespace kpo::kaizen::domain {

// Field rules of an event's money: every amount (kpo::core::ValidateMoney), and each
// saving's recurrence and kind.
void ValidateEventMoney(const v1::EventMoney& money, const std::string& prefix,
                        kpo::core::FieldViolations& v);

// Totals per currency (minor units).
using Totals = kpo::core::MoneyTotals;

// Value of savings over `years` years per currency: a one-time saving counts once, an
// annual saving `years` times. Realized savings count only once finance validated them.
absl::StatusOr<Totals> SavingsOver(const v1::EventMoney& money, int years, bool realized);

}  // namespace kpo::kaizen::domain
