#include "curriculum.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "competencies.h"
#include "curriculum_store.h"
#include "directory_reads.h"
#include "domain/curriculum.h"
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

constexpr kpo::core::Collections kOrgName = {"organizations"};
constexpr kpo::core::Collections kPersonName = {"organizations", "people"};
constexpr kpo::core::Collections kModuleName = {"organizations", "trainingModules"};
constexpr kpo::core::Collections kPathName = {"organizations", "learningPaths"};
constexpr kpo::core::Collections kSessionName = {"organizations", "trainingSessions"};
constexpr kpo::core::Collections kEnrolmentName = {"organizations", "trainingSessions",
                                                   "enrolments"};
// The longest waiting list promoted or numbered at once.
constexpr int kMaxWaitlist = 10000;

google::protobuf::Timestamp Stamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

absl::Status Store(Transaction& tx, const std::string& org, const pb::TrainingModule& m,
                   int64_t revision) {
  return store::SaveModule(tx, org, m, revision);
}
absl::Status Store(Transaction& tx, const std::string& org, const pb::LearningPath& p,
                   int64_t revision) {
  return store::SavePath(tx, org, p, revision);
}
absl::Status Store(Transaction& tx, const std::string& org, const pb::TrainingSession& s,
                   int64_t revision) {
  return store::SaveSession(tx, org, s, revision);
}
void Put(pb::TrainingModuleCreated& e, const pb::TrainingModule& m) {
  *e.mutable_training_module() = m;
}
void Put(pb::TrainingModuleUpdated& e, const pb::TrainingModule& m) {
  *e.mutable_training_module() = m;
}
void Put(pb::TrainingModuleDeactivated& e, const pb::TrainingModule& m) {
  *e.mutable_training_module() = m;
}
void Put(pb::LearningPathCreated& e, const pb::LearningPath& p) { *e.mutable_learning_path() = p; }
void Put(pb::LearningPathUpdated& e, const pb::LearningPath& p) { *e.mutable_learning_path() = p; }
void Put(pb::LearningPathDeactivated& e, const pb::LearningPath& p) {
  *e.mutable_learning_path() = p;
}
void Put(pb::TrainingSessionScheduled& e, const pb::TrainingSession& s) {
  *e.mutable_training_session() = s;
}
void Put(pb::TrainingSessionUpdated& e, const pb::TrainingSession& s) {
  *e.mutable_training_session() = s;
}
void Put(pb::TrainingSessionCancelled& e, const pb::TrainingSession& s) {
  *e.mutable_training_session() = s;
}

// Stamps, stores and publishes a module, path or session at `revision`.
template <class Event, class T>
absl::Status Save(Context& c, T& resource, int64_t revision, const FieldMask* mask = nullptr) {
  if (!resource.has_create_time()) *resource.mutable_create_time() = Stamp(c.now());
  *resource.mutable_update_time() = Stamp(c.now());
  resource.set_etag(std::to_string(revision));
  if (absl::Status s = Store(c.tx(), c.organization_id(), resource, revision); !s.ok()) return s;
  Event e;
  Put(e, resource);
  e.set_revision(revision);
  if constexpr (requires { e.mutable_update_mask(); }) *e.mutable_update_mask() = *mask;
  return c.Publish(resource.name(), e);
}

// Merges `patch` into `current` along `mask` (repeated fields replaced whole).
template <class T>
T Merged(const T& current, const T& patch, const FieldMask& mask) {
  T merged = current;
  google::protobuf::util::FieldMaskUtil::MergeOptions opts;
  opts.set_replace_message_fields(true);
  opts.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
  return merged;
}

// A module's competencies must be active competencies of the organization.
absl::Status CheckModuleReferences(Transaction& tx, const std::string& org,
                                   const pb::TrainingModule& m, FieldViolations& v) {
  for (int i = 0; i < m.competencies_size(); ++i) {
    const std::string field = absl::StrCat("training_module.competencies[", i, "]");
    if (m.competencies(i).empty() || v.Has(field)) continue;
    auto competency = LoadEffectiveCompetency(tx, org, m.competencies(i));
    if (!competency.ok()) return competency.status();
    if (!competency->has_value() || (*competency)->competency.state() != pb::ACTIVE) {
      v.Add(field, absl::StrCat(m.competencies(i), " is not an active competency"));
    }
  }
  return absl::OkStatus();
}

// The active module named `name`, or a violation of `field`.
absl::StatusOr<std::optional<pb::TrainingModule>> ActiveModule(Transaction& tx,
                                                               const std::string& org,
                                                               const std::string& name,
                                                               const std::string& field,
                                                               FieldViolations& v) {
  if (name.empty() || v.Has(field)) return std::optional<pb::TrainingModule>();
  auto row = store::LoadCurriculum<pb::TrainingModule>(tx, org, name);
  if (!row.ok()) return row.status();
  if (!row->has_value() || (*row)->resource.state() != pb::ACTIVE) {
    v.Add(field, absl::StrCat(name, " is not an active training module"));
    return std::optional<pb::TrainingModule>();
  }
  return std::optional<pb::TrainingModule>((*row)->resource);
}

