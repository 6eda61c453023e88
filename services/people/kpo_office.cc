#include "kpo_office.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "directory_reads.h"
#include "domain/kpo_office.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/command/reads.h"
#include "kpo/core/date.h"
#include "kpo/core/enums.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/update_mask.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo_office_store.h"

namespace kpo::people {

namespace pb = kpo::people::v1;
using google::protobuf::FieldMask;
using kpo::command::Context;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

namespace {

constexpr kpo::core::Collections kMemberName = {"organizations", "kpoMembers"};

// What the caller may see of a membership.
pb::KpoMember Shown(const kpo::auth::Principal& p, pb::KpoMember m) {
  if (!SeesKpoCosts(p)) m.clear_cost_per_month();
  return m;
}

// The person must be active; the value stream an active area; no other active
// membership of the person.
absl::Status CheckReferences(Transaction& tx, const std::string& org, const pb::KpoMember& m,
                             FieldViolations& v, pb::Person* person) {
  if (!v.Has("kpo_member.person")) {
    auto loaded = LoadDirectory<pb::Person>(tx, org, "person", m.person());
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) {
      v.Add("kpo_member.person", absl::StrCat(m.person(), " is not in the directory"));
    } else if ((*loaded)->state() != pb::ACTIVE) {
      v.Add("kpo_member.person", absl::StrCat(m.person(), " is inactive"));
    } else {
      *person = **loaded;
    }
  }
  if (!m.value_stream().empty() && !v.Has("kpo_member.value_stream")) {
    auto area = store::Load(tx, org, "area", m.value_stream());
    if (!area.ok()) return area.status();
    if (!area->has_value() || !(*area)->active) {
      v.Add("kpo_member.value_stream",
            absl::StrCat(m.value_stream(), " is not an active area of the directory"));
    }
  }
  return absl::OkStatus();
}

template <class Event>
absl::Status Save(Context& c, pb::KpoMember& m, int64_t revision, const pb::Person& person,
                  const FieldMask* mask = nullptr) {
  if (!m.has_create_time()) {
    *m.mutable_create_time() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(c.now()));
  }
  *m.mutable_update_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(c.now()));
  m.set_etag(std::to_string(revision));
  if (absl::Status s = store::SaveKpoMember(c.tx(), c.organization_id(), m, revision); !s.ok()) {
    return s;
  }
  Event e;
  *e.mutable_kpo_member() = m;
  e.set_revision(revision);
  e.set_person_site(person.home_site());
  *e.mutable_person_roles() = person.roles();
  if constexpr (std::is_same_v<Event, pb::KpoMemberUpdated>) *e.mutable_update_mask() = *mask;
  return c.Publish(m.name(), e);
}

}  // namespace

bool SeesKpoCosts(const kpo::auth::Principal& p) {
  return p.HasRole(kpo::auth::kOrgAdmin) || p.HasRole(kpo::auth::kKpoSpecialist) ||
         p.HasRole(kpo::auth::kFinance) || p.HasRole(kpo::auth::kSeniorLeader);
}

