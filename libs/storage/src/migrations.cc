#include "src/migrations.h"

#include "absl/strings/str_cat.h"

namespace kpo::storage::internal {

absl::StatusOr<int64_t> KnownVersion(absl::string_view component,
                                     const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return absl::InternalError(
          absl::StrCat("migrations of ", component, " are not numbered 1..n without gaps"));
    }
  }
  return static_cast<int64_t>(migrations.size());
}

absl::Status RefuseNewer(absl::string_view component, int64_t current, int64_t known) {
  if (current <= known) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("database schema of ", component, " is at version ", current,
                   " but this binary knows only up to ", known, "; refusing to run"));
}

}  // namespace kpo::storage::internal
