#include "domain/money.h"

#include "absl/strings/str_cat.h"
#include "kpo/core/enums.h"
#include "kpo/core/money.h"

namespace kpo::kaizen::domain {

void ValidateEventMoney(const v1::EventMoney& money, const std::string& prefix,
                        kpo::core::FieldViolations& v) {
  if (money.has_event_cost())
    kpo::core::ValidateMoney(money.event_cost(), prefix + "event_cost", v);
  auto savings = [&](const auto& list, const char* name) {
    for (int i = 0; i < list.size(); ++i) {
      const std::string f = absl::StrCat(prefix, name, "[", i, "]");
      kpo::core::ValidateMoney(list[i].amount(), f + ".amount", v);
      kpo::core::CheckEnum(v1::Recurrence_descriptor(), list[i].recurrence(), f + ".recurrence",
                           true, v);
      kpo::core::CheckEnum(v1::SavingsKind_descriptor(), list[i].kind(), f + ".kind", true, v);
    }
  };
  savings(money.estimated_savings(), "estimated_savings");
  savings(money.realized_savings(), "realized_savings");
}

absl::StatusOr<Totals> SavingsOver(const v1::EventMoney& money, int years, bool realized) {
  Totals totals;
  if (realized && !money.validation().validated()) return totals;
  for (const auto& s : realized ? money.realized_savings() : money.estimated_savings()) {
    kpo::common::v1::Money amount = s.amount();
    if (s.recurrence() == v1::ANNUAL) {
      int64_t scaled = 0;
      if (__builtin_mul_overflow(amount.minor_units(), static_cast<int64_t>(years), &scaled)) {
        return absl::OutOfRangeError(absl::StrCat("savings in ", amount.currency_code(), " over ",
                                                  years, " years overflow"));
      }
      amount.set_minor_units(scaled);
    }
    if (absl::Status st = kpo::core::AddMoney(totals, amount); !st.ok()) return st;
  }
  return totals;
}

}  // namespace kpo::kaizen::domain
