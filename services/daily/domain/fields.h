#pragma once

// Field checks shared by the daily kaizen service's resources.

#include <string>

#include "absl/strings/str_cat.h"
#include "kpo/core/errors.h"

namespace kpo::daily::domain {

// A title or a short name; a text (problem, countermeasure, condition, answer).
inline constexpr size_t kMaxTitle = 200;
inline constexpr size_t kMaxText = 2000;
// How far back the date of a record (a coaching cycle, a gemba walk) may lie: one caught
// up later.
inline constexpr int kMaxRecordAgeDays = 365;

// A text field: a violation of `field` when required and empty, or longer than `max`.
inline void CheckText(const std::string& value, const std::string& field, size_t max, bool required,
                      kpo::core::FieldViolations& v) {
  if (required && value.empty()) {
    v.Add(field, "is required");
  } else if (value.size() > max) {
    v.Add(field, absl::StrCat("at most ", max, " characters"));
  }
}

}  // namespace kpo::daily::domain
