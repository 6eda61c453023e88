#pragma once

// People development's figures: certificates by level, training, and the coverage of
// target profiles by assessed levels. Pure, thread-safe. Definitions:
// services/reporting/README.md ("People development").

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "kpo/reporting/v1/scorecard.pb.h"

namespace kpo::reporting::domain {

// Days are YYYYMMDD keys at the holder's home site.
struct CertificateRow {
  std::string person;
  int level = 0;                      // kpo.people.v1.CertificationLevel, 1..4
  int64_t award_day = 0;              // valid from this day
  int64_t expire_day = 0;             // no longer valid from this day; 0: never expires
  bool renewal = false;               // it renews an earlier certificate
  int64_t renewed_day = 0;            // the award day of the certificate that renewed it, 0: none
  std::optional<int64_t> warning_us;  // when its expiry warning was published
};

inline constexpr int kCertificationLevels = 4;  // Knowledge, Bronze, Silver, Gold

struct CertificationCounts {
  int64_t awarded = 0;   // first awards in the period
  int64_t renewed = 0;   // recertifications awarded in the period
  int64_t holders = 0;   // people holding a valid certificate at the end
  int64_t expiring = 0;  // of those, whose every valid certificate is in its warning period
  int64_t lapsed = 0;    // certificates whose validity ended in the period, not renewed before

  void Add(const CertificationCounts& other);
};

// Counts the certificates of one scope for the period of days [first_day, last_day]
// whose end is `end_day` (its last day, or the last day before now for a period not
// over) and the instant `end_us`. Index 0 is Knowledge, 3 Gold.
std::array<CertificationCounts, kCertificationLevels> CountCertificates(
    const std::vector<CertificateRow>& rows, int64_t first_day, int64_t last_day, int64_t end_day,
    int64_t end_us);

// A target profile: the role it applies to, its KPO level (0: any), its targets by
// competency name (levels 1..4).
struct Profile {
  int role = 0;
  int kpo_level = 0;
  std::map<std::string, int> targets;
};

// A person's target in each competency: the highest level any active profile of one of
// their roles asks for (a profile with a KPO level only when the person's active KPO
// membership is at that level), leaving out retired competencies. The people service's
// rule.
std::map<std::string, int> TargetsOf(const std::vector<Profile>& profiles,
                                     const std::vector<int>& roles, int kpo_level,
                                     const absl::flat_hash_set<std::string>& retired);

struct SkillsCounts {
  int64_t targeted = 0;             // (person, competency) pairs with a target
  int64_t met = 0;                  // of those, assessed at or above the target
  int64_t gap_levels = 0;           // the sum of max(0, target - level)
  int64_t people_with_targets = 0;  // people with at least one target
  int64_t people_at_target = 0;     // of those, with every target met

  void Add(const SkillsCounts& other);
  // Adds one person: their targets and their levels (a competency never assessed is 0).
  void AddPerson(const std::map<std::string, int>& targets,
                 const std::map<std::string, int>& levels);
};

// The people development of one scope in one period.
struct DevelopmentCounts {
  std::array<CertificationCounts, kCertificationLevels> certifications{};
  int64_t training_completions = 0;
  int64_t people_trained = 0;  // distinct per site
  int64_t training_minutes = 0;
  SkillsCounts skills;

  void Add(const DevelopmentCounts& other);
};

kpo::reporting::v1::PeopleDevelopmentFigures PeopleDevelopmentFigures(
    const DevelopmentCounts& counts);

}  // namespace kpo::reporting::domain
