#pragma once

// Certification portfolios, the pure rules: which evidence each event of the other
// services credits to whom, the stable id of credited evidence, and the field rules of
// hand-entered evidence. No I/O.

#include <string>
#include <vector>

#include "kpo/common/v1/date.pb.h"
#include "kpo/core/errors.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/people/v1/development.pb.h"

namespace kpo::people::domain {

inline constexpr size_t kMaxEvidenceDescription = 4000;
inline constexpr int kMaxValueStreams = 20;

// One piece of evidence an event credits.
struct Credit {
  std::string person;
  v1::EvidenceKind kind = v1::EVIDENCE_KIND_UNSPECIFIED;
  // The resource that produced it.
  std::string source;
  std::string title;
  kpo::common::v1::Date date;  // unset: the application dates it (see below)
  std::string site;
  std::string area;
  std::string mentee;
};

// A completed kaizen event: its team members (participants) participation, its
// facilitator facilitation; a value stream analysis also credits everyone on it
// (facilitator included) with VALUE_STREAM_ANALYSIS. Dated by the completion date.
std::vector<Credit> CreditsOf(const kpo::kaizen::v1::KaizenEventCompleted& e);
// A coaching cycle: mentoring for the coach (mentee: the learner) and for the second
// coach, who coaches the coach (mentee: the coach). Dated by the cycle.
std::vector<Credit> CreditsOf(const kpo::daily::v1::CoachingCycleRecorded& e);
// An implemented idea: each submitter. Undated: the application uses the day of
// implementation at the idea's site.
std::vector<Credit> CreditsOf(const kpo::daily::v1::IdeaImplemented& e);
// A deployment task resolved ADOPTED or ADAPTED: PRACTICE_ADOPTED for the adopting
// team (the owner when none is named), PRACTICE_SPREAD for the originating team. Not
// applicable credits nobody. Undated: the day of resolution at the task's site.
std::vector<Credit> CreditsOf(const kpo::daily::v1::DeploymentTaskResolved& e);

// The id of credited evidence: stable for (kind, source), so that a redelivered or
// repeated event finds what it credited. "<kind>-<16 hex digits>".
std::string CreditedEvidenceId(v1::EvidenceKind kind, const std::string& source);

// Field rules of hand-entered evidence (violations of "<prefix><field>"); references
// (does the site exist?) are checked by the application.
void ValidateEvidence(const v1::Evidence& e, const std::string& prefix,
                      kpo::core::FieldViolations& v);

}  // namespace kpo::people::domain
