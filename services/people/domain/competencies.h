#pragma once

// The competency model's pure rules, no I/O: the shipped catalogue, the field rules of
// competencies, target profiles and assessments, and how a person's targets and gaps
// are computed from the profiles of their roles.

#include <map>
#include <string>
#include <vector>

#include "kpo/core/errors.h"
#include "kpo/people/v1/development.pb.h"

namespace kpo::people::domain {

// The skills-matrix scale: 0 (none) to 4 (can teach).
inline constexpr int kMaxLevel = 4;
inline constexpr int kLevels = kMaxLevel + 1;
inline constexpr size_t kMaxLevelDefinition = 500;
inline constexpr size_t kMaxDescription = 2000;
inline constexpr size_t kMaxEvidence = 2000;
inline constexpr int kMaxTargets = 100;

// One competency of the shipped catalogue.
struct BuiltInCompetency {
  const char* id;
  const char* display_name;
  v1::CompetencyKind kind;
  const char* description;
};

// The catalogue every organization starts with, by id: the eight core (behavioural)
// competencies and the common lean principles, systems and tools.
const std::vector<BuiltInCompetency>& BuiltInCatalogue();

// The built-in competency `name` ("organizations/{org}/competencies/{id}") of
// organization `org_name` as served before the organization changes it (revision 0,
// etag "0"); false when `id` is not built in.
bool BuiltInCompetencyNamed(const std::string& org_name, const std::string& id,
                            v1::Competency* out);
// Every built-in competency of the organization, by name.
std::vector<v1::Competency> BuiltInCompetencies(const std::string& org_name);

// Field rules (violations of "<prefix><field>"). References (is the competency
// active?) are checked by the application.
void ValidateCompetency(const v1::Competency& c, const std::string& prefix,
                        kpo::core::FieldViolations& v);
void ValidateTargetProfile(const v1::TargetProfile& t, const std::string& prefix,
                           kpo::core::FieldViolations& v);
void ValidateAssessment(const v1::Assessment& a, const std::string& prefix,
                        kpo::core::FieldViolations& v);

// A person's target per competency name: the highest level any of `profiles` asks for
// among those whose role is one of `roles` and whose KPO level, when they have one, is
// `kpo_level` (the level of the person's active KPO membership, UNSPECIFIED when none).
// The profiles given are the active ones. Fills `applied` with the names of the
// profiles that apply.
std::map<std::string, int> Targets(const std::vector<v1::TargetProfile>& profiles,
                                   const google::protobuf::RepeatedField<int>& roles,
                                   v1::KpoLevel kpo_level, std::vector<std::string>* applied);
// Whether any of `profiles` is for a KPO level (then a KPO specialist's level matters).
bool AnyKpoLevelProfile(const std::vector<v1::TargetProfile>& profiles);

inline int Gap(int level, int target) { return target > level ? target - level : 0; }

}  // namespace kpo::people::domain