absl::Status CheckPathReferences(Transaction& tx, const std::string& org, const pb::LearningPath& p,
                                 FieldViolations& v) {
  for (int i = 0; i < p.modules_size(); ++i) {
    auto m = ActiveModule(tx, org, p.modules(i), absl::StrCat("learning_path.modules[", i, "]"), v);
    if (!m.ok()) return m.status();
  }
  return absl::OkStatus();
}

// The trainer an active person, the site an active site, the module active.
absl::Status CheckSessionReferences(Transaction& tx, const std::string& org,
                                    const pb::TrainingSession& s, FieldViolations& v) {
  auto m = ActiveModule(tx, org, s.module(), "training_session.module", v);
  if (!m.ok()) return m.status();
  for (auto [name, kind, field] : {std::tuple{&s.trainer(), "person", "training_session.trainer"},
                                   std::tuple{&s.site(), "site", "training_session.site"}}) {
    if (name->empty() || v.Has(field)) continue;
    auto row = store::Load(tx, org, kind, *name);
    if (!row.ok()) return row.status();
    if (!row->has_value() || !(*row)->active) {
      v.Add(field, absl::StrCat(*name, " is not active in the directory"));
    }
  }
  return absl::OkStatus();
}

// A session with its counts of seats taken and people waiting.
absl::StatusOr<pb::TrainingSession> Counted(Transaction& tx, const std::string& org,
                                            pb::TrainingSession s) {
  auto seats = store::CountSeats(tx, org, s.name());
  if (!seats.ok()) return seats.status();
  auto waiting = store::CountEnrolments(tx, org, s.name(), pb::ENROLMENT_STATE_WAITLISTED);
  if (!waiting.ok()) return waiting.status();
  s.set_enrolled_count(static_cast<int32_t>(*seats));
  s.set_waitlisted_count(static_cast<int32_t>(*waiting));
  return s;
}

// "organizations/o/trainingSessions/s/enrolments/p" -> "organizations/o/trainingSessions/s".
std::string SessionOf(const std::string& enrolment) {
  return enrolment.substr(0, enrolment.rfind("/enrolments/"));
}

// Sets the waiting-list position of a WAITLISTED enrolment.
absl::Status Position(Transaction& tx, const std::string& org, pb::Enrolment& e, int64_t seq) {
  e.clear_waitlist_position();
  if (e.state() != pb::ENROLMENT_STATE_WAITLISTED) return absl::OkStatus();
  auto before = store::WaitingBefore(tx, org, SessionOf(e.name()), seq);
  if (!before.ok()) return before.status();
  e.set_waitlist_position(static_cast<int32_t>(*before + 1));
  return absl::OkStatus();
}

// Stores an enrolment at `revision` and publishes EnrolmentChanged (key: the session).
absl::Status SaveEnrolment(Context& c, const pb::TrainingSession& session, pb::Enrolment& e,
                           int64_t revision, int64_t seq, pb::EnrolmentState previous) {
  if (!e.has_create_time()) *e.mutable_create_time() = Stamp(c.now());
  *e.mutable_update_time() = Stamp(c.now());
  e.set_etag(std::to_string(revision));
  if (absl::Status s =
          store::SaveEnrolment(c.tx(), c.organization_id(), session.name(), e, revision, seq);
      !s.ok()) {
    return s;
  }
  pb::EnrolmentChanged event;
  *event.mutable_enrolment() = e;
  event.set_revision(revision);
  event.set_previous_state(previous);
  event.set_session(session.name());
  event.set_module(session.module());
  auto person = LoadDirectory<pb::Person>(c.tx(), c.organization_id(), "person", e.person());
  if (!person.ok()) return person.status();
  if (person->has_value()) {
    event.set_person_site((*person)->home_site());
    event.set_person_area((*person)->area());
    *event.mutable_person_roles() = (*person)->roles();
  }
  return c.Publish(session.name(), event);
}

