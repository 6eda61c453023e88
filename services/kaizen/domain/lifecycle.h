#pragma once

// The kaizen event lifecycle as an explicit state machine, and the gates that guard
// each transition. Pure: no I/O, no clock; everything needed is passed in.
//
//   PROPOSED -> CHARTERED -> IN_PROGRESS -> COMPLETED -> FOLLOW_UP -> SUSTAINED -> CLOSED
//       |           |                                        |
//       +-----------+-> CANCELLED                            +-> BACKSLID -> CLOSED
//
// Reopening a backslid event is not a transition: a new event links to it (`reopens`).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "kpo/core/errors.h"
#include "kpo/kaizen/v1/resources.pb.h"

namespace kpo::kaizen::domain {

using v1::EventState;

// Whether `from` -> `to` is an edge of the state machine.
bool IsAllowed(EventState from, EventState to);

// OK, or FAILED_PRECONDITION (reason INVALID_TRANSITION, metadata current_state and
// requested_state) whose message names both states and why the move is refused.
absl::Status CheckTransition(EventState from, EventState to);

// The phase whose required checklist items must be done to leave `from` for `to`
// (PHASE_UNSPECIFIED if none).
v1::Phase PhaseToLeave(EventState from, EventState to);

// Whether an event in `state` has not yet left `phase` (its items may still change,
// and a changed template still applies to it).
bool PhaseOpen(EventState state, v1::Phase phase);

// Required items of `phase` still open. Gate: FAILED_PRECONDITION (reason
// CHECKLIST_INCOMPLETE) listing them, or OK.
std::vector<const v1::ChecklistItem*> OpenRequiredItems(const v1::KaizenEvent& event,
                                                        v1::Phase phase);
absl::Status CheckChecklist(const v1::KaizenEvent& event, v1::Phase phase, EventState to);

// What chartering needs from the charter and metrics, as field violations
// (kaizen_event.charter.problem_statement, ...). `objective_ids` are the organization's
// strategic objective ids. Directory checks (are the people active?) are the caller's.
void CheckCharterComplete(const v1::KaizenEvent& event,
                          const std::vector<std::string>& objective_ids,
                          kpo::core::FieldViolations& v);

// Completion needs a result for every metric: violations name the metrics.
void CheckResultsRecorded(const v1::KaizenEvent& event, kpo::core::FieldViolations& v);

// Advice that never blocks: team size outside 5-8, no team member from outside the
// area is not knowable here, so only size.
std::vector<std::string> CharterWarnings(const v1::Charter& charter);

// Facilitator kind from the facilitator's directory roles.
v1::FacilitatorKind FacilitatorKindFromRoles(const std::vector<int>& roles);

// The standard-work checklist shipped by default, for organizations that have not
// defined their own.
std::vector<v1::ChecklistTemplateItem> DefaultChecklistTemplate();

const char* StateName(EventState state);

}  // namespace kpo::kaizen::domain
