#include "domain/validation.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "kpo/core/enums.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"

namespace kpo::people::domain {

using kpo::core::FieldViolations;
namespace pb = kpo::people::v1;

namespace {

void CheckDisplayName(const std::string& value, const std::string& field, FieldViolations& v) {
  if (value.empty()) {
    v.Add(field, "is required");
  } else if (value.size() > kMaxDisplayName) {
    v.Add(field, absl::StrCat("must be at most ", kMaxDisplayName, " characters"));
  }
}

}  // namespace

bool LooksLikeEmail(absl::string_view email) {
  const size_t at = email.find('@');
  if (at == absl::string_view::npos || at == 0 || email.size() > 254) return false;
  absl::string_view domain = email.substr(at + 1);
  if (domain.find('@') != absl::string_view::npos) return false;
  const size_t dot = domain.rfind('.');
  if (dot == absl::string_view::npos || dot == 0 || dot == domain.size() - 1) return false;
  for (char c : email) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool ParseOrganizationName(absl::string_view name, ParsedName* out) {
  auto ids = kpo::core::ParseName(name, {"organizations"});
  if (!ids.has_value()) return false;
  out->org = (*ids)[0];
  return true;
}

bool ParseSiteName(absl::string_view name, ParsedName* out) {
  auto ids = kpo::core::ParseName(name, {"organizations", "sites"});
  if (!ids.has_value()) return false;
  out->org = (*ids)[0];
  out->id = (*ids)[1];
  return true;
}

bool ParseAreaName(absl::string_view name, ParsedName* out) {
  auto ids = kpo::core::ParseName(name, {"organizations", "sites", "areas"});
  if (!ids.has_value()) return false;
  out->org = (*ids)[0];
  out->site = (*ids)[1];
  out->id = (*ids)[2];
  return true;
}

bool ParsePersonName(absl::string_view name, ParsedName* out) {
  auto ids = kpo::core::ParseName(name, {"organizations", "people"});
  if (!ids.has_value()) return false;
  out->org = (*ids)[0];
  out->id = (*ids)[1];
  return true;
}

bool ParseCoachingRelationshipName(absl::string_view name, ParsedName* out) {
  auto ids = kpo::core::ParseName(name, {"organizations", "coachingRelationships"});
  if (!ids.has_value()) return false;
  out->org = (*ids)[0];
  out->id = (*ids)[1];
  return true;
}

void ValidateOrganization(const pb::Organization& org, const std::string& prefix,
                          FieldViolations& v) {
  CheckDisplayName(org.display_name(), prefix + "display_name", v);
  kpo::core::CheckEnum(pb::MaturityStage_descriptor(), org.maturity_stage(),
                       prefix + "maturity_stage", true, v);
  if (org.strategic_objectives_size() > kMaxObjectives) {
    v.Add(prefix + "strategic_objectives",
          absl::StrCat("at most ", kMaxObjectives, " objectives; keep the few that matter"));
  }
  std::set<std::string> ids;
  for (int i = 0; i < org.strategic_objectives_size(); ++i) {
    const auto& o = org.strategic_objectives(i);
    const std::string f = absl::StrCat(prefix, "strategic_objectives[", i, "].");
    if (!kpo::core::IsValidResourceId(o.id())) {
      v.Add(f + "id", "must be 1-63 of a-z, 0-9 and '-'");
    } else if (!ids.insert(o.id()).second) {
      v.Add(f + "id", absl::StrCat("'", o.id(), "' is used by another objective"));
    }
    CheckDisplayName(o.title(), f + "title", v);
    if (o.description().size() > 2000) v.Add(f + "description", "must be at most 2000 characters");
    if (o.target_year() != 0 && (o.target_year() < 2000 || o.target_year() > 2100)) {
      v.Add(f + "target_year", "must be 0 (open-ended) or between 2000 and 2100");
    }
  }
}

void ValidateSite(const pb::Site& site, const std::string& prefix, FieldViolations& v) {
  CheckDisplayName(site.display_name(), prefix + "display_name", v);
  if (site.code().size() > 16) v.Add(prefix + "code", "must be at most 16 characters");
  for (char c : site.code()) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
      v.Add(prefix + "code", "may hold only A-Z, 0-9 and '-'");
      break;
    }
  }
  absl::TimeZone tz;
  if (site.time_zone().empty()) {
    v.Add(prefix + "time_zone", "is required (an IANA name such as Europe/Paris)");
  } else if (!absl::LoadTimeZone(site.time_zone(), &tz)) {
    v.Add(prefix + "time_zone",
          absl::StrCat("'", site.time_zone(), "' is not an IANA time zone such as Europe/Paris"));
  }
}

