#pragma once

// Pure validation rules of the directory: no I/O. Each function adds the violations
// of one resource to `v`, with field paths relative to `prefix` (e.g. "person.").
// Rules that need other resources (does the site exist?) live in the Directory, which
// looks them up and reports them the same way.

#include <string>

#include "absl/strings/string_view.h"
#include "kpo/core/errors.h"
#include "kpo/people/v1/resources.pb.h"

namespace kpo::people::domain {

inline constexpr int kMaxDisplayName = 200;
inline constexpr int kMaxObjectives = 50;

void ValidateOrganization(const kpo::people::v1::Organization& org, const std::string& prefix,
                          kpo::core::FieldViolations& v);
void ValidateSite(const kpo::people::v1::Site& site, const std::string& prefix,
                  kpo::core::FieldViolations& v);
void ValidateArea(const kpo::people::v1::Area& area, const std::string& prefix,
                  kpo::core::FieldViolations& v);
// Field rules only; references are checked by the Directory.
void ValidatePerson(const kpo::people::v1::Person& person, const std::string& prefix,
                    kpo::core::FieldViolations& v);
void ValidateCoachingRelationship(const kpo::people::v1::CoachingRelationship& rel,
                                  const std::string& prefix, kpo::core::FieldViolations& v);

bool LooksLikeEmail(absl::string_view email);

// Resource names. Each returns false unless `name` has exactly that shape with valid ids.
struct ParsedName {
  std::string org;
  std::string site;  // for areas
  std::string id;
};
bool ParseOrganizationName(absl::string_view name, ParsedName* out);
bool ParseSiteName(absl::string_view name, ParsedName* out);
bool ParseAreaName(absl::string_view name, ParsedName* out);
bool ParsePersonName(absl::string_view name, ParsedName* out);
bool ParseCoachingRelationshipName(absl::string_view name, ParsedName* out);

}  // namespace kpo::people::domain
