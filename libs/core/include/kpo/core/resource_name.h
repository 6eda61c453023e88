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

// Whether the last id may be "-": a list's parent naming every parent at once
// ("organizations/acme/sites/-": the areas of every site).
enum class LastId { kRequired, kOrAll };

// The ids of `name` in order when it has exactly the shape of `collections` (the first
// being "organizations") with valid ids; nullopt otherwise. With LastId::kOrAll the last
// id may be "-".
std::optional<std::vector<std::string>> ParseName(absl::string_view name, Collections collections,
                                                  LastId last = LastId::kRequired);

// "organizations/{organization}/sites/{site}" for {"organizations", "sites"}: how a
// message tells a client the expected shape.
std::string NamePattern(Collections collections, LastId last = LastId::kRequired);

}  // namespace kpo::core
