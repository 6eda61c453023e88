#include "kaizen_internal.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "domain/lifecycle.h"
#include "domain/sustainment.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/people/v1/resources.pb.h"
#include "kpo/replica/directory_replica.h"

namespace kpo::kaizen::internal {

namespace dir = kpo::people::v1;
using google::protobuf::FieldMask;
using google::protobuf::Message;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

Publish EmitUpdated(FieldMask mask) {
  return [mask = std::move(mask)](const pb::KaizenEvent& event, int64_t revision) {
    auto u = std::make_unique<pb::KaizenEventUpdated>();
    *u->mutable_kaizen_event() = event;
    u->set_revision(revision);
    *u->mutable_update_mask() = mask;
    return std::unique_ptr<Message>(std::move(u));
  };
}

FieldMask Mask(const char* path) {
  FieldMask m;
  m.add_paths(path);
  return m;
}

google::protobuf::Timestamp Ts(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

std::string EventOf(const std::vector<std::string>& ids) {
  return absl::StrCat("organizations/", ids.at(0), "/kaizenEvents/", ids.at(1));
}

absl::StatusOr<std::string> EventsParent(const Principal& p, const std::string& parent) {
  auto ids = kpo::auth::CheckName(p, "parent", parent, kEventName, kpo::core::LastId::kOrAll);
  if (!ids.ok()) return ids.status();
  return ids->back() == "-" ? std::string() : parent;
}

absl::Status Core::SaveEvent(Context& c, pb::KaizenEvent& e, int64_t revision, bool insert) const {
  *e.mutable_update_time() = Ts(c.now());
  if (insert) *e.mutable_create_time() = Ts(c.now());
  e.set_etag(std::to_string(revision));
  return insert ? store::InsertEvent(c.tx(), c.organization_id(), e, revision, c.now())
                : store::UpdateEvent(c.tx(), c.organization_id(), e, revision, c.now());
}

absl::Status Core::Commit(Context& c, store::EventRow& row,
                          const std::vector<Publish>& publish) const {
  const int64_t revision = row.revision + 1;
  if (absl::Status s = SaveEvent(c, row.event, revision, false); !s.ok()) return s;
  row.revision = revision;
  for (const auto& p : publish) {
    if (absl::Status s = c.Publish(row.event.name(), *p(row.event, revision)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<pb::KaizenSettings> Core::LoadSettings(Transaction& tx, const std::string& org,
                                                      int64_t* revision) const {
  auto stored = store::LoadSettings(tx, org);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    if (revision != nullptr) *revision = (*stored)->first;
    return (*stored)->second;
  }
  if (revision != nullptr) *revision = 0;
  pb::KaizenSettings s;
  s.set_name(absl::StrCat("organizations/", org, "/kaizenSettings"));
  for (int d : {30, 60, 90}) s.add_audit_offset_days(d);
  s.set_backslide_threshold(domain::kDefaultBackslideThreshold);
  for (auto& item : domain::DefaultChecklistTemplate()) *s.add_checklist_template() = item;
  s.set_etag("0");
  return s;
}

absl::Status Core::CheckDirectory(Transaction& tx, const std::string& org, const pb::KaizenEvent& e,
                                  FieldViolations& v) const {
  const std::string p = "kaizen_event.";
  if (auto s = kpo::replica::RequireActive(tx, org, e.site(), "site", p + "site", v); !s.ok()) {
    return s.status();
  }
  if (auto s = kpo::replica::RequireActive(tx, org, e.area(), "area", p + "area", v); !s.ok()) {
    return s.status();
  }
  const pb::Charter& c = e.charter();
  for (auto [field, person] :
       {std::pair{"sponsor", &c.sponsor()}, std::pair{"team_leader", &c.team_leader()},
        std::pair{"facilitator", &c.facilitator()}}) {
    if (auto s = kpo::replica::RequireActive(tx, org, *person, "person", p + "charter." + field, v);
        !s.ok()) {
      return s.status();
    }
  }
  for (int i = 0; i < c.team_members_size(); ++i) {
    if (auto s = kpo::replica::RequireActive(tx, org, c.team_members(i), "person",
                                             absl::StrCat(p, "charter.team_members[", i, "]"), v);
        !s.ok()) {
      return s.status();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<kpo::common::v1::Date> Core::Today(Transaction& tx, const std::string& org,
                                                  const std::string& site) const {
  auto zone = kpo::replica::SiteTimeZone(tx, org, site);
  if (!zone.ok()) return zone.status();
  return kpo::core::FromCivil(absl::ToCivilDay(Now(), *zone));
}

absl::StatusOr<pb::KaizenEvent> Core::ChangeEvent(Context& c, const std::string& name,
                                                  const std::string& etag,
                                                  const ChangeFn& fn) const {
  auto row = store::LoadEvent(c.tx(), c.organization_id(), name);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return kpo::core::NotFound(name);
  store::EventRow& loaded = **row;
  if (!etag.empty() && etag != loaded.event.etag()) return kpo::core::EtagMismatch(name);
  auto change = fn(c, loaded.event);
  if (!change.ok()) return change.status();
  if (change->changed) {
    if (absl::Status s = Commit(c, loaded, change->publish); !s.ok()) return s;
  }
  return loaded.event;
}

absl::StatusOr<pb::KaizenEvent> Core::Mutate(const Principal& p, const char* method,
                                             const Message& request, const std::string& name,
                                             const std::string& etag, const std::string& request_id,
                                             ChangeFn fn) const {
  if (auto ids = kpo::auth::CheckName(p, "name", name, kEventName); !ids.ok()) {
    return ids.status();
  }
  return commands_.Run<pb::KaizenEvent>({p.organization_id, method, request_id, &request},
                                        [&](Context& c) { return ChangeEvent(c, name, etag, fn); });
}

absl::StatusOr<pb::KaizenEvent> Core::Transition(const Principal& p, const char* method,
                                                 const Message& request, const std::string& name,
                                                 const std::string& etag,
                                                 const std::string& request_id, pb::EventState to,
                                                 Publish publish, Gate gate) const {
  return Mutate(p, method, request, name, etag, request_id,
                [&](Context& c, pb::KaizenEvent& event) -> absl::StatusOr<Change> {
                  if (absl::Status s = domain::CheckTransition(event.state(), to); !s.ok()) {
                    return s;
                  }
                  const pb::Phase phase = domain::PhaseToLeave(event.state(), to);
                  if (absl::Status s = domain::CheckChecklist(event, phase, to); !s.ok()) {
                    return s;
                  }
                  if (gate) {
                    if (absl::Status s = gate(c, event); !s.ok()) return s;
                  }
                  event.set_state(to);
                  return Change{true, {publish}};
                });
}

}  // namespace kpo::kaizen::internal
