#pragma once

// Resource names (AIP-122): "organizations/{organization}/sites/{site}/areas/{area}".
// One parser and one id rule for every service, stated once:
//   - the organization segment is an organization id: 3-40 characters of [a-z0-9-],
//     starting with a letter, not ending with '-';
//   - every other id is a resource id: 1-63 characters of [a-z0-9-], starting with a
//     letter or digit, not ending with '-' (generated UUIDs qualify).
// Pure functions, thread-safe.

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kpo::core {

bool IsValidOrganizationId(absl::string_view id);

// The collections of a name pattern, outermost first, e.g. {"organizations", "sites"}.
using Collections = std::initializer_list<absl::string_view>;

// The ids of `name` in order when it has exactly the shape of `collections` (the first
// being "organizations") with valid ids; nullopt otherwise.
std::optional<std::vector<std::string>> ParseName(absl::string_view name, Collections collections);

// "organizations/{organization}/sites/{site}" for {"organizations", "sites"}: how a
// message tells a client the expected shape.
std::string NamePattern(Collections collections);

}  // namespace kpo::core
