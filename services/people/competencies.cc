#include "competencies.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "competency_store.h"
#include "domain/competencies.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/command/reads.h"
#include "kpo/core/enums.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/update_mask.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/events.pb.h"

namespace kpo::people {

namespace pb = kpo::people::v1;
using google::protobuf::FieldMask;
using kpo::command::Context;
using kpo::core::FieldViolations;

namespace {

constexpr kpo::core::Collections kCompetencyName = {"organizations", "competencies"};
constexpr kpo::core::Collections kProfileName = {"organizations", "targetProfiles"};
// An organization's own competencies, beyond the catalogue.
constexpr int64_t kMaxOwnCompetencies = 500;

google::protobuf::Timestamp Now(const Context& c) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(c.now()));
}

// Stamps and stores the competency at `revision` and publishes `Event`.
template <class Event>
absl::Status Save(Context& c, pb::Competency& competency, int64_t revision,
                  const FieldMask* mask = nullptr) {
  if (!competency.has_create_time()) *competency.mutable_create_time() = Now(c);
  *competency.mutable_update_time() = Now(c);
  competency.set_etag(std::to_string(revision));
  if (absl::Status s = store::SaveCompetency(c.tx(), c.organization_id(), competency, revision);
      !s.ok()) {
    return s;
  }
  Event e;
  *e.mutable_competency() = competency;
  e.set_revision(revision);
  if constexpr (std::is_same_v<Event, pb::CompetencyUpdated>) *e.mutable_update_mask() = *mask;
  return c.Publish(competency.name(), e);
}

template <class Event>
absl::Status Save(Context& c, pb::TargetProfile& profile, int64_t revision,
                  const FieldMask* mask = nullptr) {
  if (!profile.has_create_time()) *profile.mutable_create_time() = Now(c);
  *profile.mutable_update_time() = Now(c);
  profile.set_etag(std::to_string(revision));
  if (absl::Status s = store::SaveTargetProfile(c.tx(), c.organization_id(), profile, revision);
      !s.ok()) {
    return s;
  }
  Event e;
  *e.mutable_target_profile() = profile;
  e.set_revision(revision);
  if constexpr (std::is_same_v<Event, pb::TargetProfileUpdated>) *e.mutable_update_mask() = *mask;
  return c.Publish(profile.name(), e);
}

// Every competency of the organization as it has them (stored rows over built-in
// ones), by name.
absl::StatusOr<std::map<std::string, pb::Competency>> AllCompetencies(kpo::storage::Transaction& tx,
                                                                      const std::string& org) {
  std::map<std::string, pb::Competency> all;
  for (auto& c : domain::BuiltInCompetencies("organizations/" + org)) {
    std::string name = c.name();
    all.emplace(std::move(name), std::move(c));
  }
  auto stored = store::StoredCompetencies(tx, org);
  if (!stored.ok()) return stored.status();
  for (auto& c : *stored) {
    std::string name = c.name();
    all[name] = std::move(c);
  }
  return all;
}

