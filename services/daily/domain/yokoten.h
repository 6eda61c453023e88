#pragma once

// The rules of yokoten that need nothing but the resources: the deployment task's
// lifecycle (OPEN -> ADOPTED, ADAPTED or NOT_APPLICABLE, all final), the reason each
// outcome needs, and the fields of targets and tasks. Pure functions.

#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "domain/fields.h"
#include "kpo/core/errors.h"
#include "kpo/daily/v1/resources.pb.h"

namespace kpo::daily::domain {

inline constexpr int kMaxTargets = 50;
inline constexpr int kMaxAdoptingTeam = 30;

// "ADOPTED" for DEPLOYMENT_STATE_ADOPTED.
std::string DeploymentStateName(v1::DeploymentState state);

// True on the edges OPEN -> ADOPTED, ADAPTED, NOT_APPLICABLE.
bool IsAllowed(v1::DeploymentState from, v1::DeploymentState to);

// OK on an edge; otherwise FAILED_PRECONDITION, reason INVALID_TRANSITION, metadata
// current_state and requested_state.
absl::Status CheckTransition(v1::DeploymentState from, v1::DeploymentState to);

// A resolution's fields: the outcome one of the three, a reason for ADAPTED and
// NOT_APPLICABLE (violations of "outcome", "reason").
void ValidateResolution(v1::DeploymentState outcome, const std::string& reason,
                        kpo::core::FieldViolations& v);

// A target or task place and its owner and due date (violations of
// "<prefix>.site", ".area", ".owner", ".due_date"); not the same place as
// `origin_site`/`origin_area` (the idea's own).
void ValidatePlace(const std::string& site, const std::string& area, const std::string& owner,
                   const kpo::common::v1::Date* due_date, const std::string& origin_site,
                   const std::string& origin_area, const std::string& prefix,
                   kpo::core::FieldViolations& v);

// True for an OPEN task due before `today`.
bool IsOverdue(const v1::DeploymentTask& t, absl::CivilDay today);

}  // namespace kpo::daily::domain
