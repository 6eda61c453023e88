#pragma once

// Field checks shared by the daily kaizen service's resources.

#include <string>

#include "kpo/core/errors.h"

namespace kpo::daily::domain {

// A title or a short name; a text (problem, countermeasure, condition, answer).
inline constexpr size_t kMaxTitle = 200;
inline constexpr size_t kMaxText = 2000;
// How far back the date of a record (a coaching cycle, a gemba walk) may lie: one caught
// up later.
inline constexpr int kMaxRecordAgeDays = 365;

using kpo::core::CheckText;

}  // namespace kpo::daily::domain