// Gives up to `seats` free seats of `session` to the first people waiting.
absl::Status Promote(Context& c, const pb::TrainingSession& session, int64_t seats) {
  if (seats <= 0) return absl::OkStatus();
  auto waiting = store::EnrolmentsInState(c.tx(), c.organization_id(), session.name(),
                                          pb::ENROLMENT_STATE_WAITLISTED,
                                          static_cast<int>(std::min<int64_t>(seats, kMaxWaitlist)));
  if (!waiting.ok()) return waiting.status();
  for (store::EnrolmentRow& row : *waiting) {
    row.enrolment.set_state(pb::ENROLMENT_STATE_ENROLLED);
    if (absl::Status s = SaveEnrolment(c, session, row.enrolment, row.revision + 1, row.seq,
                                       pb::ENROLMENT_STATE_WAITLISTED);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// The scheduled session named `name` for a change: NOT_FOUND, ABORTED (etag),
// SESSION_CANCELLED.
absl::StatusOr<store::SessionRow> ScheduledSession(Context& c, const std::string& name,
                                                   const std::string& etag) {
  auto row = store::LoadSession(c.tx(), c.organization_id(), name);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return kpo::core::NotFound(name);
  if (!etag.empty() && etag != (*row)->session.etag()) return kpo::core::EtagMismatch(name);
  if ((*row)->session.state() != pb::TRAINING_SESSION_STATE_SCHEDULED) {
    return kpo::core::FailedPrecondition("SESSION_CANCELLED", absl::StrCat(name, " was cancelled"));
  }
  return **std::move(row);
}

absl::Status FailIfNotFuture(const google::protobuf::Timestamp& t, absl::Time now,
                             FieldViolations& v) {
  if (TimeOf(t) <= now) v.Add("training_session.start_time", "must be in the future");
  return absl::OkStatus();
}

// Loads `T` by name (module or path) for a change: NOT_FOUND, ABORTED (etag).
template <class T>
absl::StatusOr<store::CurriculumRow<T>> ForChange(Context& c, const std::string& name,
                                                  const std::string& etag) {
  auto row = store::LoadCurriculum<T>(c.tx(), c.organization_id(), name);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return kpo::core::NotFound(name);
  if (!etag.empty() && etag != (*row)->resource.etag()) return kpo::core::EtagMismatch(name);
  return **std::move(row);
}

template <class T>
absl::StatusOr<T> ReadCurriculum(const kpo::command::Runner& commands, const std::string& org,
                                 const std::string& name) {
  auto row = kpo::command::ReadOne<store::CurriculumRow<T>>(
      commands.db(), name,
      [&](Transaction& tx) { return store::LoadCurriculum<T>(tx, org, name); });
  if (!row.ok()) return row.status();
  return row->resource;
}

std::string NewName(const std::string& parent, const char* collection, const std::string& id) {
  return absl::StrCat(parent, "/", collection, "/", id.empty() ? kpo::core::NewUuid() : id);
}

void CheckId(const std::string& id, const char* field, FieldViolations& v) {
  if (!id.empty() && !kpo::core::IsValidResourceId(id)) {
    v.Add(field, "must be 1-63 of a-z, 0-9 and '-'");
  }
}

}  // namespace

// ---- Training modules.

absl::StatusOr<pb::TrainingModule> Curriculum::CreateTrainingModule(
    const Principal& p, const pb::CreateTrainingModuleRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kOrgName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  CheckId(r.training_module_id(), "training_module_id", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::TrainingModule m;
  m.set_title(r.training_module().title());
  m.set_description(r.training_module().description());
  *m.mutable_competencies() = r.training_module().competencies();
  m.set_duration_minutes(r.training_module().duration_minutes());
  domain::ValidateModule(m, "training_module.", v);
  if (v.Has("training_module_id") || v.Has("request_id")) return v.ToStatus();
  m.set_name(NewName(r.parent(), "trainingModules", r.training_module_id()));
  return commands_.Run<pb::TrainingModule>(
      {p.organization_id, "CreateTrainingModule", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::TrainingModule> {
        if (absl::Status s = CheckModuleReferences(c.tx(), c.organization_id(), m, v); !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        auto existing =
            store::LoadCurriculum<pb::TrainingModule>(c.tx(), c.organization_id(), m.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(m.name());
        pb::TrainingModule created = m;
        created.set_state(pb::ACTIVE);
        if (absl::Status s = Save<pb::TrainingModuleCreated>(c, created, 1); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::TrainingModule> Curriculum::GetTrainingModule(
    const Principal& p, const pb::GetTrainingModuleRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kModuleName); !ids.ok()) {
    return ids.status();
  }
  return ReadCurriculum<pb::TrainingModule>(commands_, p.organization_id, r.name());
}

absl::StatusOr<pb::ListTrainingModulesResponse> Curriculum::ListTrainingModules(
    const Principal& p, const pb::ListTrainingModulesRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kOrgName); !ids.ok()) {
    return ids.status();
  }
  pb::ListTrainingModulesResponse out;
  absl::Status s = kpo::command::ReadPage<pb::TrainingModule>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|modules|", r.competency(), "|", r.show_inactive()),
      {[&](Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListModules(tx, p.organization_id, r.competency(), r.show_inactive(), page);
       },
       [](const pb::TrainingModule& m) {
         return kpo::core::PagePosition{0, m.name()};
       },
       [&](pb::TrainingModule& m) { *out.add_training_modules() = std::move(m); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::TrainingModule> Curriculum::UpdateTrainingModule(
    const Principal& p, const pb::UpdateTrainingModuleRequest& r) const {
  const pb::TrainingModule& patch = r.training_module();
  if (auto ids = kpo::auth::CheckName(p, "training_module.name", patch.name(), kModuleName);
      !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"title", "description", "competencies",
                                                   "duration_minutes"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::TrainingModule::descriptor(), kUpdatable,
                             "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::TrainingModule>(
      {p.organization_id, "UpdateTrainingModule", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::TrainingModule> {
        auto row = ForChange<pb::TrainingModule>(c, patch.name(), patch.etag());
        if (!row.ok()) return row.status();
        const pb::TrainingModule& current = row->resource;
        if (current.state() != pb::ACTIVE) {
          return kpo::core::FailedPrecondition("MODULE_INACTIVE",
                                               absl::StrCat(patch.name(), " is retired"));
        }
        pb::TrainingModule merged = Merged(current, patch, mask);
        domain::ValidateModule(merged, "training_module.", v);
        if (absl::Status s = CheckModuleReferences(c.tx(), c.organization_id(), merged, v);
            !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        if (absl::Status s = Save<pb::TrainingModuleUpdated>(c, merged, row->revision + 1, &mask);
            !s.ok()) {
          return s;
        }
        return merged;
      });
}

absl::StatusOr<pb::TrainingModule> Curriculum::DeactivateTrainingModule(
    const Principal& p, const pb::DeactivateTrainingModuleRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kModuleName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(r.request_id(), v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::TrainingModule>(
      {p.organization_id, "DeactivateTrainingModule", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::TrainingModule> {
        auto row = ForChange<pb::TrainingModule>(c, r.name(), r.etag());
        if (!row.ok()) return row.status();
        pb::TrainingModule m = row->resource;
        if (m.state() != pb::ACTIVE) return m;
        auto paths = store::ActivePathsNaming(c.tx(), c.organization_id(), r.name());
        if (!paths.ok()) return paths.status();
        if (!paths->empty()) {
          return kpo::core::FailedPrecondition(
              "MODULE_IN_USE",
              absl::StrCat(r.name(), " is on active learning paths: ", absl::StrJoin(*paths, ", ")),
              {{"learning_paths", absl::StrJoin(*paths, ",")}});
        }
        m.set_state(pb::INACTIVE);
        if (absl::Status s = Save<pb::TrainingModuleDeactivated>(c, m, row->revision + 1);
            !s.ok()) {
          return s;
        }
        return m;
      });
}

// ---- Learning paths.

absl::StatusOr<pb::LearningPath> Curriculum::CreateLearningPath(
    const Principal& p, const pb::CreateLearningPathRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kOrgName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  CheckId(r.learning_path_id(), "learning_path_id", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::LearningPath path;
  path.set_title(r.learning_path().title());
  path.set_role(r.learning_path().role());
  *path.mutable_modules() = r.learning_path().modules();
  domain::ValidatePath(path, "learning_path.", v);
  if (v.Has("learning_path_id") || v.Has("request_id")) return v.ToStatus();
  path.set_name(NewName(r.parent(), "learningPaths", r.learning_path_id()));
  return commands_.Run<pb::LearningPath>(
      {p.organization_id, "CreateLearningPath", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::LearningPath> {
        if (absl::Status s = CheckPathReferences(c.tx(), c.organization_id(), path, v); !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        auto existing =
            store::LoadCurriculum<pb::LearningPath>(c.tx(), c.organization_id(), path.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(path.name());
        auto taken = store::ActivePathsOfRole(c.tx(), c.organization_id(), path.role());
        if (!taken.ok()) return taken.status();
        if (!taken->empty()) {
          return kpo::core::Error(
              absl::StatusCode::kAlreadyExists, "ROLE_HAS_LEARNING_PATH",
              absl::StrCat(pb::Role_Name(path.role()), " already follows ", taken->front()),
              {{"learning_path", taken->front()}});
        }
        pb::LearningPath created = path;
        created.set_state(pb::ACTIVE);
        if (absl::Status s = Save<pb::LearningPathCreated>(c, created, 1); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::LearningPath> Curriculum::GetLearningPath(
    const Principal& p, const pb::GetLearningPathRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kPathName); !ids.ok()) {
    return ids.status();
  }
  return ReadCurriculum<pb::LearningPath>(commands_, p.organization_id, r.name());
}

absl::StatusOr<pb::ListLearningPathsResponse> Curriculum::ListLearningPaths(
    const Principal& p, const pb::ListLearningPathsRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kOrgName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::core::CheckEnum(pb::Role_descriptor(), r.role(), "role", false, v);
  if (!v.empty()) return v.ToStatus();
  pb::ListLearningPathsResponse out;
  absl::Status s = kpo::command::ReadPage<pb::LearningPath>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|paths|", r.role(), "|", r.show_inactive()),
      {[&](Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListPaths(tx, p.organization_id, r.role(), r.show_inactive(), page);
       },
       [](const pb::LearningPath& l) {
         return kpo::core::PagePosition{0, l.name()};
       },
       [&](pb::LearningPath& l) { *out.add_learning_paths() = std::move(l); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::LearningPath> Curriculum::UpdateLearningPath(
    const Principal& p, const pb::UpdateLearningPathRequest& r) const {
  const pb::LearningPath& patch = r.learning_path();
  if (auto ids = kpo::auth::CheckName(p, "learning_path.name", patch.name(), kPathName);
      !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"title", "modules"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::LearningPath::descriptor(), kUpdatable, "cannot be updated",
                             v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::LearningPath>(
      {p.organization_id, "UpdateLearningPath", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::LearningPath> {
        auto row = ForChange<pb::LearningPath>(c, patch.name(), patch.etag());
        if (!row.ok()) return row.status();
        const pb::LearningPath& current = row->resource;
        if (current.state() != pb::ACTIVE) {
          return kpo::core::FailedPrecondition("LEARNING_PATH_INACTIVE",
                                               absl::StrCat(patch.name(), " is retired"));
        }
        pb::LearningPath merged = Merged(current, patch, mask);
        domain::ValidatePath(merged, "learning_path.", v);
        if (absl::Status s = CheckPathReferences(c.tx(), c.organization_id(), merged, v); !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        if (absl::Status s = Save<pb::LearningPathUpdated>(c, merged, row->revision + 1, &mask);
            !s.ok()) {
          return s;
        }
        return merged;
      });
}

absl::StatusOr<pb::LearningPath> Curriculum::DeactivateLearningPath(
    const Principal& p, const pb::DeactivateLearningPathRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kPathName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(r.request_id(), v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::LearningPath>(
      {p.organization_id, "DeactivateLearningPath", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::LearningPath> {
        auto row = ForChange<pb::LearningPath>(c, r.name(), r.etag());
        if (!row.ok()) return row.status();
        pb::LearningPath path = row->resource;
        if (path.state() != pb::ACTIVE) return path;
        path.set_state(pb::INACTIVE);
        if (absl::Status s = Save<pb::LearningPathDeactivated>(c, path, row->revision + 1);
            !s.ok()) {
          return s;
        }
        return path;
      });
}

// ---- Sessions.

absl::StatusOr<pb::TrainingSession> Curriculum::CreateTrainingSession(
    const Principal& p, const pb::CreateTrainingSessionRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kOrgName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  CheckId(r.training_session_id(), "training_session_id", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  const pb::TrainingSession& in = r.training_session();
  pb::TrainingSession s;
  s.set_module(in.module());
  s.set_trainer(in.trainer());
  s.set_site(in.site());
  s.set_place(in.place());
  if (in.has_start_time()) *s.mutable_start_time() = in.start_time();
  s.set_capacity(in.capacity());
  domain::ValidateSession(s, "training_session.", v);
  if (v.Has("training_session_id") || v.Has("request_id")) return v.ToStatus();
  s.set_name(NewName(r.parent(), "trainingSessions", r.training_session_id()));
  return commands_.Run<pb::TrainingSession>(
      {p.organization_id, "CreateTrainingSession", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::TrainingSession> {
        if (s.has_start_time()) FailIfNotFuture(s.start_time(), c.now(), v).IgnoreError();
        if (absl::Status st = CheckSessionReferences(c.tx(), c.organization_id(), s, v); !st.ok()) {
          return st;
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadSession(c.tx(), c.organization_id(), s.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(s.name());
        pb::TrainingSession created = s;
        created.set_state(pb::TRAINING_SESSION_STATE_SCHEDULED);
        if (absl::Status st = Save<pb::TrainingSessionScheduled>(c, created, 1); !st.ok()) {
          return st;
        }
        return created;
      });
}

absl::StatusOr<pb::TrainingSession> Curriculum::GetTrainingSession(
    const Principal& p, const pb::GetTrainingSessionRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kSessionName); !ids.ok()) {
    return ids.status();
  }
  pb::TrainingSession out;
  absl::Status s = commands_.db().Read([&](Transaction& tx) -> absl::Status {
    auto row = store::LoadSession(tx, p.organization_id, r.name());
    if (!row.ok()) return row.status();
    if (!row->has_value()) return kpo::core::NotFound(r.name());
    auto counted = Counted(tx, p.organization_id, (*row)->session);
    if (!counted.ok()) return counted.status();
    out = *std::move(counted);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::ListTrainingSessionsResponse> Curriculum::ListTrainingSessions(
    const Principal& p, const pb::ListTrainingSessionsRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kOrgName); !ids.ok()) {
    return ids.status();
  }
  store::SessionFilter filter;
  filter.site = r.site();
  filter.module = r.module();
  if (r.has_start_after()) filter.start_after = TimeUtil::TimestampToMicroseconds(r.start_after());
  if (r.has_start_before()) {
    filter.start_before = TimeUtil::TimestampToMicroseconds(r.start_before());
  }
  filter.show_cancelled = r.show_cancelled();
  pb::ListTrainingSessionsResponse out;
  absl::Status s = kpo::command::ReadPage<pb::TrainingSession>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|sessions|", r.site(), "|", r.module(), "|",
                   filter.start_after, "|", filter.start_before, "|", r.show_cancelled()),
      {[&](Transaction& tx, const kpo::storage::KeysetPage& page)
           -> absl::StatusOr<std::vector<pb::TrainingSession>> {
         auto sessions = store::ListSessions(tx, p.organization_id, filter, page);
         if (!sessions.ok()) return sessions.status();
         for (pb::TrainingSession& session : *sessions) {
           auto counted = Counted(tx, p.organization_id, std::move(session));
           if (!counted.ok()) return counted.status();
           session = *std::move(counted);
         }
         return sessions;
       },
       [](const pb::TrainingSession& t) {
         return kpo::core::PagePosition{TimeUtil::TimestampToMicroseconds(t.start_time()),
                                        t.name()};
       },
       [&](pb::TrainingSession& t) { *out.add_training_sessions() = std::move(t); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::TrainingSession> Curriculum::UpdateTrainingSession(
    const Principal& p, const pb::UpdateTrainingSessionRequest& r) const {
  const pb::TrainingSession& patch = r.training_session();
  if (auto ids = kpo::auth::CheckName(p, "training_session.name", patch.name(), kSessionName);
      !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"trainer", "place", "start_time", "capacity"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::TrainingSession::descriptor(), kUpdatable,
                             "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::TrainingSession>(
      {p.organization_id, "UpdateTrainingSession", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::TrainingSession> {
        auto row = ScheduledSession(c, patch.name(), patch.etag());
        if (!row.ok()) return row.status();
        const pb::TrainingSession& current = row->session;
        pb::TrainingSession merged = Merged(current, patch, mask);
        domain::ValidateSession(merged, "training_session.", v);
        if (merged.has_start_time() && !google::protobuf::util::MessageDifferencer::Equals(
                                           merged.start_time(), current.start_time())) {
          FailIfNotFuture(merged.start_time(), c.now(), v).IgnoreError();
        }
        if (absl::Status s = CheckSessionReferences(c.tx(), c.organization_id(), merged, v);
            !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        auto seats = store::CountSeats(c.tx(), c.organization_id(), merged.name());
        if (!seats.ok()) return seats.status();
        if (merged.capacity() < *seats) {
          return kpo::core::FailedPrecondition(
              "CAPACITY_BELOW_ENROLMENT",
              absl::StrCat(*seats, " seats are taken; cancel enrolments before reducing to ",
                           merged.capacity()),
              {{"enrolled", std::to_string(*seats)}});
        }
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) {
          return Counted(c.tx(), c.organization_id(), current);
        }
        if (absl::Status s = Save<pb::TrainingSessionUpdated>(c, merged, row->revision + 1, &mask);
            !s.ok()) {
          return s;
        }
        if (absl::Status s = Promote(c, merged, merged.capacity() - *seats); !s.ok()) return s;
        return Counted(c.tx(), c.organization_id(), merged);
      });
}

absl::StatusOr<pb::TrainingSession> Curriculum::CancelTrainingSession(
    const Principal& p, const pb::CancelTrainingSessionRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kSessionName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(r.request_id(), v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::TrainingSession>(
      {p.organization_id, "CancelTrainingSession", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::TrainingSession> {
        auto row = store::LoadSession(c.tx(), c.organization_id(), r.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(r.name());
        pb::TrainingSession s = (*row)->session;
        if (!r.etag().empty() && r.etag() != s.etag()) return kpo::core::EtagMismatch(r.name());
        if (s.state() == pb::TRAINING_SESSION_STATE_CANCELLED) {
          return Counted(c.tx(), c.organization_id(), s);
        }
        s.set_state(pb::TRAINING_SESSION_STATE_CANCELLED);
        if (absl::Status st = Save<pb::TrainingSessionCancelled>(c, s, (*row)->revision + 1);
            !st.ok()) {
          return st;
        }
        for (pb::EnrolmentState open :
             {pb::ENROLMENT_STATE_ENROLLED, pb::ENROLMENT_STATE_WAITLISTED}) {
          auto rows =
              store::EnrolmentsInState(c.tx(), c.organization_id(), s.name(), open, kMaxWaitlist);
          if (!rows.ok()) return rows.status();
          for (store::EnrolmentRow& e : *rows) {
            e.enrolment.set_state(pb::ENROLMENT_STATE_CANCELLED);
            if (absl::Status st = SaveEnrolment(c, s, e.enrolment, e.revision + 1, e.seq, open);
                !st.ok()) {
              return st;
            }
          }
        }
        return Counted(c.tx(), c.organization_id(), s);
      });
}

// ---- Enrolments.

absl::StatusOr<pb::Enrolment> Curriculum::CreateEnrolment(
    const Principal& p, const pb::CreateEnrolmentRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kSessionName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  std::string person_id;
  if (r.person().empty()) {
    v.Add("person", "is required: the person to enrol");
  } else {
    auto person_ids = kpo::auth::CheckName(p, "person", r.person(), kPersonName);
    if (!person_ids.ok()) return person_ids.status();
    person_id = person_ids->back();
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  const std::string name = absl::StrCat(r.parent(), "/enrolments/", person_id);
  return commands_.Run<pb::Enrolment>(
      {p.organization_id, "CreateEnrolment", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Enrolment> {
        auto session = ScheduledSession(c, r.parent(), "");
        if (!session.ok()) return session.status();
        const pb::TrainingSession& s = session->session;
        if (c.now() >= TimeOf(s.start_time())) {
          return kpo::core::FailedPrecondition("SESSION_STARTED",
                                               absl::StrCat(s.name(), " has started"));
        }
        auto person = LoadDirectory<pb::Person>(c.tx(), c.organization_id(), "person", r.person());
        if (!person.ok()) return person.status();
        if (!person->has_value() || (*person)->state() != pb::ACTIVE) {
          v.Add("person", absl::StrCat(r.person(), " is not an active person"));
          return v.ToStatus();
        }
        if (absl::Status st = CheckActsFor(c.tx(), p, **person, "NOT_AN_ENROLLER", "enrol");
            !st.ok()) {
          return st;
        }
        auto existing = store::LoadEnrolment(c.tx(), c.organization_id(), name);
        if (!existing.ok()) return existing.status();
        pb::EnrolmentState previous = pb::ENROLMENT_STATE_UNSPECIFIED;
        int64_t revision = 1;
        if (existing->has_value()) {
          if ((*existing)->enrolment.state() != pb::ENROLMENT_STATE_CANCELLED) {
            return kpo::core::AlreadyExists(name);
          }
          previous = pb::ENROLMENT_STATE_CANCELLED;
          revision = (*existing)->revision + 1;
        }
        auto seats = store::CountSeats(c.tx(), c.organization_id(), s.name());
        if (!seats.ok()) return seats.status();
        pb::Enrolment e;
        if (existing->has_value()) e = (*existing)->enrolment;
        e.set_name(name);
        e.set_person(r.person());
        e.set_enrolled_by(p.person_name());
        e.clear_recorded_by();
        e.clear_score_percent();
        if (*seats < s.capacity()) {
          e.set_state(pb::ENROLMENT_STATE_ENROLLED);
        } else if (r.join_waitlist()) {
          e.set_state(pb::ENROLMENT_STATE_WAITLISTED);
        } else {
          return kpo::core::FailedPrecondition(
              "SESSION_FULL",
              absl::StrCat(s.name(), " is full (", s.capacity(),
                           " seats); join its waiting list with join_waitlist"),
              {{"capacity", std::to_string(s.capacity())}});
        }
        const int64_t seq = absl::ToUnixMicros(c.now());
        if (absl::Status st = SaveEnrolment(c, s, e, revision, seq, previous); !st.ok()) return st;
        if (absl::Status st = Position(c.tx(), c.organization_id(), e, seq); !st.ok()) return st;
        return e;
      });
}

absl::StatusOr<pb::Enrolment> Curriculum::GetEnrolment(const Principal& p,
                                                       const pb::GetEnrolmentRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kEnrolmentName); !ids.ok()) {
    return ids.status();
  }
  pb::Enrolment out;
  absl::Status s = commands_.db().Read([&](Transaction& tx) -> absl::Status {
    auto row = store::LoadEnrolment(tx, p.organization_id, r.name());
    if (!row.ok()) return row.status();
    if (!row->has_value()) return kpo::core::NotFound(r.name());
    out = (*row)->enrolment;
    return Position(tx, p.organization_id, out, (*row)->seq);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::ListEnrolmentsResponse> Curriculum::ListEnrolments(
    const Principal& p, const pb::ListEnrolmentsRequest& r) const {
  auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kSessionName, kpo::core::LastId::kOrAll);
  if (!ids.ok()) return ids.status();
  FieldViolations v;
  kpo::core::CheckEnum(pb::EnrolmentState_descriptor(), r.state(), "state", false, v);
  store::EnrolmentFilter filter;
  if (ids->back() != "-") filter.session = r.parent();
  if (!r.person().empty()) {
    if (auto person = kpo::auth::CheckName(p, "person", r.person(), kPersonName); !person.ok()) {
      return person.status();
    }
    filter.person = r.person();
  } else if (filter.session.empty()) {
    v.Add("person", "is required when listing across sessions (trainingSessions/-)");
  }
  if (!v.empty()) return v.ToStatus();
  filter.state = r.state();
  pb::ListEnrolmentsResponse out;
  absl::Status s = kpo::command::ReadPage<store::EnrolmentRow>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|enrolments|", r.parent(), "|", r.person(), "|", r.state()),
      {[&](Transaction& tx, const kpo::storage::KeysetPage& page)
           -> absl::StatusOr<std::vector<store::EnrolmentRow>> {
         auto rows = store::ListEnrolments(tx, p.organization_id, filter, page);
         if (!rows.ok()) return rows.status();
         for (store::EnrolmentRow& row : *rows) {
           if (absl::Status st = Position(tx, p.organization_id, row.enrolment, row.seq);
               !st.ok()) {
             return st;
           }
         }
         return rows;
       },
       [](const store::EnrolmentRow& row) {
         return kpo::core::PagePosition{row.seq, row.enrolment.name()};
       },
       [&](store::EnrolmentRow& row) { *out.add_enrolments() = std::move(row.enrolment); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::Enrolment> Curriculum::CancelEnrolment(
    const Principal& p, const pb::CancelEnrolmentRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kEnrolmentName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(r.request_id(), v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::Enrolment>(
      {p.organization_id, "CancelEnrolment", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Enrolment> {
        auto row = store::LoadEnrolment(c.tx(), c.organization_id(), r.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(r.name());
        pb::Enrolment e = (*row)->enrolment;
        if (!r.etag().empty() && r.etag() != e.etag()) return kpo::core::EtagMismatch(r.name());
        const pb::EnrolmentState previous = e.state();
        if (previous != pb::ENROLMENT_STATE_ENROLLED &&
            previous != pb::ENROLMENT_STATE_WAITLISTED) {
          return kpo::core::FailedPrecondition(
              "ENROLMENT_NOT_OPEN",
              absl::StrCat(r.name(), " is ", pb::EnrolmentState_Name(previous)),
              {{"current_state", pb::EnrolmentState_Name(previous)}});
        }
        auto person = LoadDirectory<pb::Person>(c.tx(), c.organization_id(), "person", e.person());
        if (!person.ok()) return person.status();
        if (person->has_value()) {
          if (absl::Status st =
                  CheckActsFor(c.tx(), p, **person, "NOT_AN_ENROLLER", "cancel an enrolment");
              !st.ok()) {
            return st;
          }
        } else if (!IsCertifier(p)) {
          return kpo::core::Error(absl::StatusCode::kPermissionDenied, "NOT_AN_ENROLLER",
                                  "only the KPO or an admin cancels this enrolment");
        }
        auto session = store::LoadSession(c.tx(), c.organization_id(), SessionOf(r.name()));
        if (!session.ok()) return session.status();
        if (!session->has_value()) return kpo::core::NotFound(SessionOf(r.name()));
        const pb::TrainingSession& s = (*session)->session;
        e.set_state(pb::ENROLMENT_STATE_CANCELLED);
        if (absl::Status st = SaveEnrolment(c, s, e, (*row)->revision + 1, (*row)->seq, previous);
            !st.ok()) {
          return st;
        }
        if (previous == pb::ENROLMENT_STATE_ENROLLED && c.now() < TimeOf(s.start_time())) {
          if (absl::Status st = Promote(c, s, 1); !st.ok()) return st;
        }
        return e;
      });
}

absl::StatusOr<pb::Enrolment> Curriculum::RecordTrainingOutcome(
    const Principal& p, const pb::RecordTrainingOutcomeRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kEnrolmentName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (r.score_percent() < 0 || r.score_percent() > 100) v.Add("score_percent", "must be 0..100");
  if (!r.attended() && (r.passed() || r.score_percent() != 0)) {
    v.Add("passed", "someone who did not attend neither passes nor scores");
  }
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::Enrolment>(
      {p.organization_id, "RecordTrainingOutcome", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Enrolment> {
        auto row = store::LoadEnrolment(c.tx(), c.organization_id(), r.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(r.name());
        pb::Enrolment e = (*row)->enrolment;
        if (!r.etag().empty() && r.etag() != e.etag()) return kpo::core::EtagMismatch(r.name());
        auto session = store::LoadSession(c.tx(), c.organization_id(), SessionOf(r.name()));
        if (!session.ok()) return session.status();
        if (!session->has_value()) return kpo::core::NotFound(SessionOf(r.name()));
        const pb::TrainingSession& s = (*session)->session;
        const bool kpo_or_admin =
            p.HasRole(kpo::auth::kKpoSpecialist) || p.HasRole(kpo::auth::kOrgAdmin);
        if (p.person_name() != s.trainer() && !kpo_or_admin) {
          return kpo::core::Error(
              absl::StatusCode::kPermissionDenied, "NOT_THE_TRAINER",
              absl::StrCat("the outcome is recorded by ", s.trainer(), ", the KPO or an admin"));
        }
        if (c.now() < TimeOf(s.start_time())) {
          return kpo::core::FailedPrecondition("SESSION_NOT_STARTED",
                                               absl::StrCat(s.name(), " has not started yet"));
        }
        if (e.state() != pb::ENROLMENT_STATE_ENROLLED) {
          return kpo::core::FailedPrecondition(
              "ENROLMENT_NOT_OPEN",
              absl::StrCat(r.name(), " is ", pb::EnrolmentState_Name(e.state()),
                           "; an outcome is recorded once, for an ENROLLED person"),
              {{"current_state", pb::EnrolmentState_Name(e.state())}});
        }
        e.set_state(domain::OutcomeState(r.attended(), r.passed()));
        e.set_score_percent(r.score_percent());
        e.set_recorded_by(p.person_name());
        if (absl::Status st = SaveEnrolment(c, s, e, (*row)->revision + 1, (*row)->seq,
                                            pb::ENROLMENT_STATE_ENROLLED);
            !st.ok()) {
          return st;
        }
        if (e.state() != pb::ENROLMENT_STATE_COMPLETED) return e;
        pb::TrainingCompleted done;
        *done.mutable_enrolment() = e;
        done.set_session(s.name());
        done.set_module(s.module());
        auto module =
            store::LoadCurriculum<pb::TrainingModule>(c.tx(), c.organization_id(), s.module());
        if (!module.ok()) return module.status();
        if (module->has_value()) {
          *done.mutable_competencies() = (*module)->resource.competencies();
          done.set_duration_minutes((*module)->resource.duration_minutes());
        }
        auto person = LoadDirectory<pb::Person>(c.tx(), c.organization_id(), "person", e.person());
        if (!person.ok()) return person.status();
        if (person->has_value()) {
          done.set_person_site((*person)->home_site());
          done.set_person_area((*person)->area());
          *done.mutable_person_roles() = (*person)->roles();
        }
        if (absl::Status st = c.Publish(e.person(), done); !st.ok()) return st;
        return e;
      });
}

}  // namespace kpo::people