void ValidateArea(const pb::Area& area, const std::string& prefix, FieldViolations& v) {
  CheckDisplayName(area.display_name(), prefix + "display_name", v);
  kpo::core::CheckEnum(pb::AreaKind_descriptor(), area.kind(), prefix + "kind", true, v);
}

void ValidatePerson(const pb::Person& person, const std::string& prefix, FieldViolations& v) {
  CheckDisplayName(person.display_name(), prefix + "display_name", v);
  if (!person.email().empty() && !LooksLikeEmail(person.email())) {
    v.Add(prefix + "email", absl::StrCat("'", person.email(), "' is not an email address"));
  }
  if (person.employee_id().size() > 64)
    v.Add(prefix + "employee_id", "must be at most 64 characters");
  ParsedName p;
  if (person.home_site().empty()) {
    v.Add(prefix + "home_site", "is required");
  } else if (!ParseSiteName(person.home_site(), &p)) {
    v.Add(prefix + "home_site", "must be a site name: organizations/{org}/sites/{site}");
  }
  if (!person.area().empty() && !ParseAreaName(person.area(), &p)) {
    v.Add(prefix + "area", "must be an area name: organizations/{org}/sites/{site}/areas/{area}");
  }
  if (person.roles().empty()) v.Add(prefix + "roles", "at least one role is required");
  std::set<int> seen;
  for (int i = 0; i < person.roles_size(); ++i) {
    const int r = person.roles(i);
    if (!kpo::core::CheckEnum(pb::Role_descriptor(), r, absl::StrCat(prefix, "roles[", i, "]"),
                              true, v)) {
      continue;
    }
    if (!seen.insert(r).second) {
      v.Add(absl::StrCat(prefix, "roles[", i, "]"), "is listed twice");
    }
  }
  if (!person.manager().empty() && !ParsePersonName(person.manager(), &p)) {
    v.Add(prefix + "manager", "must be a person name: organizations/{org}/people/{person}");
  }
}

void ValidateCoachingRelationship(const pb::CoachingRelationship& rel, const std::string& prefix,
                                  FieldViolations& v) {
  ParsedName p;
  for (auto [field, value, required] :
       {std::tuple{"coach", rel.coach(), true}, std::tuple{"learner", rel.learner(), true},
        std::tuple{"second_coach", rel.second_coach(), false}}) {
    if (value.empty()) {
      if (required) v.Add(prefix + field, "is required");
    } else if (!ParsePersonName(value, &p)) {
      v.Add(prefix + field, "must be a person name: organizations/{org}/people/{person}");
    }
  }
  if (!rel.coach().empty() && rel.coach() == rel.learner()) {
    v.Add(prefix + "learner", "must be someone other than the coach");
  }
  if (!rel.second_coach().empty() &&
      (rel.second_coach() == rel.coach() || rel.second_coach() == rel.learner())) {
    v.Add(prefix + "second_coach", "must be someone other than the coach and the learner");
  }
  const int per_week = rel.cadence().sessions_per_week();
  if (per_week < 1 || per_week > 7) {
    v.Add(prefix + "cadence.sessions_per_week", "must be between 1 and 7");
  }
}

}  // namespace kpo::people::domain