// The profile's targets must name active competencies; its role must have no other
// active profile.
absl::Status CheckProfileReferences(kpo::storage::Transaction& tx, const std::string& org,
                                    const pb::TargetProfile& t, FieldViolations& v) {
  auto active = ActiveCompetencies(tx, org);
  if (!active.ok()) return active.status();
  for (int i = 0; i < t.targets_size(); ++i) {
    const std::string field = absl::StrCat("target_profile.targets[", i, "].competency");
    if (v.Has(field)) continue;
    if (!active->contains(t.targets(i).competency())) {
      v.Add(field, absl::StrCat(t.targets(i).competency(),
                                " is not an active competency of the organization"));
    }
  }
  if (v.Has("target_profile.role")) return absl::OkStatus();
  // At most one active profile per role and KPO level: a role has at most four (no
  // level and each of the three KPO levels).
  kpo::storage::KeysetPage page;
  page.limit = 8;
  auto same_role = store::ListTargetProfiles(tx, org, t.role(), false, page);
  if (!same_role.ok()) return same_role.status();
  for (const auto& other : *same_role) {
    if (other.name() != t.name() && other.kpo_level() == t.kpo_level()) {
      v.Add("target_profile.role", absl::StrCat(other.name(), " is already the active profile of ",
                                                pb::Role_Name(t.role()),
                                                t.kpo_level() != pb::KPO_LEVEL_UNSPECIFIED
                                                    ? " at " + pb::KpoLevel_Name(t.kpo_level())
                                                    : "",
                                                " (update it, or deactivate it first)"));
      break;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<EffectiveCompetency>> LoadEffectiveCompetency(
    kpo::storage::Transaction& tx, const std::string& org, const std::string& name) {
  auto row = store::LoadCompetency(tx, org, name);
  if (!row.ok()) return row.status();
  if (row->has_value()) {
    return std::optional<EffectiveCompetency>({(*row)->revision, std::move((*row)->competency)});
  }
  auto ids = kpo::core::ParseName(name, kCompetencyName);
  EffectiveCompetency built_in;
  if (ids.has_value() &&
      domain::BuiltInCompetencyNamed("organizations/" + org, ids->back(), &built_in.competency)) {
    return std::optional<EffectiveCompetency>(std::move(built_in));
  }
  return std::optional<EffectiveCompetency>();
}

absl::StatusOr<std::map<std::string, pb::Competency>> ActiveCompetencies(
    kpo::storage::Transaction& tx, const std::string& org) {
  auto all = AllCompetencies(tx, org);
  if (!all.ok()) return all.status();
  std::erase_if(*all, [](const auto& entry) { return entry.second.state() != pb::ACTIVE; });
  return all;
}

absl::StatusOr<pb::ListCompetenciesResponse> CompetencyModel::ListCompetencies(
    const Principal& p, const pb::ListCompetenciesRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::core::CheckEnum(pb::CompetencyKind_descriptor(), r.kind(), "kind", false, v);
  if (!v.empty()) return v.ToStatus();
  auto page = kpo::core::OpenPage(
      tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|competencies|", r.kind(), "|", r.show_inactive()));
  if (!page.ok()) return page.status();
  pb::ListCompetenciesResponse out;
  absl::Status s = commands_.db().Read([&](kpo::storage::Transaction& tx) -> absl::Status {
    auto all = AllCompetencies(tx, p.organization_id);
    if (!all.ok()) return all.status();
    auto it = page->after.has_value() ? all->upper_bound(page->after->name) : all->begin();
    for (; it != all->end(); ++it) {
      const pb::Competency& c = it->second;
      if (r.kind() != pb::COMPETENCY_KIND_UNSPECIFIED && c.kind() != r.kind()) continue;
      if (!r.show_inactive() && c.state() != pb::ACTIVE) continue;
      if (out.competencies_size() == page->limit) {
        out.set_next_page_token(kpo::core::NextPageToken(
            tokens_, *page, {0, out.competencies(out.competencies_size() - 1).name()}));
        break;
      }
      *out.add_competencies() = c;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::Competency> CompetencyModel::GetCompetency(
    const Principal& p, const pb::GetCompetencyRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kCompetencyName); !ids.ok()) {
    return ids.status();
  }
  auto row = kpo::command::ReadOne<EffectiveCompetency>(
      commands_.db(), r.name(), [&](kpo::storage::Transaction& tx) {
        return LoadEffectiveCompetency(tx, p.organization_id, r.name());
      });
  if (!row.ok()) return row.status();
  return row->competency;
}

absl::StatusOr<pb::Competency> CompetencyModel::CreateCompetency(
    const Principal& p, const pb::CreateCompetencyRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!kpo::core::IsValidResourceId(r.competency_id())) {
    v.Add("competency_id", "is required: 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::Competency competency;
  competency.set_display_name(r.competency().display_name());
  competency.set_kind(r.competency().kind());
  competency.set_description(r.competency().description());
  *competency.mutable_level_definitions() = r.competency().level_definitions();
  domain::ValidateCompetency(competency, "competency.", v);
  if (!v.empty()) return v.ToStatus();
  competency.set_name(absl::StrCat(r.parent(), "/competencies/", r.competency_id()));
  return commands_.Run<pb::Competency>(
      {p.organization_id, "CreateCompetency", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::Competency> {
        auto existing = LoadEffectiveCompetency(c.tx(), c.organization_id(), competency.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(competency.name());
        auto stored = store::CountStoredCompetencies(c.tx(), c.organization_id());
        if (!stored.ok()) return stored.status();
        if (*stored >= kMaxOwnCompetencies) {
          return kpo::core::FailedPrecondition(
              "TOO_MANY_COMPETENCIES",
              absl::StrCat("an organization has at most ", kMaxOwnCompetencies,
                           " competencies of its own; deactivated ones count"));
        }
        pb::Competency created = competency;
        created.set_state(pb::ACTIVE);
        if (absl::Status s = Save<pb::CompetencyCreated>(c, created, 1); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::Competency> CompetencyModel::UpdateCompetency(
    const Principal& p, const pb::UpdateCompetencyRequest& r) const {
  const pb::Competency& patch = r.competency();
  if (auto ids = kpo::auth::CheckName(p, "competency.name", patch.name(), kCompetencyName);
      !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"display_name", "description",
                                                   "level_definitions"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::Competency::descriptor(), kUpdatable, "cannot be updated",
                             v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::Competency>(
      {p.organization_id, "UpdateCompetency", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Competency> {
        auto row = LoadEffectiveCompetency(c.tx(), c.organization_id(), patch.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(patch.name());
        const pb::Competency& current = (*row)->competency;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        if (current.state() != pb::ACTIVE) {
          return kpo::core::FailedPrecondition(
              "COMPETENCY_INACTIVE",
              absl::StrCat(patch.name(), " is inactive and cannot be updated"));
        }
        pb::Competency merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_repeated_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        domain::ValidateCompetency(merged, "competency.", v);
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        if (absl::Status s = Save<pb::CompetencyUpdated>(c, merged, (*row)->revision + 1, &mask);
            !s.ok()) {
          return s;
        }
        return merged;
      });
}

absl::StatusOr<pb::Competency> CompetencyModel::DeactivateCompetency(
    const Principal& p, const pb::DeactivateCompetencyRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kCompetencyName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(r.request_id(), v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::Competency>(
      {p.organization_id, "DeactivateCompetency", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Competency> {
        auto row = LoadEffectiveCompetency(c.tx(), c.organization_id(), r.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(r.name());
        pb::Competency& competency = (*row)->competency;
        if (!r.etag().empty() && r.etag() != competency.etag()) {
          return kpo::core::EtagMismatch(r.name());
        }
        if (competency.state() != pb::ACTIVE) return competency;  // already
        auto users = store::ProfilesTargeting(c.tx(), c.organization_id(), r.name());
        if (!users.ok()) return users.status();
        if (!users->empty()) {
          return kpo::core::FailedPrecondition(
              "COMPETENCY_IN_USE",
              absl::StrCat(r.name(), " is targeted by ", absl::StrJoin(*users, ", "),
                           "; remove it from their targets first"));
        }
        competency.set_state(pb::INACTIVE);
        if (absl::Status s = Save<pb::CompetencyDeactivated>(c, competency, (*row)->revision + 1);
            !s.ok()) {
          return s;
        }
        return competency;
      });
}

absl::StatusOr<pb::TargetProfile> CompetencyModel::CreateTargetProfile(
    const Principal& p, const pb::CreateTargetProfileRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.target_profile_id().empty() && !kpo::core::IsValidResourceId(r.target_profile_id())) {
    v.Add("target_profile_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::TargetProfile profile;
  profile.set_display_name(r.target_profile().display_name());
  profile.set_role(r.target_profile().role());
  profile.set_kpo_level(r.target_profile().kpo_level());
  *profile.mutable_targets() = r.target_profile().targets();
  domain::ValidateTargetProfile(profile, "target_profile.", v);
  if (v.Has("target_profile_id") || v.Has("request_id")) return v.ToStatus();
  profile.set_name(
      absl::StrCat(r.parent(), "/targetProfiles/",
                   r.target_profile_id().empty() ? kpo::core::NewUuid() : r.target_profile_id()));
  return commands_.Run<pb::TargetProfile>(
      {p.organization_id, "CreateTargetProfile", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::TargetProfile> {
        if (absl::Status s = CheckProfileReferences(c.tx(), c.organization_id(), profile, v);
            !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadTargetProfile(c.tx(), c.organization_id(), profile.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(profile.name());
        pb::TargetProfile created = profile;
        created.set_state(pb::ACTIVE);
        if (absl::Status s = Save<pb::TargetProfileCreated>(c, created, 1); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::TargetProfile> CompetencyModel::GetTargetProfile(
    const Principal& p, const pb::GetTargetProfileRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kProfileName); !ids.ok()) {
    return ids.status();
  }
  auto row = kpo::command::ReadOne<store::TargetProfileRow>(
      commands_.db(), r.name(), [&](kpo::storage::Transaction& tx) {
        return store::LoadTargetProfile(tx, p.organization_id, r.name());
      });
  if (!row.ok()) return row.status();
  return row->profile;
}

absl::StatusOr<pb::ListTargetProfilesResponse> CompetencyModel::ListTargetProfiles(
    const Principal& p, const pb::ListTargetProfilesRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::core::CheckEnum(pb::Role_descriptor(), r.role(), "role", false, v);
  if (!v.empty()) return v.ToStatus();
  pb::ListTargetProfilesResponse out;
  absl::Status s = kpo::command::ReadPage<pb::TargetProfile>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|profiles|", r.role(), "|", r.show_inactive()),
      {[&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListTargetProfiles(tx, p.organization_id, r.role(), r.show_inactive(), page);
       },
       [](const pb::TargetProfile& t) {
         return kpo::core::PagePosition{0, t.name()};
       },
       [&](pb::TargetProfile& t) { *out.add_target_profiles() = std::move(t); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::TargetProfile> CompetencyModel::UpdateTargetProfile(
    const Principal& p, const pb::UpdateTargetProfileRequest& r) const {
  const pb::TargetProfile& patch = r.target_profile();
  if (auto ids = kpo::auth::CheckName(p, "target_profile.name", patch.name(), kProfileName);
      !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"display_name", "targets"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::TargetProfile::descriptor(), kUpdatable, "cannot be updated",
                             v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::TargetProfile>(
      {p.organization_id, "UpdateTargetProfile", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::TargetProfile> {
        auto row = store::LoadTargetProfile(c.tx(), c.organization_id(), patch.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(patch.name());
        const pb::TargetProfile& current = (*row)->profile;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        if (current.state() != pb::ACTIVE) {
          return kpo::core::FailedPrecondition(
              "TARGET_PROFILE_INACTIVE",
              absl::StrCat(patch.name(), " is inactive and cannot be updated"));
        }
        pb::TargetProfile merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_repeated_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        domain::ValidateTargetProfile(merged, "target_profile.", v);
        if (absl::Status s = CheckProfileReferences(c.tx(), c.organization_id(), merged, v);
            !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        if (absl::Status s = Save<pb::TargetProfileUpdated>(c, merged, (*row)->revision + 1, &mask);
            !s.ok()) {
          return s;
        }
        return merged;
      });
}

absl::StatusOr<pb::TargetProfile> CompetencyModel::DeactivateTargetProfile(
    const Principal& p, const pb::DeactivateTargetProfileRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kProfileName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(r.request_id(), v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::TargetProfile>(
      {p.organization_id, "DeactivateTargetProfile", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::TargetProfile> {
        auto row = store::LoadTargetProfile(c.tx(), c.organization_id(), r.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(r.name());
        pb::TargetProfile& profile = (*row)->profile;
        if (!r.etag().empty() && r.etag() != profile.etag()) {
          return kpo::core::EtagMismatch(r.name());
        }
        if (profile.state() != pb::ACTIVE) return profile;
        profile.set_state(pb::INACTIVE);
        if (absl::Status s = Save<pb::TargetProfileDeactivated>(c, profile, (*row)->revision + 1);
            !s.ok()) {
          return s;
        }
        return profile;
      });
}

}  // namespace kpo::people
