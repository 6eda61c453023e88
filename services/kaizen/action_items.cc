#include "action_items.h"

#include "absl/strings/str_cat.h"
#include "domain/lifecycle.h"
#include "domain/rules.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "kaizen_internal.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/update_mask.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/replica/directory_replica.h"
#include "store.h"

namespace kpo::kaizen {

namespace pb = kpo::kaizen::v1;
using google::protobuf::FieldMask;
using google::protobuf::util::FieldMaskUtil;
using internal::Context;
using kpo::core::FieldViolations;

namespace {

// Stamps the output fields and writes the item.
absl::Status SaveActionItem(Context& c, const std::string& event, pb::ActionItem& item,
                            int64_t revision, bool insert) {
  *item.mutable_update_time() = internal::Ts(c.now());
  if (insert) *item.mutable_create_time() = internal::Ts(c.now());
  item.set_etag(std::to_string(revision));
  return insert ? store::InsertActionItem(c.tx(), c.organization_id(), event, item, revision)
                : store::UpdateActionItem(c.tx(), c.organization_id(), item, revision);
}

}  // namespace

absl::StatusOr<pb::ActionItem> ActionItems::CreateActionItem(const Principal& p,
                                                             const pb::CreateActionItemRequest& r) {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), internal::kEventName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.action_item_id().empty() && !kpo::core::IsValidResourceId(r.action_item_id())) {
    v.Add("action_item_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::ActionItem item = r.action_item();
  if (item.status() == pb::ACTION_ITEM_STATUS_UNSPECIFIED) item.set_status(pb::OPEN);
  domain::ValidateActionItem(item, v);
  if (!v.empty()) return v.ToStatus();
  item.set_name(
      absl::StrCat(r.parent(), "/actionItems/",
                   r.action_item_id().empty() ? kpo::core::NewUuid() : r.action_item_id()));
  return core_->commands().Run<pb::ActionItem>(
      {p.organization_id, "CreateActionItem", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::ActionItem> {
        const std::string& org = c.organization_id();
        auto event = store::LoadEvent(c.tx(), org, r.parent());
        if (!event.ok()) return event.status();
        if (!event->has_value()) return kpo::core::NotFound(r.parent());
        const pb::EventState state = (*event)->event.state();
        if (state == pb::CLOSED || state == pb::CANCELLED) {
          return kpo::core::FailedPrecondition(
              "EVENT_NOT_EDITABLE",
              absl::StrCat(r.parent(), " is ", domain::StateName(state),
                           "; its newspaper is closed"),
              {{"current_state", domain::StateName(state)}});
        }
        if (auto a = kpo::replica::RequireActive(c.tx(), org, item.owner(), "person",
                                                 "action_item.owner", v);
            !a.ok()) {
          return a.status();
        }
        if (!v.empty()) return v.ToStatus();
        auto exists = store::LoadActionItem(c.tx(), org, item.name());
        if (!exists.ok()) return exists.status();
        if (exists->has_value()) return kpo::core::AlreadyExists(item.name());
        pb::ActionItem created = item;
        created.set_site((*event)->event.site());
        if (absl::Status s = SaveActionItem(c, r.parent(), created, 1, true); !s.ok()) return s;
        pb::ActionItemCreated published;
        *published.mutable_action_item() = created;
        published.set_revision(1);
        if (absl::Status s = c.Publish(created.name(), published); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::ActionItem> ActionItems::UpdateActionItem(const Principal& p,
                                                             const pb::UpdateActionItemRequest& r) {
  const pb::ActionItem& patch = r.action_item();
  auto ids = kpo::auth::CheckName(p, "action_item.name", patch.name(), internal::kActionItemName);
  if (!ids.ok()) return ids.status();
  const std::string event_name = internal::EventOf(*ids);
  static const std::set<std::string> kUpdatable = {"what", "owner", "due_date", "status"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::ActionItem::descriptor(), kUpdatable, "cannot be updated",
                             v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return core_->commands().Run<pb::ActionItem>(
      {p.organization_id, "UpdateActionItem", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::ActionItem> {
        const std::string& org = c.organization_id();
        auto row = store::LoadActionItem(c.tx(), org, patch.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(patch.name());
        const pb::ActionItem current = (*row)->item;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        pb::ActionItem merged = current;
        FieldMaskUtil::MergeMessageTo(patch, mask, FieldMaskUtil::MergeOptions(), &merged);
        domain::ValidateActionItem(merged, v);
        if (merged.status() == pb::ACTION_ITEM_STATUS_UNSPECIFIED) {
          v.Add("action_item.status", "is required (OPEN, DONE or DROPPED)");
        }
        if (merged.owner() != current.owner()) {
          if (auto a = kpo::replica::RequireActive(c.tx(), org, merged.owner(), "person",
                                                   "action_item.owner", v);
              !a.ok()) {
            return a.status();
          }
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        const int64_t revision = (*row)->revision + 1;
        if (absl::Status s = SaveActionItem(c, event_name, merged, revision, false); !s.ok()) {
          return s;
        }
        pb::ActionItemUpdated updated;
        *updated.mutable_action_item() = merged;
        updated.set_revision(revision);
        *updated.mutable_update_mask() = mask;
        if (absl::Status s = c.Publish(merged.name(), updated); !s.ok()) return s;
        return merged;
      });
}

absl::StatusOr<pb::ListActionItemsResponse> ActionItems::ListActionItems(
    const Principal& p, const pb::ListActionItemsRequest& r) {
  store::ActionItemFilter filter;
  auto event = internal::EventsParent(p, r.parent());
  if (!event.ok()) return event.status();
  filter.event = *event;
  FieldViolations v;
  if (!r.site().empty() && !kpo::core::ParseName(r.site(), {"organizations", "sites"})) {
    v.Add("site", "must be a site name");
  }
  if (!r.owner().empty() && !kpo::core::ParseName(r.owner(), {"organizations", "people"})) {
    v.Add("owner", "must be a person name");
  }
  if (r.has_as_of() && !kpo::core::IsValidDate(r.as_of())) v.Add("as_of", "is not a valid date");
  if (!v.empty()) return v.ToStatus();
  filter.site = r.site();
  filter.owner = r.owner();
  if (r.overdue_only()) {
    filter.open_and_due_before = r.has_as_of()
                                     ? kpo::core::DateKey(r.as_of())
                                     : kpo::core::DateKey(kpo::core::FromCivil(
                                           absl::ToCivilDay(core_->Now(), absl::UTCTimeZone())));
  }
  const std::string scope =
      absl::StrCat(p.organization_id, "|actions|", filter.event.empty() ? "-" : filter.event, "|",
                   r.site(), "|", r.owner(), "|", filter.open_and_due_before);
  auto page = core_->List<pb::ActionItem>(
      r.page_size(), r.page_token(), scope,
      [&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& keyset) {
        return store::ListActionItems(tx, p.organization_id, filter, keyset);
      });
  if (!page.ok()) return page.status();
  pb::ListActionItemsResponse out;
  for (auto& item : page->first) *out.add_action_items() = std::move(item);
  out.set_next_page_token(page->second);
  return out;
}

}  // namespace kpo::kaizen
