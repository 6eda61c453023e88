#include "circles.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/update_mask.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/replica/directory_replica.h"
#include "queries.h"
#include "store.h"

namespace kpo::daily {

namespace pb = kpo::daily::v1;
using google::protobuf::FieldMask;
using kpo::command::Context;
using kpo::core::FieldViolations;

namespace {

constexpr kpo::core::Collections kCircleName = {"organizations", "circles"};

google::protobuf::Timestamp Now(const Context& c) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(c.now()));
}

// Field rules of a circle (violations of "circle.<field>").
void Validate(const pb::Circle& c, FieldViolations& v) {
  if (c.display_name().empty()) {
    v.Add("circle.display_name", "is required");
  } else if (c.display_name().size() > 200) {
    v.Add("circle.display_name", "at most 200 characters");
  }
  const bool site_ok = kpo::core::ParseName(c.site(), {"organizations", "sites"}).has_value();
  if (!site_ok) v.Add("circle.site", "must be a site name (organizations/{org}/sites/{site})");
  if (!kpo::core::ParseName(c.area(), {"organizations", "sites", "areas"})) {
    v.Add("circle.area", "must be an area name (organizations/{org}/sites/{site}/areas/{area})");
  } else if (site_ok && !absl::StartsWith(c.area(), c.site() + "/")) {
    v.Add("circle.area", absl::StrCat("must be an area of ", c.site()));
  }
  if (c.members().empty()) {
    v.Add("circle.members", "at least one person");
  } else if (c.members_size() > kMaxCircleMembers) {
    v.Add("circle.members", absl::StrCat("at most ", kMaxCircleMembers, " people"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < c.members_size(); ++i) {
    const std::string field = absl::StrCat("circle.members[", i, "]");
    if (!kpo::core::ParseName(c.members(i), {"organizations", "people"})) {
      v.Add(field, "must be a person name (organizations/{org}/people/{person})");
    } else if (!seen.insert(c.members(i)).second) {
      v.Add(field, absl::StrCat(c.members(i), " is named twice"));
    }
  }
  if (!c.leader().empty() && !seen.contains(c.leader())) {
    v.Add("circle.leader", "must be one of the members");
  }
}

// Site, area and every member must be active in the directory replica.
absl::Status CheckDirectory(kpo::storage::Transaction& tx, const std::string& org,
                            const pb::Circle& c, FieldViolations& v) {
  if (auto s = kpo::replica::RequireActive(tx, org, c.site(), "site", "circle.site", v); !s.ok()) {
    return s.status();
  }
  if (auto s = kpo::replica::RequireActive(tx, org, c.area(), "area", "circle.area", v); !s.ok()) {
    return s.status();
  }
  for (int i = 0; i < c.members_size(); ++i) {
    if (auto s = kpo::replica::RequireActive(tx, org, c.members(i), "person",
                                             absl::StrCat("circle.members[", i, "]"), v);
        !s.ok()) {
      return s.status();
    }
  }
  return absl::OkStatus();
}

// Stamps and stores the circle at `revision` and publishes `event`.
template <class Event>
absl::Status Save(Context& c, pb::Circle& circle, int64_t revision,
                  const FieldMask* mask = nullptr) {
  *circle.mutable_update_time() = Now(c);
  circle.set_etag(std::to_string(revision));
  if (absl::Status s = store::SaveCircle(c.tx(), c.organization_id(), circle, revision); !s.ok()) {
    return s;
  }
  Event e;
  *e.mutable_circle() = circle;
  e.set_revision(revision);
  if constexpr (std::is_same_v<Event, pb::CircleUpdated>) *e.mutable_update_mask() = *mask;
  return c.Publish(circle.name(), e);
}

}  // namespace

absl::Status CheckIdeaCircle(kpo::storage::Transaction& tx, const std::string& org,
                             const pb::Idea& idea, FieldViolations& v) {
  if (idea.circle().empty() || v.Has("idea.circle")) return absl::OkStatus();
  if (!kpo::core::ParseName(idea.circle(), kCircleName)) {
    v.Add("idea.circle", "must be a circle name (organizations/{org}/circles/{circle})");
    return absl::OkStatus();
  }
  auto row = store::LoadCircle(tx, org, idea.circle());
  if (!row.ok()) return row.status();
  if (!row->has_value()) {
    v.Add("idea.circle", absl::StrCat(idea.circle(), " does not exist"));
  } else if (!(*row)->circle.active()) {
    v.Add("idea.circle", absl::StrCat(idea.circle(), " is inactive"));
  } else if ((*row)->circle.site() != idea.site()) {
    v.Add("idea.circle", absl::StrCat(idea.circle(), " works at ", (*row)->circle.site(),
                                      ", not at the idea's site"));
  }
  return absl::OkStatus();
}

absl::StatusOr<pb::Circle> Circles::CreateCircle(const Principal& p,
                                                 const pb::CreateCircleRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.circle_id().empty() && !kpo::core::IsValidResourceId(r.circle_id())) {
    v.Add("circle_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::Circle circle;
  circle.set_display_name(r.circle().display_name());
  circle.set_site(r.circle().site());
  circle.set_area(r.circle().area());
  *circle.mutable_members() = r.circle().members();
  circle.set_leader(r.circle().leader());
  Validate(circle, v);
  if (v.Has("request_id")) return v.ToStatus();
  circle.set_name(absl::StrCat(r.parent(), "/circles/",
                               r.circle_id().empty() ? kpo::core::NewUuid() : r.circle_id()));
  return commands_.Run<pb::Circle>(
      {p.organization_id, "CreateCircle", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Circle> {
        if (absl::Status s = CheckDirectory(c.tx(), c.organization_id(), circle, v); !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadCircle(c.tx(), c.organization_id(), circle.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(circle.name());
        pb::Circle created = circle;
        created.set_active(true);
        *created.mutable_create_time() = Now(c);
        if (absl::Status s = Save<pb::CircleCreated>(c, created, 1); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::Circle> Circles::GetCircle(const Principal& p,
                                              const pb::GetCircleRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kCircleName); !ids.ok()) {
    return ids.status();
  }
  auto row =
      ReadOne<store::CircleRow>(commands_.db(), r.name(), [&](kpo::storage::Transaction& tx) {
        return store::LoadCircle(tx, p.organization_id, r.name());
      });
  if (!row.ok()) return row.status();
  return row->circle;
}

absl::StatusOr<pb::ListCirclesResponse> Circles::ListCircles(
    const Principal& p, const pb::ListCirclesRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  CheckNameFilter(r.site(), {"organizations", "sites"}, "site", "site", v);
  CheckNameFilter(r.area(), {"organizations", "sites", "areas"}, "area", "area", v);
  CheckNameFilter(r.member(), {"organizations", "people"}, "member", "person", v);
  if (int{!r.site().empty()} + int{!r.area().empty()} + int{!r.member().empty()} > 1) {
    v.Add("site", "filter by one of site, area and member");
  }
  if (!v.empty()) return v.ToStatus();
  auto page = kpo::core::OpenPage(
      tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|circles|", r.site(), "|", r.area(), "|", r.member()));
  if (!page.ok()) return page.status();
  kpo::storage::KeysetPage keyset;
  keyset.limit = page->limit;
  if (page->after.has_value()) keyset.after = {{0, page->after->name}};
  pb::ListCirclesResponse out;
  absl::Status s = commands_.db().Read([&](kpo::storage::Transaction& tx) -> absl::Status {
    auto rows = store::ListCircles(tx, p.organization_id, {r.site(), r.area(), r.member()}, keyset);
    if (!rows.ok()) return rows.status();
    const size_t limit = static_cast<size_t>(page->limit);
    for (size_t i = 0; i < rows->size() && i < limit; ++i) {
      if (!out.add_circles()->ParseFromString((*rows)[i].data)) {
        return absl::InternalError("corrupt circle " + (*rows)[i].name);
      }
    }
    if (rows->size() > limit) {
      out.set_next_page_token(
          kpo::core::NextPageToken(tokens_, *page, {0, (*rows)[limit - 1].name}));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::Circle> Circles::UpdateCircle(const Principal& p,
                                                 const pb::UpdateCircleRequest& r) const {
  const pb::Circle& patch = r.circle();
  if (auto ids = kpo::auth::CheckName(p, "circle.name", patch.name(), kCircleName); !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"display_name", "members", "leader"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::Circle::descriptor(), kUpdatable, "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::Circle>(
      {p.organization_id, "UpdateCircle", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Circle> {
        auto row = store::LoadCircle(c.tx(), c.organization_id(), patch.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(patch.name());
        pb::Circle& current = (*row)->circle;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        if (!current.active()) {
          return kpo::core::FailedPrecondition(
              "CIRCLE_INACTIVE", absl::StrCat(patch.name(), " is inactive and cannot be updated"));
        }
        pb::Circle merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_repeated_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        Validate(merged, v);
        if (absl::Status s = CheckDirectory(c.tx(), c.organization_id(), merged, v); !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        if (absl::Status s = Save<pb::CircleUpdated>(c, merged, (*row)->revision + 1, &mask);
            !s.ok()) {
          return s;
        }
        return merged;
      });
}

absl::StatusOr<pb::Circle> Circles::DeactivateCircle(const Principal& p,
                                                     const pb::DeactivateCircleRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kCircleName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(r.request_id(), v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::Circle>(
      {p.organization_id, "DeactivateCircle", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Circle> {
        auto row = store::LoadCircle(c.tx(), c.organization_id(), r.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(r.name());
        pb::Circle& circle = (*row)->circle;
        if (!r.etag().empty() && r.etag() != circle.etag())
          return kpo::core::EtagMismatch(r.name());
        if (!circle.active()) return circle;  // already: nothing changes
        circle.set_active(false);
        if (absl::Status s = Save<pb::CircleDeactivated>(c, circle, (*row)->revision + 1);
            !s.ok()) {
          return s;
        }
        return circle;
      });
}

}  // namespace kpo::daily
