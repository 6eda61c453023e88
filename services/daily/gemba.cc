#include "gemba.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "domain/gemba.h"
#include "domain/kata.h"
#include "gemba_store.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/date.h"
#include "kpo/core/enums.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/update_mask.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/replica/directory_replica.h"
#include "queries.h"

namespace kpo::daily {

namespace pb = kpo::daily::v1;
using google::protobuf::FieldMask;
using kpo::command::Context;
using kpo::core::FieldViolations;

namespace {

constexpr kpo::core::Collections kWalkName = {"organizations", "gembaWalks"};
constexpr kpo::core::Collections kFollowUpName = {"organizations", "gembaWalks", "followUps"};

google::protobuf::Timestamp Ts(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

bool IsAdmin(const kpo::auth::Principal& p) {
  return p.HasRole(kpo::auth::kOrgAdmin) || p.HasRole(kpo::auth::kService);
}

// The walk's leader (or an admin; also `also`, a follow-up's owner) may change it.
absl::Status CheckLeader(const kpo::auth::Principal& p, const pb::GembaWalk& w,
                         const std::string& also = "") {
  const std::string me = p.person_name();
  if (me == w.leader() || (!also.empty() && me == also) || IsAdmin(p)) return absl::OkStatus();
  return kpo::core::Error(
      absl::StatusCode::kPermissionDenied, "NOT_THE_LEADER",
      absl::StrCat("only the leader of the walk (", w.leader(), ")",
                   also.empty() ? "" : " or the follow-up's owner", " may change it"),
      {{"leader", w.leader()}});
}

// The walk's site, area, leader and objective against the replica (only those that
// changed from `before`, when given).
absl::Status CheckDirectory(kpo::storage::Transaction& tx, const std::string& org,
                            const pb::GembaWalk& w, const pb::GembaWalk* before,
                            FieldViolations& v) {
  if (before == nullptr) {
    for (auto [name, kind, field] : {std::tuple{&w.leader(), "person", "gemba_walk.leader"},
                                     std::tuple{&w.site(), "site", "gemba_walk.site"}}) {
      if (auto s = kpo::replica::RequireActive(tx, org, *name, kind, field, v); !s.ok()) {
        return s.status();
      }
    }
  }
  if (before == nullptr || before->area() != w.area()) {
    if (auto s = kpo::replica::RequireActive(tx, org, w.area(), "area", "gemba_walk.area", v);
        !s.ok()) {
      return s.status();
    }
  }
  if (before == nullptr || before->strategic_objective() != w.strategic_objective()) {
    return kpo::replica::RequireStrategicObjective(tx, org, w.strategic_objective(),
                                                   "gemba_walk.strategic_objective", v);
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> TodayAt(Context& c, const std::string& site) {
  auto zone = kpo::replica::SiteTimeZone(c.tx(), c.organization_id(), site);
  if (!zone.ok()) return zone.status();
  return domain::Today(c.now(), *zone);
}

kpo::core::PagePosition FollowUpPosition(const pb::GembaFollowUp& f) {
  return {kpo::core::DateKey(f.due_date()), f.name()};
}

// The walk a follow-up name belongs to.
std::string WalkOf(const std::string& follow_up) {
  return follow_up.substr(0, follow_up.rfind("/followUps/"));
}

void ValidateDates(const pb::ListGembaWalksRequest& r, FieldViolations& v) {
  if (r.has_date_from() && !kpo::core::IsValidDate(r.date_from())) {
    v.Add("date_from", "must be a real calendar date");
  }
  if (r.has_date_to() && !kpo::core::IsValidDate(r.date_to())) {
    v.Add("date_to", "must be a real calendar date");
  }
}

}  // namespace

// ---- Walks

absl::StatusOr<pb::GembaWalk> Gemba::CreateGembaWalk(const Principal& p,
                                                     const pb::CreateGembaWalkRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.gemba_walk_id().empty() && !kpo::core::IsValidResourceId(r.gemba_walk_id())) {
    v.Add("gemba_walk_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (v.Has("request_id")) return v.ToStatus();
  const pb::GembaWalk& in = r.gemba_walk();
  pb::GembaWalk w;
  w.set_name(absl::StrCat(r.parent(), "/gembaWalks/",
                          r.gemba_walk_id().empty() ? kpo::core::NewUuid() : r.gemba_walk_id()));
  w.set_leader(in.leader().empty() ? p.person_name() : in.leader());
  w.set_site(in.site());
  w.set_area(in.area());
  if (in.has_date()) *w.mutable_date() = in.date();
  *w.mutable_questions() = in.questions();
  *w.mutable_observations() = in.observations();
  w.set_strategic_objective(in.strategic_objective());
  // Recording another leader's walk is the KPO's or an admin's.
  if (w.leader() != p.person_name() && !IsAdmin(p) && !p.HasRole(kpo::auth::kKpoSpecialist)) {
    return kpo::core::Error(absl::StatusCode::kPermissionDenied, "NOT_THE_LEADER",
                            "a walk is recorded by its leader (or an org_admin or KPO specialist)",
                            {{"leader", w.leader()}});
  }
  return commands_.Run<pb::GembaWalk>(
      {p.organization_id, "CreateGembaWalk", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::GembaWalk> {
        auto today = TodayAt(c, w.site());
        if (!today.ok()) return today.status();
        domain::ValidateGembaWalk(w, *today, v);
        if (absl::Status s = CheckDirectory(c.tx(), c.organization_id(), w, nullptr, v); !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadGembaWalk(c.tx(), c.organization_id(), w.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(w.name());
        pb::GembaWalk created = w;
        *created.mutable_create_time() = Ts(c.now());
        *created.mutable_update_time() = Ts(c.now());
        created.set_etag("1");
        if (absl::Status s = store::SaveGembaWalk(c.tx(), c.organization_id(), created, 1);
            !s.ok()) {
          return s;
        }
        pb::GembaWalkRecorded e;
        *e.mutable_gemba_walk() = created;
        e.set_revision(1);
        if (absl::Status s = c.Publish(created.name(), e); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::GembaWalk> Gemba::GetGembaWalk(const Principal& p,
                                                  const pb::GetGembaWalkRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kWalkName); !ids.ok()) {
    return ids.status();
  }
  auto row =
      ReadOne<store::GembaWalkRow>(commands_.db(), r.name(), [&](kpo::storage::Transaction& tx) {
        return store::LoadGembaWalk(tx, p.organization_id, r.name());
      });
  if (!row.ok()) return row.status();
  return row->walk;
}

absl::StatusOr<pb::ListGembaWalksResponse> Gemba::ListGembaWalks(
    const Principal& p, const pb::ListGembaWalksRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  CheckNameFilter(r.site(), {"organizations", "sites"}, "site", "site", v);
  CheckNameFilter(r.area(), {"organizations", "sites", "areas"}, "area", "area", v);
  CheckNameFilter(r.leader(), {"organizations", "people"}, "leader", "person", v);
  if (int{!r.site().empty()} + int{!r.area().empty()} + int{!r.leader().empty()} > 1) {
    v.Add("site", "filter by one of site, area and leader");
  }
  ValidateDates(r, v);
  if (!v.empty()) return v.ToStatus();
  const store::GembaWalkFilter filter{r.site(), r.area(), r.leader(),
                                      r.has_date_from() ? kpo::core::DateKey(r.date_from()) : 0,
                                      r.has_date_to() ? kpo::core::DateKey(r.date_to()) : 0};
  pb::ListGembaWalksResponse out;
  absl::Status s = ReadPage<pb::GembaWalk>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|walks|", r.site(), "|", r.area(), "|", r.leader(), "|",
                   filter.from_day, "|", filter.to_day),
      {[&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListGembaWalks(tx, p.organization_id, filter, page);
       },
       [](const pb::GembaWalk& w) -> kpo::core::PagePosition {
         return {kpo::core::DateKey(w.date()), w.name()};
       },
       [&](pb::GembaWalk& w) { *out.add_gemba_walks() = std::move(w); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::GembaWalk> Gemba::UpdateGembaWalk(const Principal& p,
                                                     const pb::UpdateGembaWalkRequest& r) const {
  const pb::GembaWalk& patch = r.gemba_walk();
  if (auto ids = kpo::auth::CheckName(p, "gemba_walk.name", patch.name(), kWalkName); !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"area", "date", "questions", "observations",
                                                   "strategic_objective"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::GembaWalk::descriptor(), kUpdatable, "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::GembaWalk>(
      {p.organization_id, "UpdateGembaWalk", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::GembaWalk> {
        auto row = store::LoadGembaWalk(c.tx(), c.organization_id(), patch.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(patch.name());
        const pb::GembaWalk& current = (*row)->walk;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        if (absl::Status s = CheckLeader(p, current); !s.ok()) return s;
        pb::GembaWalk merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        opts.set_replace_repeated_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        auto today = TodayAt(c, merged.site());
        if (!today.ok()) return today.status();
        domain::ValidateGembaWalk(merged, *today, v);
        if (absl::Status s = CheckDirectory(c.tx(), c.organization_id(), merged, &current, v);
            !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        const int64_t revision = (*row)->revision + 1;
        *merged.mutable_update_time() = Ts(c.now());
        merged.set_etag(std::to_string(revision));
        if (absl::Status s = store::SaveGembaWalk(c.tx(), c.organization_id(), merged, revision);
            !s.ok()) {
          return s;
        }
        pb::GembaWalkUpdated e;
        *e.mutable_gemba_walk() = merged;
        e.set_revision(revision);
        *e.mutable_update_mask() = mask;
        if (absl::Status s = c.Publish(merged.name(), e); !s.ok()) return s;
        return merged;
      });
}

// ---- Follow-ups

absl::StatusOr<pb::GembaFollowUp> Gemba::CreateGembaFollowUp(
    const Principal& p, const pb::CreateGembaFollowUpRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kWalkName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.follow_up_id().empty() && !kpo::core::IsValidResourceId(r.follow_up_id())) {
    v.Add("follow_up_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (v.Has("request_id")) return v.ToStatus();
  pb::GembaFollowUp f;
  f.set_name(absl::StrCat(r.parent(), "/followUps/",
                          r.follow_up_id().empty() ? kpo::core::NewUuid() : r.follow_up_id()));
  f.set_description(r.follow_up().description());
  f.set_owner(r.follow_up().owner());
  if (r.follow_up().has_due_date()) *f.mutable_due_date() = r.follow_up().due_date();
  f.set_status(pb::FOLLOW_UP_STATUS_OPEN);
  domain::ValidateFollowUp(f, v);
  return commands_.Run<pb::GembaFollowUp>(
      {p.organization_id, "CreateGembaFollowUp", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::GembaFollowUp> {
        auto walk = store::LoadGembaWalk(c.tx(), c.organization_id(), r.parent());
        if (!walk.ok()) return walk.status();
        if (!walk->has_value()) return kpo::core::NotFound(r.parent());
        if (absl::Status s = CheckLeader(p, (*walk)->walk); !s.ok()) return s;
        if (auto s = kpo::replica::RequireActive(c.tx(), c.organization_id(), f.owner(), "person",
                                                 "follow_up.owner", v);
            !s.ok()) {
          return s.status();
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadFollowUp(c.tx(), c.organization_id(), f.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(f.name());
        pb::GembaFollowUp created = f;
        created.set_site((*walk)->walk.site());
        created.set_area((*walk)->walk.area());
        *created.mutable_create_time() = Ts(c.now());
        *created.mutable_update_time() = Ts(c.now());
        created.set_etag("1");
        if (absl::Status s =
                store::SaveFollowUp(c.tx(), c.organization_id(), r.parent(), created, 1);
            !s.ok()) {
          return s;
        }
        pb::GembaFollowUpCreated e;
        *e.mutable_follow_up() = created;
        e.set_revision(1);
        if (absl::Status s = c.Publish(created.name(), e); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::GembaFollowUp> Gemba::GetGembaFollowUp(
    const Principal& p, const pb::GetGembaFollowUpRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kFollowUpName); !ids.ok()) {
    return ids.status();
  }
  auto row =
      ReadOne<store::FollowUpRow>(commands_.db(), r.name(), [&](kpo::storage::Transaction& tx) {
        return store::LoadFollowUp(tx, p.organization_id, r.name());
      });
  if (!row.ok()) return row.status();
  return row->follow_up;
}

absl::StatusOr<pb::ListGembaFollowUpsResponse> Gemba::ListGembaFollowUps(
    const Principal& p, const pb::ListGembaFollowUpsRequest& r) const {
  auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kWalkName, kpo::core::LastId::kOrAll);
  if (!ids.ok()) return ids.status();
  FieldViolations v;
  CheckNameFilter(r.owner(), {"organizations", "people"}, "owner", "person", v);
  CheckNameFilter(r.site(), {"organizations", "sites"}, "site", "site", v);
  kpo::core::CheckEnum(pb::FollowUpStatus_descriptor(), r.status(), "status", false, v);
  const DueQuery due(r.overdue_only(), r.has_as_of() ? &r.as_of() : nullptr,
                     commands_.clock().Now());
  due.Check(
      r.status() == pb::FOLLOW_UP_STATUS_UNSPECIFIED || r.status() == pb::FOLLOW_UP_STATUS_OPEN,
      "status", "follow-ups", v);
  if (!v.empty()) return v.ToStatus();
  store::FollowUpFilter filter;
  if (ids->back() != "-") filter.walk = r.parent();
  filter.owner = r.owner();
  filter.site = r.site();
  filter.status = r.overdue_only() ? pb::FOLLOW_UP_STATUS_OPEN : r.status();
  filter.due_before = due.due_before();
  pb::ListGembaFollowUpsResponse out;
  absl::Status s = ReadPage<pb::GembaFollowUp>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|followups|", r.parent(), "|", r.owner(), "|", r.site(), "|",
                   r.status(), "|", due.Key()),
      {[&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& page) {
         return due.Fetch<pb::GembaFollowUp>(
             tx, p.organization_id, page,
             [&](kpo::storage::Transaction& t, const kpo::storage::KeysetPage& k) {
               return store::ListFollowUps(t, p.organization_id, filter, k);
             },
             FollowUpPosition,
             [](const pb::GembaFollowUp& row, absl::CivilDay today) {
               return domain::IsOverdue(row, today);
             });
       },
       FollowUpPosition, [&](pb::GembaFollowUp& f) { *out.add_follow_ups() = std::move(f); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::GembaFollowUp> Gemba::UpdateGembaFollowUp(
    const Principal& p, const pb::UpdateGembaFollowUpRequest& r) const {
  const pb::GembaFollowUp& patch = r.follow_up();
  if (auto ids = kpo::auth::CheckName(p, "follow_up.name", patch.name(), kFollowUpName);
      !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"description", "owner", "due_date", "status"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::GembaFollowUp::descriptor(), kUpdatable, "cannot be updated",
                             v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::GembaFollowUp>(
      {p.organization_id, "UpdateGembaFollowUp", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::GembaFollowUp> {
        auto row = store::LoadFollowUp(c.tx(), c.organization_id(), patch.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(patch.name());
        const pb::GembaFollowUp& current = (*row)->follow_up;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        auto walk = store::LoadGembaWalk(c.tx(), c.organization_id(), WalkOf(patch.name()));
        if (!walk.ok()) return walk.status();
        if (!walk->has_value()) return kpo::core::NotFound(WalkOf(patch.name()));
        if (absl::Status s = CheckLeader(p, (*walk)->walk, current.owner()); !s.ok()) return s;
        pb::GembaFollowUp merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        domain::ValidateFollowUp(merged, v);
        if (merged.owner() != current.owner()) {
          if (auto s = kpo::replica::RequireActive(c.tx(), c.organization_id(), merged.owner(),
                                                   "person", "follow_up.owner", v);
              !s.ok()) {
            return s.status();
          }
        }
        if (!v.empty()) return v.ToStatus();
        if (merged.status() != current.status()) {
          if (merged.status() == pb::FOLLOW_UP_STATUS_DONE) {
            *merged.mutable_done_time() = Ts(c.now());
          } else {
            merged.clear_done_time();
          }
        }
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        const int64_t revision = (*row)->revision + 1;
        *merged.mutable_update_time() = Ts(c.now());
        merged.set_etag(std::to_string(revision));
        if (absl::Status s = store::SaveFollowUp(c.tx(), c.organization_id(), WalkOf(patch.name()),
                                                 merged, revision);
            !s.ok()) {
          return s;
        }
        pb::GembaFollowUpUpdated e;
        *e.mutable_follow_up() = merged;
        e.set_revision(revision);
        *e.mutable_update_mask() = mask;
        if (absl::Status s = c.Publish(merged.name(), e); !s.ok()) return s;
        return merged;
      });
}

}  // namespace kpo::daily
