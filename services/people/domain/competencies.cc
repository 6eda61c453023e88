#include "domain/competencies.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/core/resource_name.h"

namespace kpo::people::domain {

namespace pb = kpo::people::v1;
using kpo::core::CheckText;
using kpo::core::FieldViolations;

namespace {

constexpr kpo::core::Collections kCompetencyName = {"organizations", "competencies"};

// The wording of the scale shipped with every built-in competency.
constexpr const char* kScale[kLevels] = {
    "None: not yet introduced to it.",
    "Knows: trained in the principles; can explain them.",
    "Applies with support: has used it on real work with a coach.",
    "Applies independently: uses it on their own and gets results.",
    "Can teach: coaches and trains others in it.",
};

}  // namespace

const std::vector<BuiltInCompetency>& BuiltInCatalogue() {
  static const auto* catalogue = new std::vector<BuiltInCompetency>{
      // The eight core (behavioural) competencies.
      {"change-leadership", "Change leadership", pb::COMPETENCY_KIND_CORE,
       "Leads people through change: makes the case, involves them, sustains it."},
      {"flexibility", "Flexibility", pb::COMPETENCY_KIND_CORE,
       "Adapts the approach to the situation and the people without losing the goal."},
      {"focus-and-accountability", "Focus and accountability", pb::COMPETENCY_KIND_CORE,
       "Keeps a few priorities, owns results and follows up until they stick."},
      {"group-leadership", "Group leadership and facilitation", pb::COMPETENCY_KIND_CORE,
       "Leads and facilitates teams: events, huddles, problem-solving sessions."},
      {"interpersonal-understanding", "Interpersonal understanding", pb::COMPETENCY_KIND_CORE,
       "Understands what others think and feel, and why; listens at the gemba."},
      {"self-management", "Self-management", pb::COMPETENCY_KIND_CORE,
       "Manages own time, learning and reactions; practises what they teach."},
      {"strategic-orientation", "Strategic orientation", pb::COMPETENCY_KIND_CORE,
       "Links local improvement to the organization's strategic objectives."},
      {"talent-development", "Talent development", pb::COMPETENCY_KIND_CORE,
       "Develops people: coaches daily, delegates, gives feedback."},
      // Lean principles, systems and tools.
      {"a3-problem-solving", "A3 problem solving", pb::COMPETENCY_KIND_TECHNICAL,
       "Structured problem solving on one page, from background to follow-up."},
      {"coaching-kata", "Coaching kata", pb::COMPETENCY_KIND_TECHNICAL,
       "The daily five-question coaching routine for a learner's improvement kata."},
      {"five-s", "5S", pb::COMPETENCY_KIND_TECHNICAL,
       "Sort, set in order, shine, standardize, sustain."},
      {"improvement-kata", "Improvement kata", pb::COMPETENCY_KIND_TECHNICAL,
       "Challenge, current condition, target condition, rapid PDCA experiments."},
      {"kanban", "Kanban", pb::COMPETENCY_KIND_TECHNICAL,
       "Pull systems that replenish by consumption."},
      {"lean-principles", "Lean principles", pb::COMPETENCY_KIND_TECHNICAL,
       "Value, value stream, flow, pull, perfection; respect for people."},
      {"pdca", "PDCA", pb::COMPETENCY_KIND_TECHNICAL,
       "Plan, do, check, act: the scientific way of working."},
      {"smed", "SMED (setup reduction)", pb::COMPETENCY_KIND_TECHNICAL,
       "Single-minute exchange of dies: separate, convert and streamline setup work."},
      {"standard-work", "Standard work", pb::COMPETENCY_KIND_TECHNICAL,
       "Takt time, work sequence and standard WIP, kept and improved by the team."},
      {"tpm", "TPM", pb::COMPETENCY_KIND_TECHNICAL,
       "Total productive maintenance: autonomous and planned maintenance, OEE."},
      {"value-stream-mapping", "Value stream mapping", pb::COMPETENCY_KIND_TECHNICAL,
       "Maps the current and future state of material and information flow."},
  };
  return *catalogue;
}

namespace {

pb::Competency FromBuiltIn(const std::string& org_name, const BuiltInCompetency& b) {
  pb::Competency c;
  c.set_name(absl::StrCat(org_name, "/competencies/", b.id));
  c.set_display_name(b.display_name);
  c.set_kind(b.kind);
  c.set_description(b.description);
  for (const char* level : kScale) c.add_level_definitions(level);
  c.set_state(pb::ACTIVE);
  c.set_built_in(true);
  c.set_etag("0");
  return c;
}

}  // namespace

bool BuiltInCompetencyNamed(const std::string& org_name, const std::string& id,
                            pb::Competency* out) {
  for (const auto& b : BuiltInCatalogue()) {
    if (id == b.id) {
      *out = FromBuiltIn(org_name, b);
      return true;
    }
  }
  return false;
}

std::vector<pb::Competency> BuiltInCompetencies(const std::string& org_name) {
  std::vector<pb::Competency> out;
  for (const auto& b : BuiltInCatalogue()) out.push_back(FromBuiltIn(org_name, b));
  std::sort(out.begin(), out.end(),
            [](const pb::Competency& a, const pb::Competency& b) { return a.name() < b.name(); });
  return out;
}

void ValidateCompetency(const pb::Competency& c, const std::string& prefix, FieldViolations& v) {
  CheckText(c.display_name(), prefix + "display_name", 200, true, v);
  CheckText(c.description(), prefix + "description", kMaxDescription, false, v);
  if (c.kind() != pb::COMPETENCY_KIND_CORE && c.kind() != pb::COMPETENCY_KIND_TECHNICAL) {
    v.Add(prefix + "kind", "must be COMPETENCY_KIND_CORE or COMPETENCY_KIND_TECHNICAL");
  }
  if (c.level_definitions_size() != kLevels) {
    v.Add(prefix + "level_definitions",
          absl::StrCat("exactly ", kLevels, " (levels 0 to ", kMaxLevel, "), level 0 first"));
  } else {
    for (int i = 0; i < kLevels; ++i) {
      CheckText(c.level_definitions(i), absl::StrCat(prefix, "level_definitions[", i, "]"),
                kMaxLevelDefinition, true, v);
    }
  }
}

void ValidateTargetProfile(const pb::TargetProfile& t, const std::string& prefix,
                           FieldViolations& v) {
  CheckText(t.display_name(), prefix + "display_name", 200, true, v);
  if (t.role() == pb::ROLE_UNSPECIFIED || !pb::Role_IsValid(t.role())) {
    v.Add(prefix + "role", "must be one of the directory's roles");
  }
  if (!pb::KpoLevel_IsValid(t.kpo_level())) {
    v.Add(prefix + "kpo_level", "must be CORPORATE, BUSINESS_UNIT or VALUE_STREAM");
  } else if (t.kpo_level() != pb::KPO_LEVEL_UNSPECIFIED && t.role() != pb::KPO_SPECIALIST) {
    v.Add(prefix + "kpo_level", "only a KPO_SPECIALIST profile is for a KPO level");
  }
  if (t.targets().empty()) {
    v.Add(prefix + "targets", "at least one competency");
  } else if (t.targets_size() > kMaxTargets) {
    v.Add(prefix + "targets", absl::StrCat("at most ", kMaxTargets));
  }
  std::set<std::string> seen;
  for (int i = 0; i < t.targets_size() && i < kMaxTargets; ++i) {
    const auto& target = t.targets(i);
    const std::string field = absl::StrCat(prefix, "targets[", i, "]");
    if (!kpo::core::ParseName(target.competency(), kCompetencyName)) {
      v.Add(field + ".competency",
            "must be a competency name (organizations/{org}/competencies/{competency})");
    } else if (!seen.insert(target.competency()).second) {
      v.Add(field + ".competency", absl::StrCat(target.competency(), " is targeted twice"));
    }
    if (target.level() < 1 || target.level() > kMaxLevel) {
      v.Add(field + ".level", absl::StrCat("must be 1 to ", kMaxLevel));
    }
  }
}

void ValidateAssessment(const pb::Assessment& a, const std::string& prefix, FieldViolations& v) {
  if (!kpo::core::ParseName(a.competency(), kCompetencyName)) {
    v.Add(prefix + "competency",
          "must be a competency name (organizations/{org}/competencies/{competency})");
  }
  if (a.level() < 0 || a.level() > kMaxLevel) {
    v.Add(prefix + "level", absl::StrCat("must be 0 to ", kMaxLevel));
  }
  if (!a.has_assess_date()) {
    v.Add(prefix + "assess_date", "is required");
  } else if (!kpo::core::IsValidDate(a.assess_date())) {
    v.Add(prefix + "assess_date", "must be a real calendar date");
  }
  CheckText(a.evidence(), prefix + "evidence", kMaxEvidence, false, v);
}

std::map<std::string, int> Targets(const std::vector<pb::TargetProfile>& profiles,
                                   const google::protobuf::RepeatedField<int>& roles,
                                   pb::KpoLevel kpo_level, std::vector<std::string>* applied) {
  std::map<std::string, int> out;
  for (const auto& profile : profiles) {
    if (std::find(roles.begin(), roles.end(), profile.role()) == roles.end()) continue;
    if (profile.kpo_level() != pb::KPO_LEVEL_UNSPECIFIED && profile.kpo_level() != kpo_level) {
      continue;
    }
    if (applied != nullptr) applied->push_back(profile.name());
    for (const auto& t : profile.targets()) {
      int& level = out[t.competency()];
      level = std::max(level, t.level());
    }
  }
  return out;
}

bool AnyKpoLevelProfile(const std::vector<pb::TargetProfile>& profiles) {
  for (const auto& profile : profiles) {
    if (profile.kpo_level() != pb::KPO_LEVEL_UNSPECIFIED) return true;
  }
  return false;
}

}  // namespace kpo::people::domain
