#include "yokoten.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "domain/ideas.h"
#include "domain/yokoten.h"
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
#include "store.h"
#include "yokoten_store.h"

namespace kpo::daily {

namespace pb = kpo::daily::v1;
using google::protobuf::FieldMask;
using kpo::command::Context;
using kpo::core::FieldViolations;

namespace {

constexpr kpo::core::Collections kPracticeName = {"organizations", "practices"};
constexpr kpo::core::Collections kTaskName = {"organizations", "practices", "deploymentTasks"};

google::protobuf::Timestamp Ts(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

std::string PracticeOf(const std::string& task) {
  return task.substr(0, task.rfind("/deploymentTasks/"));
}

// The last id of a resource name.
std::string IdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

// A task's id from its place: "pune" or "pune-assembly" (or "target-<n>" when that is
// not a valid id).
std::string TaskId(const std::string& site, const std::string& area, int n) {
  std::string id = IdOf(site);
  if (!area.empty()) id += "-" + IdOf(area);
  return kpo::core::IsValidResourceId(id) ? id : absl::StrCat("target-", n);
}

kpo::core::PagePosition TaskPosition(const pb::DeploymentTask& t) {
  return {kpo::core::DateKey(t.due_date()), t.name()};
}

// The practice with its task counts.
absl::Status Count(kpo::storage::Transaction& tx, const std::string& org, pb::Practice& p) {
  auto counts = store::CountTasks(tx, org, p.name());
  if (!counts.ok()) return counts.status();
  p.set_open_tasks((*counts)[pb::DEPLOYMENT_STATE_OPEN]);
  p.set_adopted_tasks((*counts)[pb::DEPLOYMENT_STATE_ADOPTED]);
  p.set_adapted_tasks((*counts)[pb::DEPLOYMENT_STATE_ADAPTED]);
  p.set_not_applicable_tasks((*counts)[pb::DEPLOYMENT_STATE_NOT_APPLICABLE]);
  return absl::OkStatus();
}

// Site, area and owner of a place against the replica (violations of prefix.*).
absl::Status CheckPlace(kpo::storage::Transaction& tx, const std::string& org,
                        const std::string& site, const std::string& area, const std::string& owner,
                        const std::string& prefix, FieldViolations& v) {
  for (auto [name, kind, field] :
       {std::tuple{&site, "site", ".site"}, std::tuple{&area, "area", ".area"},
        std::tuple{&owner, "person", ".owner"}}) {
    if (auto s = kpo::replica::RequireActive(tx, org, *name, kind, prefix + field, v); !s.ok()) {
      return s.status();
    }
  }
  return absl::OkStatus();
}

// The people credited for an adoption: active, no repeats, at most 30.
absl::Status CheckTeam(kpo::storage::Transaction& tx, const std::string& org,
                       const google::protobuf::RepeatedPtrField<std::string>& team,
                       const std::string& field, FieldViolations& v) {
  if (team.size() > domain::kMaxAdoptingTeam) {
    v.Add(field, absl::StrCat("at most ", domain::kMaxAdoptingTeam, " people"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < team.size(); ++i) {
    const std::string f = absl::StrCat(field, "[", i, "]");
    if (!seen.insert(team[i]).second) {
      v.Add(f, absl::StrCat(team[i], " is named twice"));
    } else if (auto s = kpo::replica::RequireActive(tx, org, team[i], "person", f, v); !s.ok()) {
      return s.status();
    }
  }
  return absl::OkStatus();
}

// A task's owner, the practice's sharer, an org_admin, a KPO specialist or a service.
absl::Status CheckOwner(const kpo::auth::Principal& p, const pb::DeploymentTask& t,
                        const pb::Practice& practice) {
  const std::string me = p.person_name();
  if (me == t.owner() || me == practice.shared_by() || p.HasRole(kpo::auth::kOrgAdmin) ||
      p.HasRole(kpo::auth::kKpoSpecialist) || p.HasRole(kpo::auth::kService)) {
    return absl::OkStatus();
  }
  return kpo::core::Error(
      absl::StatusCode::kPermissionDenied, "NOT_THE_OWNER",
      absl::StrCat("only the task's owner (", t.owner(), ") or who shared the practice (",
                   practice.shared_by(), ") may change it"),
      {{"owner", t.owner()}});
}

// A new OPEN task of `practice` at a place, stamped, stored and published.
absl::StatusOr<pb::DeploymentTask> OpenTask(Context& c, const pb::Practice& practice,
                                            pb::DeploymentTask task) {
  task.set_state(pb::DEPLOYMENT_STATE_OPEN);
  task.set_idea(practice.idea());
  task.set_origin_site(practice.origin_site());
  *task.mutable_origin_team() = practice.origin_team();
  task.set_origin_circle(practice.origin_circle());
  task.set_strategic_objective(practice.strategic_objective());
  *task.mutable_create_time() = Ts(c.now());
  *task.mutable_update_time() = Ts(c.now());
  task.set_etag("1");
  auto existing = store::LoadTask(c.tx(), c.organization_id(), task.name());
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return kpo::core::AlreadyExists(task.name());
  if (absl::Status s = store::SaveTask(c.tx(), c.organization_id(), practice.name(), task, 1);
      !s.ok()) {
    return s;
  }
  pb::DeploymentTaskCreated e;
  *e.mutable_deployment_task() = task;
  e.set_revision(1);
  if (absl::Status s = c.Publish(task.name(), e); !s.ok()) return s;
  return task;
}

}  // namespace

// ---- Practices

absl::StatusOr<pb::Practice> Yokoten::SharePractice(const Principal& p,
                                                    const pb::SharePracticeRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.practice_id().empty() && !kpo::core::IsValidResourceId(r.practice_id())) {
    v.Add("practice_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (v.Has("request_id")) return v.ToStatus();
  const pb::Practice& in = r.practice();
  if (!kpo::core::ParseName(in.idea(), {"organizations", "ideas"})) {
    v.Add("practice.idea", "must be an idea name (organizations/{org}/ideas/{idea})");
  }
  domain::CheckText(in.title(), "practice.title", domain::kMaxTitle, false, v);
  domain::CheckText(in.description(), "practice.description", domain::kMaxText, false, v);
  if (in.targets().empty()) {
    v.Add("practice.targets", "at least one place to check the practice against");
  } else if (in.targets_size() > domain::kMaxTargets) {
    v.Add("practice.targets", absl::StrCat("at most ", domain::kMaxTargets));
  }
  const std::string name = absl::StrCat(
      r.parent(), "/practices/", r.practice_id().empty() ? kpo::core::NewUuid() : r.practice_id());
  return commands_.Run<pb::Practice>(
      {p.organization_id, "SharePractice", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::Practice> {
        kpo::storage::Transaction& tx = c.tx();
        const std::string& org = c.organization_id();
        std::optional<store::IdeaRow> idea;
        if (!v.Has("practice.idea")) {
          auto loaded = store::LoadIdea(tx, org, in.idea());
          if (!loaded.ok()) return loaded.status();
          if (!loaded->has_value()) {
            v.Add("practice.idea", absl::StrCat(in.idea(), " does not exist"));
          } else if (const pb::IdeaState s = (*loaded)->idea.state();
                     s != pb::IDEA_STATE_IMPLEMENTED && s != pb::IDEA_STATE_STANDARDIZED) {
            return kpo::core::FailedPrecondition(
                "IDEA_NOT_IMPLEMENTED",
                absl::StrCat(in.idea(), " is ", domain::StateName(s),
                             ": only an implemented idea is shared as a practice"),
                {{"current_state", domain::StateName(s)}});
          }
          idea = *std::move(loaded);
        }
        pb::Practice practice;
        practice.set_name(name);
        practice.set_idea(in.idea());
        practice.set_shared_by(p.person_name());
        if (idea.has_value()) {
          const pb::Idea& i = idea->idea;
          practice.set_title(in.title().empty() ? i.title() : in.title());
          practice.set_description(in.description().empty() ? i.countermeasure()
                                                            : in.description());
          practice.set_origin_site(i.site());
          practice.set_origin_area(i.area());
          *practice.mutable_origin_team() = i.submitters();
          practice.set_origin_circle(i.circle());
          practice.set_strategic_objective(i.strategic_objective());
          practice.set_category(i.category());
        }
        std::set<std::pair<std::string, std::string>> places;
        for (int i = 0; i < in.targets_size(); ++i) {
          const pb::PracticeTarget& t = in.targets(i);
          const std::string prefix = absl::StrCat("practice.targets[", i, "]");
          domain::ValidatePlace(t.site(), t.area(), t.owner(),
                                t.has_due_date() ? &t.due_date() : nullptr, practice.origin_site(),
                                practice.origin_area(), prefix, v);
          if (!places.insert({t.site(), t.area()}).second) {
            v.Add(prefix + ".site", "this place is named twice");
          }
          if (absl::Status s = CheckPlace(tx, org, t.site(), t.area(), t.owner(), prefix, v);
              !s.ok()) {
            return s;
          }
          *practice.add_targets() = t;
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadPractice(tx, org, name);
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(name);
        *practice.mutable_create_time() = Ts(c.now());
        *practice.mutable_update_time() = Ts(c.now());
        practice.set_etag("1");
        if (absl::Status s = store::SavePractice(tx, org, practice, 1); !s.ok()) return s;
        practice.set_open_tasks(practice.targets_size());
        pb::PracticeShared shared;
        *shared.mutable_practice() = practice;
        shared.set_revision(1);
        if (absl::Status s = c.Publish(name, shared); !s.ok()) return s;
        for (int i = 0; i < practice.targets_size(); ++i) {
          const pb::PracticeTarget& t = practice.targets(i);
          pb::DeploymentTask task;
          task.set_name(absl::StrCat(name, "/deploymentTasks/", TaskId(t.site(), t.area(), i + 1)));
          task.set_site(t.site());
          task.set_area(t.area());
          task.set_owner(t.owner());
          *task.mutable_due_date() = t.due_date();
          if (auto opened = OpenTask(c, practice, std::move(task)); !opened.ok()) {
            return opened.status();
          }
        }
        return practice;
      });
}

absl::StatusOr<pb::Practice> Yokoten::GetPractice(const Principal& p,
                                                  const pb::GetPracticeRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kPracticeName); !ids.ok()) {
    return ids.status();
  }
  auto row = ReadOne<store::PracticeRow>(
      commands_.db(), r.name(),
      [&](kpo::storage::Transaction& tx) -> absl::StatusOr<std::optional<store::PracticeRow>> {
        auto loaded = store::LoadPractice(tx, p.organization_id, r.name());
        if (!loaded.ok() || !loaded->has_value()) return loaded;
        if (absl::Status s = Count(tx, p.organization_id, (*loaded)->practice); !s.ok()) return s;
        return loaded;
      });
  if (!row.ok()) return row.status();
  return row->practice;
}

absl::StatusOr<pb::ListPracticesResponse> Yokoten::ListPractices(
    const Principal& p, const pb::ListPracticesRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  CheckNameFilter(r.origin_site(), {"organizations", "sites"}, "origin_site", "site", v);
  CheckNameFilter(r.idea(), {"organizations", "ideas"}, "idea", "idea", v);
  if (int{!r.origin_site().empty()} + int{!r.idea().empty()} +
          int{!r.strategic_objective().empty()} >
      1) {
    v.Add("origin_site", "filter by one of origin_site, idea and strategic_objective");
  }
  if (!v.empty()) return v.ToStatus();
  const store::PracticeFilter filter{r.origin_site(), r.idea(), r.strategic_objective()};
  pb::ListPracticesResponse out;
  absl::Status s = ReadPage<pb::Practice>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|practices|", r.origin_site(), "|", r.idea(), "|",
                   r.strategic_objective()),
      {[&](kpo::storage::Transaction& tx,
           const kpo::storage::KeysetPage& page) -> absl::StatusOr<std::vector<pb::Practice>> {
         auto rows = store::ListPractices(tx, p.organization_id, filter, page);
         if (!rows.ok()) return rows.status();
         for (pb::Practice& practice : *rows) {
           if (absl::Status st = Count(tx, p.organization_id, practice); !st.ok()) return st;
         }
         return rows;
       },
       [](const pb::Practice& practice) -> kpo::core::PagePosition {
         return {0, practice.name()};
       },
       [&](pb::Practice& practice) { *out.add_practices() = std::move(practice); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

// ---- Deployment tasks

absl::StatusOr<pb::DeploymentTask> Yokoten::CreateDeploymentTask(
    const Principal& p, const pb::CreateDeploymentTaskRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPracticeName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.deployment_task_id().empty() && !kpo::core::IsValidResourceId(r.deployment_task_id())) {
    v.Add("deployment_task_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (v.Has("request_id")) return v.ToStatus();
  const pb::DeploymentTask& in = r.deployment_task();
  return commands_.Run<pb::DeploymentTask>(
      {p.organization_id, "CreateDeploymentTask", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::DeploymentTask> {
        auto practice = store::LoadPractice(c.tx(), c.organization_id(), r.parent());
        if (!practice.ok()) return practice.status();
        if (!practice->has_value()) return kpo::core::NotFound(r.parent());
        const pb::Practice& pr = (*practice)->practice;
        domain::ValidatePlace(in.site(), in.area(), in.owner(),
                              in.has_due_date() ? &in.due_date() : nullptr, pr.origin_site(),
                              pr.origin_area(), "deployment_task", v);
        if (absl::Status s = CheckPlace(c.tx(), c.organization_id(), in.site(), in.area(),
                                        in.owner(), "deployment_task", v);
            !s.ok()) {
          return s;
        }
        if (absl::Status s = CheckTeam(c.tx(), c.organization_id(), in.adopting_team(),
                                       "deployment_task.adopting_team", v);
            !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        pb::DeploymentTask task;
        task.set_name(absl::StrCat(
            r.parent(), "/deploymentTasks/",
            r.deployment_task_id().empty() ? kpo::core::NewUuid() : r.deployment_task_id()));
        task.set_site(in.site());
        task.set_area(in.area());
        task.set_owner(in.owner());
        *task.mutable_due_date() = in.due_date();
        *task.mutable_adopting_team() = in.adopting_team();
        return OpenTask(c, pr, std::move(task));
      });
}

absl::StatusOr<pb::DeploymentTask> Yokoten::GetDeploymentTask(
    const Principal& p, const pb::GetDeploymentTaskRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kTaskName); !ids.ok()) {
    return ids.status();
  }
  auto row = ReadOne<store::TaskRow>(commands_.db(), r.name(), [&](kpo::storage::Transaction& tx) {
    return store::LoadTask(tx, p.organization_id, r.name());
  });
  if (!row.ok()) return row.status();
  return row->task;
}

absl::StatusOr<pb::ListDeploymentTasksResponse> Yokoten::ListDeploymentTasks(
    const Principal& p, const pb::ListDeploymentTasksRequest& r) const {
  auto ids =
      kpo::auth::CheckName(p, "parent", r.parent(), kPracticeName, kpo::core::LastId::kOrAll);
  if (!ids.ok()) return ids.status();
  FieldViolations v;
  CheckNameFilter(r.site(), {"organizations", "sites"}, "site", "site", v);
  CheckNameFilter(r.owner(), {"organizations", "people"}, "owner", "person", v);
  kpo::core::CheckEnum(pb::DeploymentState_descriptor(), r.state(), "state", false, v);
  const DueQuery due(r.overdue_only(), r.has_as_of() ? &r.as_of() : nullptr,
                     commands_.clock().Now());
  due.Check(r.state() == pb::DEPLOYMENT_STATE_UNSPECIFIED || r.state() == pb::DEPLOYMENT_STATE_OPEN,
            "state", "tasks", v);
  if (!v.empty()) return v.ToStatus();
  store::TaskFilter filter;
  if (ids->back() != "-") filter.practice = r.parent();
  filter.site = r.site();
  filter.owner = r.owner();
  filter.state = r.overdue_only() ? pb::DEPLOYMENT_STATE_OPEN : r.state();
  filter.due_before = due.due_before();
  pb::ListDeploymentTasksResponse out;
  absl::Status s = ReadPage<pb::DeploymentTask>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|tasks|", r.parent(), "|", r.site(), "|", r.owner(), "|",
                   r.state(), "|", due.Key()),
      {[&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& page) {
         return due.Fetch<pb::DeploymentTask>(
             tx, p.organization_id, page,
             [&](kpo::storage::Transaction& t, const kpo::storage::KeysetPage& k) {
               return store::ListTasks(t, p.organization_id, filter, k);
             },
             TaskPosition,
             [](const pb::DeploymentTask& row, absl::CivilDay today) {
               return domain::IsOverdue(row, today);
             });
       },
       TaskPosition, [&](pb::DeploymentTask& t) { *out.add_deployment_tasks() = std::move(t); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::DeploymentTask> Yokoten::UpdateDeploymentTask(
    const Principal& p, const pb::UpdateDeploymentTaskRequest& r) const {
  const pb::DeploymentTask& patch = r.deployment_task();
  if (auto ids = kpo::auth::CheckName(p, "deployment_task.name", patch.name(), kTaskName);
      !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"owner", "due_date", "adopting_team"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::DeploymentTask::descriptor(), kUpdatable,
                             "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::DeploymentTask>(
      {p.organization_id, "UpdateDeploymentTask", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::DeploymentTask> {
        auto row = store::LoadTask(c.tx(), c.organization_id(), patch.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(patch.name());
        const pb::DeploymentTask& current = (*row)->task;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        auto practice = store::LoadPractice(c.tx(), c.organization_id(), PracticeOf(patch.name()));
        if (!practice.ok()) return practice.status();
        if (!practice->has_value()) return kpo::core::NotFound(PracticeOf(patch.name()));
        if (absl::Status s = CheckOwner(p, current, (*practice)->practice); !s.ok()) return s;
        if (current.state() != pb::DEPLOYMENT_STATE_OPEN) {
          const std::string state = domain::DeploymentStateName(current.state());
          return kpo::core::FailedPrecondition(
              "DEPLOYMENT_TASK_RESOLVED",
              absl::StrCat(patch.name(), " is ", state, " and no longer changes"),
              {{"current_state", state}});
        }
        pb::DeploymentTask merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        opts.set_replace_repeated_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        domain::ValidatePlace(merged.site(), merged.area(), merged.owner(),
                              merged.has_due_date() ? &merged.due_date() : nullptr, "", "",
                              "deployment_task", v);
        if (merged.owner() != current.owner()) {
          if (auto s = kpo::replica::RequireActive(c.tx(), c.organization_id(), merged.owner(),
                                                   "person", "deployment_task.owner", v);
              !s.ok()) {
            return s.status();
          }
        }
        if (absl::Status s = CheckTeam(c.tx(), c.organization_id(), merged.adopting_team(),
                                       "deployment_task.adopting_team", v);
            !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        const int64_t revision = (*row)->revision + 1;
        *merged.mutable_update_time() = Ts(c.now());
        merged.set_etag(std::to_string(revision));
        if (absl::Status s = store::SaveTask(c.tx(), c.organization_id(), PracticeOf(patch.name()),
                                             merged, revision);
            !s.ok()) {
          return s;
        }
        pb::DeploymentTaskUpdated e;
        *e.mutable_deployment_task() = merged;
        e.set_revision(revision);
        *e.mutable_update_mask() = mask;
        if (absl::Status s = c.Publish(merged.name(), e); !s.ok()) return s;
        return merged;
      });
}

absl::StatusOr<pb::DeploymentTask> Yokoten::ResolveDeploymentTask(
    const Principal& p, const pb::ResolveDeploymentTaskRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kTaskName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  domain::ValidateResolution(r.outcome(), r.reason(), v);
  if (r.outcome() == pb::DEPLOYMENT_STATE_NOT_APPLICABLE && !r.adopting_team().empty()) {
    v.Add("adopting_team", "nobody adopted a practice that does not apply");
  }
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::DeploymentTask>(
      {p.organization_id, "ResolveDeploymentTask", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::DeploymentTask> {
        auto row = store::LoadTask(c.tx(), c.organization_id(), r.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(r.name());
        pb::DeploymentTask& task = (*row)->task;
        if (!r.etag().empty() && r.etag() != task.etag()) return kpo::core::EtagMismatch(r.name());
        auto practice = store::LoadPractice(c.tx(), c.organization_id(), PracticeOf(r.name()));
        if (!practice.ok()) return practice.status();
        if (!practice->has_value()) return kpo::core::NotFound(PracticeOf(r.name()));
        if (absl::Status s = CheckOwner(p, task, (*practice)->practice); !s.ok()) return s;
        if (absl::Status s = domain::CheckTransition(task.state(), r.outcome()); !s.ok()) {
          return s;
        }
        if (absl::Status s =
                CheckTeam(c.tx(), c.organization_id(), r.adopting_team(), "adopting_team", v);
            !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        task.set_state(r.outcome());
        task.set_reason(r.reason());
        if (r.outcome() == pb::DEPLOYMENT_STATE_NOT_APPLICABLE) {
          task.clear_adopting_team();
        } else if (!r.adopting_team().empty()) {
          *task.mutable_adopting_team() = r.adopting_team();
        } else if (task.adopting_team().empty()) {
          task.add_adopting_team(task.owner());
        }
        task.set_resolved_by(p.person_name());
        *task.mutable_resolve_time() = Ts(c.now());
        const int64_t revision = (*row)->revision + 1;
        *task.mutable_update_time() = Ts(c.now());
        task.set_etag(std::to_string(revision));
        if (absl::Status s =
                store::SaveTask(c.tx(), c.organization_id(), PracticeOf(r.name()), task, revision);
            !s.ok()) {
          return s;
        }
        pb::DeploymentTaskResolved e;
        *e.mutable_deployment_task() = task;
        e.set_revision(revision);
        if (absl::Status s = c.Publish(task.name(), e); !s.ok()) return s;
        return task;
      });
}

}  // namespace kpo::daily
