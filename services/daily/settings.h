#pragma once

// The organization's daily kaizen settings (a singleton resource with shipped
// defaults): read, changed through the command shell, and loaded by the other
// application classes. Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/daily/v1/daily_service.pb.h"

namespace kpo::daily {

inline constexpr int kDefaultReviewLimitDays = 7;

// The organization's settings (`org` is its id), or the shipped defaults (revision 0).
absl::StatusOr<v1::DailySettings> LoadDailySettings(kpo::storage::Transaction& tx,
                                                    const std::string& org,
                                                    int64_t* revision = nullptr);

class Settings {
 public:
  using Principal = kpo::auth::Principal;

  // `commands` must outlive the object.
  explicit Settings(const kpo::command::Runner& commands) : commands_(commands) {}

  absl::StatusOr<v1::DailySettings> GetDailySettings(const Principal& p,
                                                     const v1::GetDailySettingsRequest& r) const;
  absl::StatusOr<v1::DailySettings> UpdateDailySettings(
      const Principal& p, const v1::UpdateDailySettingsRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
};

}  // namespace kpo::daily
