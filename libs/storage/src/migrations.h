#pragma once

// What both drivers check of a component's migrations before applying any.

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kpo/storage/database.h"

namespace kpo::storage::internal {

// The newest version of `migrations`; INTERNAL unless they are numbered 1..n.
absl::StatusOr<int64_t> KnownVersion(absl::string_view component,
                                     const std::vector<Migration>& migrations);

// FAILED_PRECONDITION when the database's schema of `component` is newer than this
// binary knows (a newer binary ran on it).
absl::Status RefuseNewer(absl::string_view component, int64_t current, int64_t known);

}  // namespace kpo::storage::internal
