#include "settings.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "domain/lifecycle.h"
#include "domain/rules.h"
#include "domain/sustainment.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "kaizen_internal.h"
#include "kpo/core/errors.h"
#include "kpo/core/update_mask.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "store.h"

namespace kpo::kaizen {

namespace pb = kpo::kaizen::v1;
using google::protobuf::FieldMask;
using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::MessageDifferencer;
using internal::Context;
using kpo::core::FieldViolations;

namespace {

// The settings singleton: "organizations/{organization}/kaizenSettings". Shape first,
// then tenancy.
absl::Status CheckSettingsName(const kpo::auth::Principal& p, const std::string& name,
                               const char* field) {
  constexpr absl::string_view kSuffix = "/kaizenSettings";
  if (!absl::EndsWith(name, kSuffix) ||
      !kpo::core::ParseName(absl::string_view(name).substr(0, name.size() - kSuffix.size()),
                            {"organizations"})) {
    return kpo::core::InvalidField(field, "must be organizations/{organization}/kaizenSettings");
  }
  return kpo::auth::CheckOrganization(p, name, field);
}

}  // namespace

absl::StatusOr<pb::KaizenSettings> Settings::GetKaizenSettings(
    const Principal& p, const pb::GetKaizenSettingsRequest& r) {
  if (absl::Status s = CheckSettingsName(p, r.name(), "name"); !s.ok()) return s;
  pb::KaizenSettings out;
  absl::Status s = core_->db().Read([&](kpo::storage::Transaction& tx) -> absl::Status {
    auto settings = core_->LoadSettings(tx, p.organization_id);
    if (!settings.ok()) return settings.status();
    out = *settings;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::KaizenSettings> Settings::UpdateKaizenSettings(
    const Principal& p, const pb::UpdateKaizenSettingsRequest& r) {
  const pb::KaizenSettings& patch = r.kaizen_settings();
  if (absl::Status s = CheckSettingsName(p, patch.name(), "kaizen_settings.name"); !s.ok()) {
    return s;
  }
  static const std::set<std::string> kUpdatable = {"audit_offset_days", "backslide_threshold",
                                                   "checklist_template"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::KaizenSettings::descriptor(), kUpdatable,
                             "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  const internal::Core& core = *core_;
  return core.commands().Run<pb::KaizenSettings>(
      {p.organization_id, "UpdateKaizenSettings", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::KaizenSettings> {
        const std::string& org = c.organization_id();
        int64_t revision = 0;
        auto current = core.LoadSettings(c.tx(), org, &revision);
        if (!current.ok()) return current.status();
        if (!patch.etag().empty() && patch.etag() != current->etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        pb::KaizenSettings merged = *current;
        FieldMaskUtil::MergeOptions opts;
        opts.set_replace_repeated_fields(true);
        FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        domain::ValidateSustainmentSettings(std::vector<int32_t>(merged.audit_offset_days().begin(),
                                                                 merged.audit_offset_days().end()),
                                            merged.backslide_threshold(), "kaizen_settings.", v);
        domain::ValidateChecklistTemplate(merged.checklist_template(), "kaizen_settings.", v);
        if (!v.empty()) return v.ToStatus();
        if (MessageDifferencer::Equals(merged, *current)) return *current;
        const int64_t next = revision + 1;
        *merged.mutable_update_time() = internal::Ts(c.now());
        merged.set_etag(std::to_string(next));
        if (absl::Status s = store::SaveSettings(c.tx(), org, merged, next); !s.ok()) return s;
        pb::KaizenSettingsUpdated updated;
        *updated.mutable_kaizen_settings() = merged;
        updated.set_revision(next);
        if (absl::Status s = c.Publish(merged.name(), updated); !s.ok()) return s;
        // A changed template reaches the events that have not yet left the phases it
        // changes; events past a phase keep the standard work they were held to.
        pb::KaizenSettings old_template, new_template;
        *old_template.mutable_checklist_template() = current->checklist_template();
        *new_template.mutable_checklist_template() = merged.checklist_template();
        if (!MessageDifferencer::Equals(old_template, new_template)) {
          auto events = store::EventsInStates(
              c.tx(), org, {pb::PROPOSED, pb::CHARTERED, pb::IN_PROGRESS, pb::COMPLETED});
          if (!events.ok()) return events.status();
          for (store::EventRow& row : *events) {
            const pb::KaizenEvent before = row.event;
            *row.event.mutable_checklist() =
                domain::ApplyTemplate(row.event, merged.checklist_template());
            if (MessageDifferencer::Equals(before, row.event)) continue;
            if (absl::Status s =
                    core.Commit(c, row, {internal::EmitUpdated(internal::Mask("checklist"))});
                !s.ok()) {
              return s;
            }
          }
        }
        return merged;
      });
}

}  // namespace kpo::kaizen
