#include "development_plans.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "competencies.h"
#include "curriculum_store.h"
#include "development_plan_store.h"
#include "directory_reads.h"
#include "domain/development_plan.h"
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
using google::protobuf::util::TimeUtil;
using kpo::command::Context;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

namespace {

constexpr kpo::core::Collections kPersonName = {"organizations", "people"};
constexpr kpo::core::Collections kItemName = {"organizations", "people", "studyItems"};
constexpr absl::string_view kPlanSuffix = "/developmentPlan";

google::protobuf::Timestamp Stamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// The person of a plan or item; NOT_FOUND when not in the directory.
absl::StatusOr<pb::Person> PersonOf(Transaction& tx, const std::string& org,
                                    const std::string& name) {
  auto person = LoadDirectory<pb::Person>(tx, org, "person", name);
  if (!person.ok()) return person.status();
  if (!person->has_value()) return kpo::core::NotFound(name);
  return **std::move(person);
}

// The person and the managers above them write the plan.
absl::Status CheckWriter(Transaction& tx, const kpo::auth::Principal& p, const pb::Person& person) {
  if (p.person_name() == person.name()) return absl::OkStatus();
  auto manages = ManagesPerson(tx, p.organization_id, person, p.person_name());
  if (!manages.ok()) return manages.status();
  if (*manages) return absl::OkStatus();
  return kpo::core::Error(
      absl::StatusCode::kPermissionDenied, "NOT_PLAN_OWNER",
      absl::StrCat(person.name(), "'s development plan is written by them and their managers"));
}

// ...and the KPO and org admins read it too.
absl::Status CheckReader(Transaction& tx, const kpo::auth::Principal& p, const pb::Person& person) {
  if (p.HasRole(kpo::auth::kKpoSpecialist) || p.HasRole(kpo::auth::kOrgAdmin)) {
    return absl::OkStatus();
  }
  if (CheckWriter(tx, p, person).ok()) return absl::OkStatus();
  return kpo::core::Error(absl::StatusCode::kPermissionDenied, "NOT_PLAN_READER",
                          absl::StrCat(person.name(),
                                       "'s development plan is read by them, their managers, the "
                                       "KPO and org admins"));
}

template <class Event>
void SetPerson(Event& e, const pb::Person& person) {
  e.set_person_site(person.home_site());
  e.set_person_area(person.area());
  *e.mutable_person_roles() = person.roles();
}

// The plan as stored (or the empty one at revision 0) with its item counts.
absl::StatusOr<store::PlanRow> PlanOf(Transaction& tx, const std::string& org,
                                      const std::string& person) {
  auto row = store::LoadPlan(tx, org, person);
  if (!row.ok()) return row.status();
  store::PlanRow out;
  if (row->has_value()) {
    out = **std::move(row);
  } else {
    out.plan.set_person(person);
    out.plan.set_etag("0");
  }
  out.plan.set_name(person + std::string(kPlanSuffix));
  auto counts = store::CountStudyItems(tx, org, person);
  if (!counts.ok()) return counts.status();
  out.plan.set_planned_items(static_cast<int32_t>((*counts)[pb::STUDY_ITEM_STATUS_PLANNED]));
  out.plan.set_in_progress_items(
      static_cast<int32_t>((*counts)[pb::STUDY_ITEM_STATUS_IN_PROGRESS]));
  out.plan.set_done_items(static_cast<int32_t>((*counts)[pb::STUDY_ITEM_STATUS_DONE]));
  return out;
}

absl::StatusOr<std::string> PersonOfPlanName(const kpo::auth::Principal& p, const std::string& name,
                                             const char* field) {
  if (!absl::EndsWith(name, kPlanSuffix)) {
    return kpo::core::InvalidField(
        field, "must be organizations/{organization}/people/{person}/developmentPlan");
  }
  std::string person = name.substr(0, name.size() - kPlanSuffix.size());
  if (auto ids = kpo::auth::CheckName(p, field, person, kPersonName); !ids.ok()) {
    return ids.status();
  }
  return person;
}

absl::Status CheckPlanReferences(Transaction& tx, const std::string& org,
                                 const pb::DevelopmentPlan& plan, FieldViolations& v) {
  for (int i = 0; i < plan.focus_competencies_size(); ++i) {
    const std::string field = absl::StrCat("development_plan.focus_competencies[", i, "]");
    if (plan.focus_competencies(i).empty() || v.Has(field)) continue;
    auto c = LoadEffectiveCompetency(tx, org, plan.focus_competencies(i));
    if (!c.ok()) return c.status();
    if (!c->has_value() || (*c)->competency.state() != pb::ACTIVE) {
      v.Add(field, absl::StrCat(plan.focus_competencies(i), " is not an active competency"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckItemReferences(Transaction& tx, const std::string& org, const pb::StudyItem& item,
                                 FieldViolations& v) {
  if (item.training_module().empty() || v.Has("study_item.training_module")) {
    return absl::OkStatus();
  }
  auto module = store::LoadCurriculum<pb::TrainingModule>(tx, org, item.training_module());
  if (!module.ok()) return module.status();
  if (!module->has_value()) {
    v.Add("study_item.training_module", absl::StrCat(item.training_module(), " does not exist"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<pb::DevelopmentPlan> DevelopmentPlans::GetDevelopmentPlan(
    const Principal& p, const pb::GetDevelopmentPlanRequest& r) const {
  auto person_name = PersonOfPlanName(p, r.name(), "name");
  if (!person_name.ok()) return person_name.status();
  pb::DevelopmentPlan out;
  absl::Status s = commands_.db().Read([&](Transaction& tx) -> absl::Status {
    auto person = PersonOf(tx, p.organization_id, *person_name);
    if (!person.ok()) return person.status();
    if (absl::Status st = CheckReader(tx, p, *person); !st.ok()) return st;
    auto plan = PlanOf(tx, p.organization_id, *person_name);
    if (!plan.ok()) return plan.status();
    out = std::move(plan->plan);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::DevelopmentPlan> DevelopmentPlans::UpdateDevelopmentPlan(
    const Principal& p, const pb::UpdateDevelopmentPlanRequest& r) const {
  const pb::DevelopmentPlan& patch = r.development_plan();
  auto person_name = PersonOfPlanName(p, patch.name(), "development_plan.name");
  if (!person_name.ok()) return person_name.status();
  static const std::set<std::string> kUpdatable = {"aspiration", "focus_competencies",
                                                   "review_date"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::DevelopmentPlan::descriptor(), kUpdatable,
                             "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::DevelopmentPlan>(
      {p.organization_id, "UpdateDevelopmentPlan", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::DevelopmentPlan> {
        auto person = PersonOf(c.tx(), c.organization_id(), *person_name);
        if (!person.ok()) return person.status();
        if (absl::Status s = CheckWriter(c.tx(), p, *person); !s.ok()) return s;
        auto row = PlanOf(c.tx(), c.organization_id(), *person_name);
        if (!row.ok()) return row.status();
        const pb::DevelopmentPlan current = row->plan;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        pb::DevelopmentPlan merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        opts.set_replace_repeated_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        domain::ValidatePlan(merged, "development_plan.", v);
        if (absl::Status s = CheckPlanReferences(c.tx(), c.organization_id(), merged, v); !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        const int64_t revision = row->revision + 1;
        merged.set_updated_by(p.person_name());
        *merged.mutable_update_time() = Stamp(c.now());
        merged.set_etag(std::to_string(revision));
        if (absl::Status s = store::SavePlan(c.tx(), c.organization_id(), merged, revision);
            !s.ok()) {
          return s;
        }
        pb::DevelopmentPlanUpdated event;
        *event.mutable_development_plan() = merged;
        event.set_revision(revision);
        *event.mutable_update_mask() = mask;
        SetPerson(event, *person);
        if (absl::Status s = c.Publish(merged.person(), event); !s.ok()) return s;
        return merged;
      });
}

absl::StatusOr<pb::StudyItem> DevelopmentPlans::CreateStudyItem(
    const Principal& p, const pb::CreateStudyItemRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPersonName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.study_item_id().empty() && !kpo::core::IsValidResourceId(r.study_item_id())) {
    v.Add("study_item_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::StudyItem item = r.study_item();
  item.clear_name();
  item.clear_create_time();
  item.clear_update_time();
  item.clear_etag();
  item.clear_created_by();
  item.clear_updated_by();
  item.set_person(r.parent());
  if (item.status() == pb::STUDY_ITEM_STATUS_UNSPECIFIED) {
    item.set_status(pb::STUDY_ITEM_STATUS_PLANNED);
  }
  domain::ValidateStudyItem(item, "study_item.", v);
  if (v.Has("study_item_id") || v.Has("request_id")) return v.ToStatus();
  item.set_name(absl::StrCat(r.parent(), "/studyItems/",
                             r.study_item_id().empty() ? kpo::core::NewUuid() : r.study_item_id()));
  return commands_.Run<pb::StudyItem>(
      {p.organization_id, "CreateStudyItem", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::StudyItem> {
        auto person = LoadDirectory<pb::Person>(c.tx(), c.organization_id(), "person", r.parent());
        if (!person.ok()) return person.status();
        if (!person->has_value() || (*person)->state() != pb::ACTIVE) {
          v.Add("parent", absl::StrCat(r.parent(), " is not an active person"));
          return v.ToStatus();
        }
        if (absl::Status s = CheckWriter(c.tx(), p, **person); !s.ok()) return s;
        if (absl::Status s = CheckItemReferences(c.tx(), c.organization_id(), item, v); !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadStudyItem(c.tx(), c.organization_id(), item.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(item.name());
        auto today = TodayAt(c.tx(), c.organization_id(), (*person)->home_site(), c.now());
        if (!today.ok()) return today.status();
        pb::StudyItem created = item;
        domain::StampStatusDates(created, *today);
        created.set_created_by(p.person_name());
        created.set_updated_by(p.person_name());
        *created.mutable_create_time() = Stamp(c.now());
        *created.mutable_update_time() = created.create_time();
        created.set_etag("1");
        if (absl::Status s = store::SaveStudyItem(c.tx(), c.organization_id(), created, 1,
                                                  absl::ToUnixMicros(c.now()));
            !s.ok()) {
          return s;
        }
        pb::StudyItemCreated event;
        *event.mutable_study_item() = created;
        event.set_revision(1);
        SetPerson(event, **person);
        if (absl::Status s = c.Publish(created.person(), event); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::StudyItem> DevelopmentPlans::GetStudyItem(
    const Principal& p, const pb::GetStudyItemRequest& r) const {
  auto ids = kpo::auth::CheckName(p, "name", r.name(), kItemName);
  if (!ids.ok()) return ids.status();
  pb::StudyItem out;
  absl::Status s = commands_.db().Read([&](Transaction& tx) -> absl::Status {
    auto row = store::LoadStudyItem(tx, p.organization_id, r.name());
    if (!row.ok()) return row.status();
    if (!row->has_value()) return kpo::core::NotFound(r.name());
    auto person = PersonOf(tx, p.organization_id, (*row)->item.person());
    if (!person.ok()) return person.status();
    if (absl::Status st = CheckReader(tx, p, *person); !st.ok()) return st;
    out = std::move((*row)->item);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::ListStudyItemsResponse> DevelopmentPlans::ListStudyItems(
    const Principal& p, const pb::ListStudyItemsRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPersonName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::core::CheckEnum(pb::StudyItemStatus_descriptor(), r.status(), "status", false, v);
  kpo::core::CheckEnum(pb::StudyItemKind_descriptor(), r.kind(), "kind", false, v);
  if (!v.empty()) return v.ToStatus();
  absl::Status allowed = commands_.db().Read([&](Transaction& tx) -> absl::Status {
    auto person = PersonOf(tx, p.organization_id, r.parent());
    if (!person.ok()) return person.status();
    return CheckReader(tx, p, *person);
  });
  if (!allowed.ok()) return allowed;
  store::StudyItemFilter filter{r.parent(), r.status(), r.kind()};
  pb::ListStudyItemsResponse out;
  absl::Status s = kpo::command::ReadPage<pb::StudyItem>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|study|", r.parent(), "|", r.status(), "|", r.kind()),
      {[&](Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListStudyItems(tx, p.organization_id, filter, page);
       },
       [](const pb::StudyItem& i) {
         return kpo::core::PagePosition{TimeUtil::TimestampToMicroseconds(i.create_time()),
                                        i.name()};
       },
       [&](pb::StudyItem& i) { *out.add_study_items() = std::move(i); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::StudyItem> DevelopmentPlans::UpdateStudyItem(
    const Principal& p, const pb::UpdateStudyItemRequest& r) const {
  const pb::StudyItem& patch = r.study_item();
  if (auto ids = kpo::auth::CheckName(p, "study_item.name", patch.name(), kItemName); !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"kind",
                                                   "title",
                                                   "notes",
                                                   "status",
                                                   "target_date",
                                                   "certification_level",
                                                   "training_module",
                                                   "reflection"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::StudyItem::descriptor(), kUpdatable, "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::StudyItem>(
      {p.organization_id, "UpdateStudyItem", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::StudyItem> {
        auto row = store::LoadStudyItem(c.tx(), c.organization_id(), patch.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(patch.name());
        const pb::StudyItem& current = (*row)->item;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        auto person = PersonOf(c.tx(), c.organization_id(), current.person());
        if (!person.ok()) return person.status();
        if (absl::Status s = CheckWriter(c.tx(), p, *person); !s.ok()) return s;
        pb::StudyItem merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        domain::ValidateStudyItem(merged, "study_item.", v);
        if (absl::Status s = CheckItemReferences(c.tx(), c.organization_id(), merged, v); !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        auto today = TodayAt(c.tx(), c.organization_id(), person->home_site(), c.now());
        if (!today.ok()) return today.status();
        domain::StampStatusDates(merged, *today);
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        const int64_t revision = (*row)->revision + 1;
        merged.set_updated_by(p.person_name());
        *merged.mutable_update_time() = Stamp(c.now());
        merged.set_etag(std::to_string(revision));
        if (absl::Status s =
                store::SaveStudyItem(c.tx(), c.organization_id(), merged, revision,
                                     TimeUtil::TimestampToMicroseconds(merged.create_time()));
            !s.ok()) {
          return s;
        }
        pb::StudyItemUpdated event;
        *event.mutable_study_item() = merged;
        event.set_revision(revision);
        *event.mutable_update_mask() = mask;
        event.set_previous_status(current.status());
        SetPerson(event, *person);
        if (absl::Status s = c.Publish(merged.person(), event); !s.ok()) return s;
        return merged;
      });
}

}  // namespace kpo::people
