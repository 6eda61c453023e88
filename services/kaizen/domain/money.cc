#include "domain/money.h"

#include "absl/strings/str_cat.h"
#include "kpo/core/enums.h"

namespace kpo::kaizen::domain {

void ValidateMoney(const kpo::common::v1::Money& money, const std::string& field,
                   kpo::core::FieldViolations& v) {
  const std::string& code = money.currency_code();
  const bool code_ok = code.size() == 3 && std::all_of(code.begin(), code.end(),
                                                       [](char c) { return c >= 'A' && c <= 'Z'; });
  if (!code_ok) {
    v.Add(field + ".currency_code", "must be an ISO 4217 code such as EUR or USD");
  }
  if (money.minor_units() < 0) v.Add(field + ".minor_units", "must not be negative");
}

void ValidateEventMoney(const v1::EventMoney& money, const std::string& prefix,
                        kpo::core::FieldViolations& v) {
  if (money.has_event_cost()) ValidateMoney(money.event_cost(), prefix + "event_cost", v);
  auto savings = [&](const auto& list, const char* name) {
    for (int i = 0; i < list.size(); ++i) {
      const std::string f = absl::StrCat(prefix, name, "[", i, "]");
      ValidateMoney(list[i].amount(), f + ".amount", v);
      kpo::core::CheckEnum(v1::Recurrence_descriptor(), list[i].recurrence(), f + ".recurrence",
                           true, v);
      kpo::core::CheckEnum(v1::SavingsKind_descriptor(), list[i].kind(), f + ".kind", true, v);
    }
  };
  savings(money.estimated_savings(), "estimated_savings");
  savings(money.realized_savings(), "realized_savings");
}

absl::Status Add(Totals& totals, const kpo::common::v1::Money& money) {
  int64_t& total = totals[money.currency_code()];
  int64_t sum = 0;
  if (__builtin_add_overflow(total, money.minor_units(), &sum)) {
    return absl::OutOfRangeError(absl::StrCat("sum of ", money.currency_code(), " overflows"));
  }
  total = sum;
  return absl::OkStatus();
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
    if (absl::Status st = Add(totals, amount); !st.ok()) return st;
  }
  return totals;
}

}  // namespace kpo::kaizen::domain
