#pragma once

// The curriculum, the pure rules: field rules of training modules, learning paths and
// sessions, and the state an outcome gives an enrolment. No I/O; references (does the
// competency exist?) are checked by the application.

#include <string>

#include "kpo/core/errors.h"
#include "kpo/people/v1/curriculum.pb.h"

namespace kpo::people::domain {

inline constexpr int kMaxModuleCompetencies = 20;
inline constexpr int kMaxPathModules = 50;
inline constexpr int kMinModuleMinutes = 15;
inline constexpr int kMaxModuleMinutes = 7 * 24 * 60;
inline constexpr int kMaxSessionCapacity = 500;

// Violations of "<prefix><field>".
void ValidateModule(const v1::TrainingModule& m, const std::string& prefix,
                    kpo::core::FieldViolations& v);
void ValidatePath(const v1::LearningPath& p, const std::string& prefix,
                  kpo::core::FieldViolations& v);
void ValidateSession(const v1::TrainingSession& s, const std::string& prefix,
                     kpo::core::FieldViolations& v);

// COMPLETED (attended and passed), ATTENDED (attended, not passed) or NO_SHOW.
v1::EnrolmentState OutcomeState(bool attended, bool passed);
// Holds a seat: ENROLLED, ATTENDED, COMPLETED or NO_SHOW.
bool HoldsSeat(v1::EnrolmentState state);

}  // namespace kpo::people::domain