absl::StatusOr<pb::KpoMember> KpoOffice::CreateKpoMember(
    const Principal& p, const pb::CreateKpoMemberRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.kpo_member_id().empty() && !kpo::core::IsValidResourceId(r.kpo_member_id())) {
    v.Add("kpo_member_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::KpoMember m = r.kpo_member();
  m.clear_name();
  m.clear_state();
  m.clear_create_time();
  m.clear_update_time();
  m.clear_etag();
  domain::ValidateKpoMember(m, "kpo_member.", v);
  if (v.Has("kpo_member_id") || v.Has("request_id")) return v.ToStatus();
  m.set_name(absl::StrCat(r.parent(), "/kpoMembers/",
                          r.kpo_member_id().empty() ? kpo::core::NewUuid() : r.kpo_member_id()));
  return commands_.Run<pb::KpoMember>(
      {p.organization_id, "CreateKpoMember", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::KpoMember> {
        pb::Person person;
        if (absl::Status s = CheckReferences(c.tx(), c.organization_id(), m, v, &person); !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        kpo::storage::KeysetPage one;
        one.limit = 1;
        auto current =
            store::ListKpoMembers(c.tx(), c.organization_id(), {.person = m.person()}, one);
        if (!current.ok()) return current.status();
        if (!current->empty()) {
          return kpo::core::Error(
              absl::StatusCode::kAlreadyExists, "ALREADY_A_KPO_MEMBER",
              absl::StrCat(m.person(), " is already in the KPO as ", current->front().name(),
                           "; update that membership or deactivate it first"));
        }
        auto existing = store::LoadKpoMember(c.tx(), c.organization_id(), m.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(m.name());
        pb::KpoMember created = m;
        created.set_state(pb::ACTIVE);
        if (absl::Status s = Save<pb::KpoMemberCreated>(c, created, 1, person); !s.ok()) return s;
        return Shown(p, created);
      });
}

absl::StatusOr<pb::KpoMember> KpoOffice::GetKpoMember(const Principal& p,
                                                      const pb::GetKpoMemberRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kMemberName); !ids.ok()) {
    return ids.status();
  }
  auto row = kpo::command::ReadOne<store::KpoMemberRow>(
      commands_.db(), r.name(),
      [&](Transaction& tx) { return store::LoadKpoMember(tx, p.organization_id, r.name()); });
  if (!row.ok()) return row.status();
  return Shown(p, row->member);
}

absl::StatusOr<pb::ListKpoMembersResponse> KpoOffice::ListKpoMembers(
    const Principal& p, const pb::ListKpoMembersRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::core::CheckEnum(pb::KpoLevel_descriptor(), r.level(), "level", false, v);
  kpo::command::CheckNameFilter(r.person(), {"organizations", "people"}, "person", "person", v);
  if (!v.empty()) return v.ToStatus();
  pb::ListKpoMembersResponse out;
  absl::Status s = kpo::command::ReadPage<pb::KpoMember>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|kpo|", r.level(), "|", r.person(), "|", r.show_inactive()),
      {[&](Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListKpoMembers(tx, p.organization_id,
                                      {r.level(), r.person(), r.show_inactive()}, page);
       },
       [](const pb::KpoMember& m) {
         return kpo::core::PagePosition{0, m.name()};
       },
       [&](pb::KpoMember& m) { *out.add_kpo_members() = Shown(p, std::move(m)); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::KpoMember> KpoOffice::UpdateKpoMember(
    const Principal& p, const pb::UpdateKpoMemberRequest& r) const {
  const pb::KpoMember& patch = r.kpo_member();
  if (auto ids = kpo::auth::CheckName(p, "kpo_member.name", patch.name(), kMemberName); !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {
      "level",       "business_unit", "value_stream",  "time_share_percent",
      "kaizen_pool", "end_date",      "cost_per_month"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::KpoMember::descriptor(), kUpdatable, "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::KpoMember>(
      {p.organization_id, "UpdateKpoMember", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::KpoMember> {
        auto row = store::LoadKpoMember(c.tx(), c.organization_id(), patch.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(patch.name());
        const pb::KpoMember& current = (*row)->member;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        if (current.state() != pb::ACTIVE) {
          return kpo::core::FailedPrecondition("KPO_MEMBER_INACTIVE",
                                               absl::StrCat(patch.name(), " has left the KPO"));
        }
        pb::KpoMember merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        domain::ValidateKpoMember(merged, "kpo_member.", v);
        pb::Person person;
        if (absl::Status s = CheckReferences(c.tx(), c.organization_id(), merged, v, &person);
            !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) {
          return Shown(p, current);
        }
        if (absl::Status s =
                Save<pb::KpoMemberUpdated>(c, merged, (*row)->revision + 1, person, &mask);
            !s.ok()) {
          return s;
        }
        return Shown(p, merged);
      });
}

absl::StatusOr<pb::KpoMember> KpoOffice::DeactivateKpoMember(
    const Principal& p, const pb::DeactivateKpoMemberRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kMemberName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(r.request_id(), v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::KpoMember>(
      {p.organization_id, "DeactivateKpoMember", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::KpoMember> {
        auto row = store::LoadKpoMember(c.tx(), c.organization_id(), r.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(r.name());
        pb::KpoMember m = (*row)->member;
        if (!r.etag().empty() && r.etag() != m.etag()) return kpo::core::EtagMismatch(r.name());
        if (m.state() != pb::ACTIVE) return Shown(p, m);
        auto person = LoadDirectory<pb::Person>(c.tx(), c.organization_id(), "person", m.person());
        if (!person.ok()) return person.status();
        const pb::Person known = person->value_or(pb::Person());
        if (!m.has_end_date()) {
          auto today = TodayAt(c.tx(), c.organization_id(), known.home_site(), c.now());
          if (!today.ok()) return today.status();
          *m.mutable_end_date() = kpo::core::FromCivil(*today);
        }
        m.set_state(pb::INACTIVE);
        if (absl::Status s = Save<pb::KpoMemberDeactivated>(c, m, (*row)->revision + 1, known);
            !s.ok()) {
          return s;
        }
        return Shown(p, m);
      });
}

}  // namespace kpo::people
