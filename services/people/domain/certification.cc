#include "domain/certification.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "kpo/core/date.h"

namespace kpo::people::domain {

namespace pb = kpo::people::v1;

namespace {

void Require(pb::CertificationRequirements& r, pb::EvidenceKind kind, int count,
             int min_value_streams = 0) {
  pb::EvidenceRequirement* e = r.add_evidence();
  e->set_kind(kind);
  e->set_count(count);
  e->set_min_value_streams(min_value_streams);
}

bool Before(const pb::Certificate& a, const pb::Certificate& b) {
  const int64_t da = kpo::core::DateKey(a.award_date()), db = kpo::core::DateKey(b.award_date());
  return da != db ? da < db : a.name() < b.name();
}

// The highest portfolio level held valid on `today`, or UNSPECIFIED.
pb::CertificationLevel HighestValid(const std::vector<pb::Certificate>& certificates,
                                    absl::CivilDay today) {
  pb::CertificationLevel best = pb::CERTIFICATION_LEVEL_UNSPECIFIED;
  for (const pb::Certificate& c : certificates) {
    if (IsPortfolioLevel(c.level()) && IsValidOn(c, today) && c.level() > best) best = c.level();
  }
  return best;
}

}  // namespace

bool IsPortfolioLevel(pb::CertificationLevel level) {
  return level == pb::CERTIFICATION_LEVEL_BRONZE || level == pb::CERTIFICATION_LEVEL_SILVER ||
         level == pb::CERTIFICATION_LEVEL_GOLD;
}

std::string LevelId(pb::CertificationLevel level) {
  switch (level) {
    case pb::CERTIFICATION_LEVEL_BRONZE:
      return "bronze";
    case pb::CERTIFICATION_LEVEL_SILVER:
      return "silver";
    case pb::CERTIFICATION_LEVEL_GOLD:
      return "gold";
    default:
      return "";
  }
}

pb::CertificationLevel LevelFromId(absl::string_view id) {
  for (pb::CertificationLevel level :
       {pb::CERTIFICATION_LEVEL_BRONZE, pb::CERTIFICATION_LEVEL_SILVER,
        pb::CERTIFICATION_LEVEL_GOLD}) {
    if (id == LevelId(level)) return level;
  }
  return pb::CERTIFICATION_LEVEL_UNSPECIFIED;
}

pb::CertificationRequirements DefaultRequirements(pb::CertificationLevel level) {
  pb::CertificationRequirements r;
  r.set_level(level);
  r.set_validity_months(36);
  r.set_warning_days(90);
  switch (level) {
    case pb::CERTIFICATION_LEVEL_BRONZE:
      Require(r, pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION, 3);
      Require(r, pb::EVIDENCE_KIND_KAIZEN_FACILITATION, 1);
      Require(r, pb::EVIDENCE_KIND_VALUE_STREAM_ANALYSIS, 1);
      break;
    case pb::CERTIFICATION_LEVEL_SILVER:
      Require(r, pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION, 5);
      Require(r, pb::EVIDENCE_KIND_KAIZEN_FACILITATION, 3);
      Require(r, pb::EVIDENCE_KIND_VALUE_STREAM_ANALYSIS, 2);
      Require(r, pb::EVIDENCE_KIND_MENTORING, 3);
      break;
    case pb::CERTIFICATION_LEVEL_GOLD:
      Require(r, pb::EVIDENCE_KIND_KAIZEN_FACILITATION, 5);
      Require(r, pb::EVIDENCE_KIND_VALUE_STREAM_ANALYSIS, 3);
      Require(r, pb::EVIDENCE_KIND_MENTORING, 6);
      Require(r, pb::EVIDENCE_KIND_TRANSFORMATION_PROJECT, 2, 2);
      break;
    default:
      break;
  }
  for (pb::CertificationLevel p : Prerequisites(level)) r.add_prerequisites(p);
  return r;
}

std::vector<pb::CertificationLevel> Prerequisites(pb::CertificationLevel level) {
  std::vector<pb::CertificationLevel> out;
  if (!IsPortfolioLevel(level)) return out;
  out.push_back(pb::CERTIFICATION_LEVEL_KNOWLEDGE);
  for (int l = pb::CERTIFICATION_LEVEL_BRONZE; l < level; ++l) {
    out.push_back(static_cast<pb::CertificationLevel>(l));
  }
  return out;
}

void ValidateRequirements(const pb::CertificationRequirements& r, const std::string& prefix,
                          kpo::core::FieldViolations& v) {
  if (r.evidence_size() == 0 || r.evidence_size() > 10) {
    v.Add(prefix + "evidence", "must name 1-10 requirements");
  }
  std::vector<int> seen;
  for (int i = 0; i < r.evidence_size(); ++i) {
    const pb::EvidenceRequirement& e = r.evidence(i);
    const std::string field = absl::StrCat(prefix, "evidence[", i, "]");
    if (e.kind() == pb::EVIDENCE_KIND_UNSPECIFIED || !pb::EvidenceKind_IsValid(e.kind())) {
      v.Add(field + ".kind", "must be a known evidence kind");
    } else if (std::find(seen.begin(), seen.end(), e.kind()) != seen.end()) {
      v.Add(field + ".kind", absl::StrCat(pb::EvidenceKind_Name(e.kind()), " is required twice"));
    } else {
      seen.push_back(e.kind());
    }
    if (e.count() < 1 || e.count() > kMaxRequirementCount) {
      v.Add(field + ".count", absl::StrCat("must be 1..", kMaxRequirementCount));
    }
    if (e.min_value_streams() < 0 || e.min_value_streams() > 10) {
      v.Add(field + ".min_value_streams", "must be 0..10");
    }
  }
  if (r.validity_months() < 1 || r.validity_months() > kMaxValidityMonths) {
    v.Add(prefix + "validity_months", absl::StrCat("must be 1..", kMaxValidityMonths));
  }
  if (r.warning_days() < 0 || r.warning_days() > kMaxWarningDays) {
    v.Add(prefix + "warning_days", absl::StrCat("must be 0..", kMaxWarningDays));
  }
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  // CivilDay normalizes 31 February into March: then the month's last day.
  const absl::CivilDay same(month.year(), month.month(), day.day());
  return absl::CivilMonth(same) == month ? same : absl::CivilDay(month + 1) - 1;
}

bool IsValidOn(const pb::Certificate& c, absl::CivilDay today) {
  if (c.state() != pb::CERTIFICATE_STATE_VALID) return false;
  return !c.has_expire_date() || today < kpo::core::ToCivil(c.expire_date());
}

absl::CivilDay WarningDay(const pb::Certificate& c, int warning_days) {
  return kpo::core::ToCivil(c.expire_date()) - warning_days;
}

const pb::CertificationRequirements& LevelRequirements::Of(pb::CertificationLevel level) const {
  switch (level) {
    case pb::CERTIFICATION_LEVEL_SILVER:
      return silver;
    case pb::CERTIFICATION_LEVEL_GOLD:
      return gold;
    default:
      return bronze;
  }
}

const pb::Certificate* Held(const std::vector<pb::Certificate>& certificates,
                            pb::CertificationLevel level) {
  const pb::Certificate* held = nullptr;
  for (const pb::Certificate& c : certificates) {
    if (c.level() != level ||
        (c.state() != pb::CERTIFICATE_STATE_VALID && c.state() != pb::CERTIFICATE_STATE_EXPIRED)) {
      continue;
    }
    if (held == nullptr || Before(*held, c)) held = &c;
  }
  return held;
}

pb::CertificationLevel NextLevel(const std::vector<pb::Certificate>& certificates,
                                 const LevelRequirements& requirements, absl::CivilDay today) {
  const pb::CertificationLevel highest = HighestValid(certificates, today);
  if (highest == pb::CERTIFICATION_LEVEL_UNSPECIFIED) return pb::CERTIFICATION_LEVEL_BRONZE;
  const pb::Certificate* held = Held(certificates, highest);
  if (held != nullptr && held->has_expire_date() &&
      today >= WarningDay(*held, requirements.Of(highest).warning_days())) {
    return highest;
  }
  return highest == pb::CERTIFICATION_LEVEL_GOLD ? highest
                                                 : static_cast<pb::CertificationLevel>(highest + 1);
}

pb::CertificationProgress Evaluate(pb::CertificationLevel level,
                                   const pb::CertificationRequirements& requirements,
                                   const std::vector<pb::Certificate>& certificates,
                                   const std::vector<pb::Evidence>& evidence,
                                   absl::CivilDay today) {
  pb::CertificationProgress out;
  out.set_level(level);
  std::vector<pb::Certificate> valid;
  for (const pb::Certificate& c : certificates) {
    if (IsValidOn(c, today)) valid.push_back(c);
  }
  std::sort(valid.begin(), valid.end(), [](const pb::Certificate& a, const pb::Certificate& b) {
    return a.level() != b.level() ? a.level() < b.level() : Before(a, b);
  });
  for (const pb::Certificate& c : valid) *out.add_valid_certificates() = c;

  bool ready = true;
  int64_t since = 0;
  const pb::Certificate* held = Held(certificates, level);
  if (held != nullptr) {
    // A recertification: no prerequisites, evidence from the held award on, and a
    // valid certificate is renewed only once its warning period has begun.
    out.set_renewal(true);
    *out.mutable_evidence_since() = held->award_date();
    since = kpo::core::DateKey(held->award_date());
    if (IsValidOn(*held, today) && held->has_expire_date()) {
      const absl::CivilDay from = WarningDay(*held, requirements.warning_days());
      *out.mutable_renewable_from() = kpo::core::FromCivil(from);
      if (today < from) ready = false;
    }
  } else {
    for (pb::CertificationLevel prerequisite : Prerequisites(level)) {
      pb::PrerequisiteProgress* p = out.add_prerequisites();
      p->set_level(prerequisite);
      for (const pb::Certificate& c : valid) {
        if (c.level() >= prerequisite) {
          p->set_met(true);
          p->set_certificate(c.name());
          break;
        }
      }
      if (!p->met()) ready = false;
    }
  }

  std::vector<const pb::Evidence*> sorted;
  for (const pb::Evidence& e : evidence) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const pb::Evidence* a, const pb::Evidence* b) {
    const int64_t da = kpo::core::DateKey(a->date()), db = kpo::core::DateKey(b->date());
    return da != db ? da < db : a->name() < b->name();
  });
  for (const pb::EvidenceRequirement& r : requirements.evidence()) {
    pb::RequirementProgress* p = out.add_requirements();
    p->set_kind(r.kind());
    p->set_required(r.count());
    p->set_min_value_streams(r.min_value_streams());
    for (const pb::Evidence* e : sorted) {
      if (e->kind() != r.kind() || kpo::core::DateKey(e->date()) < since ||
          e->value_streams_size() < r.min_value_streams()) {
        continue;
      }
      if (e->state() == pb::EVIDENCE_STATE_COUNTED) {
        p->set_counted(p->counted() + 1);
        if (p->evidence_size() < r.count()) p->add_evidence(e->name());
      } else if (e->state() == pb::EVIDENCE_STATE_PENDING) {
        p->set_pending(p->pending() + 1);
      }
    }
    p->set_missing(std::max(0, r.count() - p->counted()));
    if (p->missing() > 0) ready = false;
  }
  out.set_ready(ready);
  return out;
}

std::string MissingSummary(const pb::CertificationProgress& progress) {
  std::vector<std::string> items;
  for (const pb::RequirementProgress& r : progress.requirements()) {
    if (r.missing() > 0) {
      items.push_back(absl::StrCat(pb::EvidenceKind_Name(r.kind()), "=", r.missing()));
    }
  }
  return absl::StrJoin(items, ",");
}

}  // namespace kpo::people::domain
