#include "settings.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/errors.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/update_mask.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/idempotency/idempotency.h"
#include "store.h"

namespace kpo::daily {

namespace pb = kpo::daily::v1;
using google::protobuf::FieldMask;
using kpo::core::FieldViolations;

namespace {

constexpr absl::string_view kSuffix = "/dailySettings";

// "organizations/{organization}/dailySettings": shape first, then tenancy.
absl::Status CheckSettingsName(const kpo::auth::Principal& p, const std::string& name,
                               const char* field) {
  if (!absl::EndsWith(name, kSuffix) ||
      !kpo::core::ParseName(absl::string_view(name).substr(0, name.size() - kSuffix.size()),
                            {"organizations"})) {
    return kpo::core::InvalidField(field, "must be organizations/{organization}/dailySettings");
  }
  return kpo::auth::CheckOrganization(p, name, field);
}

}  // namespace

absl::StatusOr<pb::DailySettings> LoadDailySettings(kpo::storage::Transaction& tx,
                                                    const std::string& org, int64_t* revision) {
  auto stored = store::LoadSettings(tx, org);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    if (revision != nullptr) *revision = (*stored)->first;
    return (*stored)->second;
  }
  if (revision != nullptr) *revision = 0;
  pb::DailySettings s;
  s.set_name(absl::StrCat("organizations/", org, kSuffix));
  s.set_review_limit_days(kDefaultReviewLimitDays);
  s.set_etag("0");
  return s;
}

absl::StatusOr<pb::DailySettings> Settings::GetDailySettings(
    const Principal& p, const pb::GetDailySettingsRequest& r) const {
  if (absl::Status s = CheckSettingsName(p, r.name(), "name"); !s.ok()) return s;
  pb::DailySettings out;
  absl::Status s = commands_.db().Read([&](kpo::storage::Transaction& tx) -> absl::Status {
    auto settings = LoadDailySettings(tx, p.organization_id);
    if (!settings.ok()) return settings.status();
    out = *std::move(settings);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::DailySettings> Settings::UpdateDailySettings(
    const Principal& p, const pb::UpdateDailySettingsRequest& r) const {
  const pb::DailySettings& patch = r.daily_settings();
  if (absl::Status s = CheckSettingsName(p, patch.name(), "daily_settings.name"); !s.ok()) {
    return s;
  }
  static const std::set<std::string> kUpdatable = {"review_limit_days"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::DailySettings::descriptor(), kUpdatable, "cannot be updated",
                             v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::DailySettings>(
      {p.organization_id, "UpdateDailySettings", r.request_id(), &r},
      [&](kpo::command::Context& c) -> absl::StatusOr<pb::DailySettings> {
        const std::string& org = c.organization_id();
        int64_t revision = 0;
        auto current = LoadDailySettings(c.tx(), org, &revision);
        if (!current.ok()) return current.status();
        if (!patch.etag().empty() && patch.etag() != current->etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        pb::DailySettings merged = *current;
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, {}, &merged);
        if (merged.review_limit_days() < 1 || merged.review_limit_days() > 365) {
          v.Add("daily_settings.review_limit_days", "must be 1-365 days");
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, *current)) return *current;
        const int64_t next = revision + 1;
        *merged.mutable_update_time() =
            google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(c.now()));
        merged.set_etag(std::to_string(next));
        if (absl::Status s = store::SaveSettings(c.tx(), org, merged, next); !s.ok()) return s;
        pb::DailySettingsUpdated updated;
        *updated.mutable_daily_settings() = merged;
        updated.set_revision(next);
        if (absl::Status s = c.Publish(merged.name(), updated); !s.ok()) return s;
        return merged;
      });
}

}  // namespace kpo::daily
