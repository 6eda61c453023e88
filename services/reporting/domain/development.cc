#include "domain/development.h"

#include <algorithm>
#include <utility>

#include "domain/figures.h"

namespace kpo::reporting::domain {

namespace pb = kpo::reporting::v1;

void CertificationCounts::Add(const CertificationCounts& o) {
  awarded += o.awarded;
  renewed += o.renewed;
  holders += o.holders;
  expiring += o.expiring;
  lapsed += o.lapsed;
}

std::array<CertificationCounts, kCertificationLevels> CountCertificates(
    const std::vector<CertificateRow>& rows, int64_t first_day, int64_t last_day, int64_t end_day,
    int64_t end_us) {
  std::array<CertificationCounts, kCertificationLevels> out{};
  // Per (person, level) valid at the end: whether every valid certificate is in warning.
  std::map<std::pair<std::string, int>, bool> held;
  for (const CertificateRow& r : rows) {
    if (r.level < 1 || r.level > kCertificationLevels) continue;
    CertificationCounts& c = out[static_cast<size_t>(r.level - 1)];
    if (r.award_day >= first_day && r.award_day <= last_day && r.award_day <= end_day) {
      ++(r.renewal ? c.renewed : c.awarded);
    }
    const bool valid = r.award_day <= end_day && (r.expire_day == 0 || r.expire_day > end_day);
    if (valid) {
      const bool warned = r.warning_us.has_value() && *r.warning_us < end_us;
      auto [it, inserted] = held.try_emplace({r.person, r.level}, warned);
      if (!inserted) it->second = it->second && warned;
    }
    if (r.expire_day != 0 && r.expire_day >= first_day && r.expire_day <= end_day &&
        (r.renewed_day == 0 || r.renewed_day >= r.expire_day)) {
      ++c.lapsed;
    }
  }
  for (const auto& [key, warned] : held) {
    CertificationCounts& c = out[static_cast<size_t>(key.second - 1)];
    ++c.holders;
    c.expiring += warned;
  }
  return out;
}

std::map<std::string, int> TargetsOf(const std::vector<Profile>& profiles,
                                     const std::vector<int>& roles, int kpo_level,
                                     const absl::flat_hash_set<std::string>& retired) {
  std::map<std::string, int> out;
  for (const Profile& p : profiles) {
    if (std::find(roles.begin(), roles.end(), p.role) == roles.end()) continue;
    if (p.kpo_level != 0 && p.kpo_level != kpo_level) continue;
    for (const auto& [competency, level] : p.targets) {
      if (retired.contains(competency)) continue;
      int& target = out[competency];
      target = std::max(target, level);
    }
  }
  return out;
}

void SkillsCounts::Add(const SkillsCounts& o) {
  targeted += o.targeted;
  met += o.met;
  gap_levels += o.gap_levels;
  people_with_targets += o.people_with_targets;
  people_at_target += o.people_at_target;
}

void SkillsCounts::AddPerson(const std::map<std::string, int>& targets,
                             const std::map<std::string, int>& levels) {
  if (targets.empty()) return;
  ++people_with_targets;
  bool all = true;
  for (const auto& [competency, target] : targets) {
    const auto it = levels.find(competency);
    const int level = it == levels.end() ? 0 : it->second;
    ++targeted;
    if (level >= target) {
      ++met;
    } else {
      gap_levels += target - level;
      all = false;
    }
  }
  people_at_target += all;
}

void DevelopmentCounts::Add(const DevelopmentCounts& o) {
  for (size_t i = 0; i < certifications.size(); ++i) certifications[i].Add(o.certifications[i]);
  training_completions += o.training_completions;
  people_trained += o.people_trained;
  training_minutes += o.training_minutes;
  skills.Add(o.skills);
}

pb::PeopleDevelopmentFigures PeopleDevelopmentFigures(const DevelopmentCounts& c) {
  pb::PeopleDevelopmentFigures f;
  for (size_t i = 0; i < c.certifications.size(); ++i) {
    const CertificationCounts& counts = c.certifications[i];
    auto* level = f.add_certifications();
    level->set_level(static_cast<kpo::people::v1::CertificationLevel>(i + 1));
    level->set_awarded(counts.awarded);
    level->set_renewed(counts.renewed);
    level->set_holders(counts.holders);
    level->set_expiring(counts.expiring);
    level->set_lapsed(counts.lapsed);
  }
  f.set_training_completions(c.training_completions);
  f.set_people_trained(c.people_trained);
  f.set_training_minutes(c.training_minutes);
  *f.mutable_skills_coverage() = MakeRatio(c.skills.met, c.skills.targeted);
  *f.mutable_people_at_target() =
      MakeRatio(c.skills.people_at_target, c.skills.people_with_targets);
  f.set_skill_gap_levels(c.skills.gap_levels);
  return f;
}

}  // namespace kpo::reporting::domain
