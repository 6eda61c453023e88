#pragma once

// The rules of gemba walks and their follow-up actions that need nothing but the
// resources. Pure functions.

#include "absl/time/civil_time.h"
#include "domain/fields.h"
#include "kpo/core/errors.h"
#include "kpo/daily/v1/resources.pb.h"

namespace kpo::daily::domain {

inline constexpr int kMaxObservations = 50;

// Field rules of a walk held on `today` at its site (violations of "gemba_walk.<field>"):
// leader and site names, an area of the site, a real date not after today and at most a
// year back, the three questions, the observations.
void ValidateGembaWalk(const v1::GembaWalk& w, absl::CivilDay today, kpo::core::FieldViolations& v);

// Field rules of a follow-up (violations of "follow_up.<field>").
void ValidateFollowUp(const v1::GembaFollowUp& f, kpo::core::FieldViolations& v);

// True for an OPEN follow-up due before `today`.
bool IsOverdue(const v1::GembaFollowUp& f, absl::CivilDay today);

}  // namespace kpo::daily::domain
