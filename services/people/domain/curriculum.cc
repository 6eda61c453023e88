#include "domain/curriculum.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace kpo::people::domain {

namespace pb = kpo::people::v1;

namespace {

// 1..max names, no repeats (violations of "<field>[i]" for the repeats).
void CheckNames(const google::protobuf::RepeatedPtrField<std::string>& names,
                const std::string& field, int max, const char* what,
                kpo::core::FieldViolations& v) {
  if (names.empty() || names.size() > max) {
    v.Add(field, absl::StrCat("must name 1-", max, " ", what));
    return;
  }
  std::set<std::string> seen;
  for (int i = 0; i < names.size(); ++i) {
    if (names[i].empty()) {
      v.Add(absl::StrCat(field, "[", i, "]"), "is empty");
    } else if (!seen.insert(names[i]).second) {
      v.Add(absl::StrCat(field, "[", i, "]"), absl::StrCat(names[i], " is named twice"));
    }
  }
}

}  // namespace

void ValidateModule(const pb::TrainingModule& m, const std::string& prefix,
                    kpo::core::FieldViolations& v) {
  kpo::core::CheckText(m.title(), prefix + "title", 200, true, v);
  kpo::core::CheckText(m.description(), prefix + "description", 4000, false, v);
  CheckNames(m.competencies(), prefix + "competencies", kMaxModuleCompetencies, "competencies", v);
  if (m.duration_minutes() < kMinModuleMinutes || m.duration_minutes() > kMaxModuleMinutes) {
    v.Add(prefix + "duration_minutes",
          absl::StrCat("must be ", kMinModuleMinutes, "..", kMaxModuleMinutes, " minutes"));
  }
}

void ValidatePath(const pb::LearningPath& p, const std::string& prefix,
                  kpo::core::FieldViolations& v) {
  kpo::core::CheckText(p.title(), prefix + "title", 200, true, v);
  if (p.role() == pb::ROLE_UNSPECIFIED || !pb::Role_IsValid(p.role())) {
    v.Add(prefix + "role", "must be a role");
  }
  CheckNames(p.modules(), prefix + "modules", kMaxPathModules, "modules", v);
}

void ValidateSession(const pb::TrainingSession& s, const std::string& prefix,
                     kpo::core::FieldViolations& v) {
  if (s.module().empty()) v.Add(prefix + "module", "is required");
  if (s.trainer().empty()) v.Add(prefix + "trainer", "is required");
  if (s.site().empty()) v.Add(prefix + "site", "is required");
  kpo::core::CheckText(s.place(), prefix + "place", 200, true, v);
  if (!s.has_start_time()) v.Add(prefix + "start_time", "is required");
  if (s.capacity() < 1 || s.capacity() > kMaxSessionCapacity) {
    v.Add(prefix + "capacity", absl::StrCat("must be 1..", kMaxSessionCapacity, " seats"));
  }
}

pb::EnrolmentState OutcomeState(bool attended, bool passed) {
  if (!attended) return pb::ENROLMENT_STATE_NO_SHOW;
  return passed ? pb::ENROLMENT_STATE_COMPLETED : pb::ENROLMENT_STATE_ATTENDED;
}

bool HoldsSeat(pb::EnrolmentState state) {
  return state == pb::ENROLMENT_STATE_ENROLLED || state == pb::ENROLMENT_STATE_ATTENDED ||
         state == pb::ENROLMENT_STATE_COMPLETED || state == pb::ENROLMENT_STATE_NO_SHOW;
}

}  // namespace kpo::people::domain
