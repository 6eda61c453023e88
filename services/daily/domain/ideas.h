#pragma once

// The rules of an idea that need nothing but the idea: its lifecycle and its fields.
// Pure functions; no storage, no directory.

#include <string>

#include "absl/status/status.h"
#include "domain/fields.h"
#include "kpo/core/errors.h"
#include "kpo/daily/v1/resources.pb.h"

namespace kpo::daily::domain {

inline constexpr int kMaxSubmitters = 20;

// "SUBMITTED" for IDEA_STATE_SUBMITTED.
std::string StateName(v1::IdeaState state);

// True on the lifecycle's edges: SUBMITTED -> ACCEPTED, REJECTED or WITHDRAWN;
// ACCEPTED -> IN_PROGRESS or IMPLEMENTED (a quick fix); IN_PROGRESS -> IMPLEMENTED;
// IMPLEMENTED -> STANDARDIZED.
bool IsAllowed(v1::IdeaState from, v1::IdeaState to);

// OK on an edge; otherwise FAILED_PRECONDITION, reason INVALID_TRANSITION, metadata
// current_state and requested_state, and a message that says why.
absl::Status CheckTransition(v1::IdeaState from, v1::IdeaState to);

// States in which the content (title, problem, countermeasure, category, area,
// strategic objective) may still change.
bool IsEditable(v1::IdeaState state);

// Field rules of an idea as the caller wrote it (output-only fields are not looked at);
// each problem is a violation of "idea.<field>".
void ValidateIdea(const v1::Idea& idea, kpo::core::FieldViolations& v);

// Field rules of an idea's impact in `state` (violations of "idea.impact.*"): every
// amount a valid, non-negative sum in one currency, recurrence and kind once any amount
// is set, and the actual only once the idea is implemented.
void ValidateImpact(const v1::Impact& impact, v1::IdeaState state, kpo::core::FieldViolations& v);

// True when the impact may still change: the idea was neither rejected nor withdrawn,
// and finance has not validated it.
bool IsImpactEditable(const v1::Idea& idea);

}  // namespace kpo::daily::domain
