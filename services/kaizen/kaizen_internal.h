#pragma once

// What the kaizen application classes (kaizen_events, action_items, settings) share:
// the one way an event changes, the organization's settings with their defaults,
// directory checks against the replica, and keyset paging. Internal to the service.
// Thread-safe (stateless beyond its references).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/errors.h"
#include "kpo/core/pagination.h"
#include "kpo/core/resource_name.h"
#include "kpo/kaizen/v1/resources.pb.h"
#include "store.h"

namespace kpo::kaizen::internal {

namespace pb = kpo::kaizen::v1;
using kpo::auth::Principal;
using kpo::command::Context;

inline constexpr kpo::core::Collections kEventName = {"organizations", "kaizenEvents"};
inline constexpr kpo::core::Collections kActionItemName = {"organizations", "kaizenEvents",
                                                           "actionItems"};
inline constexpr kpo::core::Collections kAuditName = {"organizations", "kaizenEvents", "audits"};

// Builds an outbox event from the event's final state and revision.
using Publish =
    std::function<std::unique_ptr<google::protobuf::Message>(const pb::KaizenEvent&, int64_t)>;

// An event type whose fields 1 and 2 are the event and its revision.
template <class E>
Publish Emit() {
  return [](const pb::KaizenEvent& event, int64_t revision) {
    auto e = std::make_unique<E>();
    *e->mutable_kaizen_event() = event;
    e->set_revision(revision);
    return std::unique_ptr<google::protobuf::Message>(std::move(e));
  };
}
// KaizenEventUpdated with the fields that changed.
Publish EmitUpdated(google::protobuf::FieldMask mask);
google::protobuf::FieldMask Mask(const char* path);

// What a change function did to an event: nothing, or a change with its events.
struct Change {
  bool changed = false;
  std::vector<Publish> publish;
};

google::protobuf::Timestamp Ts(absl::Time t);
// "organizations/{org}/kaizenEvents/{e}" of an action item or audit name.
std::string EventOf(const std::vector<std::string>& ids);

// The parent of a list of an event's children: one event's name, or
// "organizations/{org}/kaizenEvents/-" for every event (returned as ""). Shape first
// (INVALID_ARGUMENT), then tenancy (PERMISSION_DENIED).
absl::StatusOr<std::string> EventsParent(const Principal& p, const std::string& parent);

class Core {
 public:
  Core(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
       kpo::core::PageOptions pages)
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  const kpo::command::Runner& commands() const { return commands_; }
  kpo::storage::Database& db() const { return commands_.db(); }
  absl::Time Now() const { return commands_.clock().Now(); }

  // Stamps the output fields (times, etag) and writes the event.
  absl::Status SaveEvent(Context& c, pb::KaizenEvent& event, int64_t revision, bool insert) const;
  // Saves the event at the next revision and publishes each of `publish`.
  absl::Status Commit(Context& c, store::EventRow& row, const std::vector<Publish>& publish) const;

  // The organization's settings, or the shipped defaults (revision 0).
  absl::StatusOr<pb::KaizenSettings> LoadSettings(kpo::storage::Transaction& tx,
                                                  const std::string& org,
                                                  int64_t* revision = nullptr) const;

  // Site, area and every person the event names must be active in the directory.
  absl::Status CheckDirectory(kpo::storage::Transaction& tx, const std::string& org,
                              const pb::KaizenEvent& e, kpo::core::FieldViolations& v) const;
  // Today in the site's time zone (UTC if the replica does not know the site).
  absl::StatusOr<kpo::common::v1::Date> Today(kpo::storage::Transaction& tx, const std::string& org,
                                              const std::string& site) const;

  using ChangeFn = std::function<absl::StatusOr<Change>(Context&, pb::KaizenEvent& event)>;

  // Within a command: loads the event, checks its etag, lets `fn` change it and (if it
  // changed) stores it with the next revision and publishes its events.
  absl::StatusOr<pb::KaizenEvent> ChangeEvent(Context& c, const std::string& name,
                                              const std::string& etag, const ChangeFn& fn) const;

  // A whole command around ChangeEvent: the name's shape and tenancy, request_id
  // replay, one transaction.
  absl::StatusOr<pb::KaizenEvent> Mutate(const Principal& p, const char* method,
                                         const google::protobuf::Message& request,
                                         const std::string& name, const std::string& etag,
                                         const std::string& request_id, ChangeFn fn) const;

  // A lifecycle step: the state machine, the phase's checklist, then `gate` (extra
  // checks and effects), then the new state and its event.
  using Gate = std::function<absl::Status(Context&, pb::KaizenEvent&)>;
  absl::StatusOr<pb::KaizenEvent> Transition(const Principal& p, const char* method,
                                             const google::protobuf::Message& request,
                                             const std::string& name, const std::string& etag,
                                             const std::string& request_id, pb::EventState to,
                                             Publish publish, Gate gate) const;

  // One page of a list: `rows(tx, page)` selects up to page.limit + 1 rows.
  template <class Item, class Rows>
  absl::StatusOr<std::pair<std::vector<Item>, std::string>> List(int32_t page_size,
                                                                 const std::string& page_token,
                                                                 std::string scope,
                                                                 Rows rows) const {
    auto page = kpo::core::OpenPage(tokens_, pages_, page_size, page_token, std::move(scope));
    if (!page.ok()) return page.status();
    kpo::storage::KeysetPage keyset;
    keyset.limit = page->limit;
    if (page->after.has_value()) keyset.after = {{page->after->key, page->after->name}};
    std::vector<Item> items;
    std::string next;
    absl::Status s = db().Read([&](kpo::storage::Transaction& tx) -> absl::Status {
      absl::StatusOr<std::vector<store::PageRow>> found = rows(tx, keyset);
      if (!found.ok()) return found.status();
      const size_t limit = static_cast<size_t>(page->limit);
      for (size_t i = 0; i < found->size() && i < limit; ++i) {
        if (!items.emplace_back().ParseFromString((*found)[i].data)) {
          return absl::InternalError("corrupt row " + (*found)[i].name);
        }
      }
      if (found->size() > limit) {
        const auto& last = (*found)[limit - 1];
        next = kpo::core::NextPageToken(tokens_, *page, {last.key, last.name});
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return std::make_pair(std::move(items), std::move(next));
  }

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

}  // namespace kpo::kaizen::internal
