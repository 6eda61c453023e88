#include "kata.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "domain/kata.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "kata_store.h"
#include "kpo/core/date.h"
#include "kpo/core/enums.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/update_mask.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/resources.pb.h"
#include "kpo/replica/directory_replica.h"
#include "queries.h"

namespace kpo::daily {

namespace pb = kpo::daily::v1;
namespace dir = kpo::people::v1;
using google::protobuf::FieldMask;
using kpo::command::Context;
using kpo::core::FieldViolations;

namespace {

constexpr kpo::core::Collections kStoryboardName = {"organizations", "storyboards"};
constexpr kpo::core::Collections kExperimentName = {"organizations", "storyboards", "experiments"};

google::protobuf::Timestamp Ts(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// The storyboard a child resource name belongs to.
std::string ParentOf(const std::string& child) {
  return child.substr(0, child.rfind('/', child.rfind('/') - 1));
}

// Coach, site, area and strategic objective against the replica (only those that
// changed from `before`, when given). Fills in the site and area from the learner's
// home when the storyboard has no site.
absl::Status CheckDirectory(kpo::storage::Transaction& tx, const std::string& org,
                            pb::Storyboard& s, const pb::Storyboard* before, FieldViolations& v) {
  if (before == nullptr) {
    auto learner = kpo::replica::RequireActive<dir::Person>(tx, org, s.learner(), "person",
                                                            "storyboard.learner", v);
    if (!learner.ok()) return learner.status();
    if (learner->has_value() && s.site().empty()) {
      s.set_site((*learner)->home_site());
      s.set_area((*learner)->area());
    }
  }
  if (before == nullptr || before->coach() != s.coach()) {
    if (auto c = kpo::replica::RequireActive(tx, org, s.coach(), "person", "storyboard.coach", v);
        !c.ok()) {
      return c.status();
    }
  }
  if (before == nullptr) {
    if (auto c = kpo::replica::RequireActive(tx, org, s.site(), "site", "storyboard.site", v);
        !c.ok()) {
      return c.status();
    }
  }
  if (before == nullptr || before->area() != s.area()) {
    if (auto c = kpo::replica::RequireActive(tx, org, s.area(), "area", "storyboard.area", v);
        !c.ok()) {
      return c.status();
    }
  }
  if (before == nullptr || before->strategic_objective() != s.strategic_objective()) {
    return kpo::replica::RequireStrategicObjective(tx, org, s.strategic_objective(),
                                                   "storyboard.strategic_objective", v);
  }
  return absl::OkStatus();
}

// Loads the storyboard `name` within a command: NOT_FOUND when missing.
absl::StatusOr<store::StoryboardRow> LoadExisting(Context& c, const std::string& name) {
  auto row = store::LoadStoryboard(c.tx(), c.organization_id(), name);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return kpo::core::NotFound(name);
  return **std::move(row);
}

// Stamps and stores the storyboard at `revision` and publishes `event`.
absl::Status SaveStoryboard(Context& c, pb::Storyboard& s, int64_t revision, int64_t next_obstacle,
                            google::protobuf::Message&& event) {
  *s.mutable_update_time() = Ts(c.now());
  s.set_etag(std::to_string(revision));
  if (absl::Status st =
          store::SaveStoryboard(c.tx(), c.organization_id(), s, revision, next_obstacle);
      !st.ok()) {
    return st;
  }
  const auto* d = event.GetDescriptor();
  auto* refl = event.GetReflection();
  refl->MutableMessage(&event, d->FindFieldByNumber(1))->CopyFrom(s);
  refl->SetInt64(&event, d->FindFieldByNumber(2), revision);
  return c.Publish(s.name(), event);
}

}  // namespace

absl::Status CheckLearnerOrCoach(const kpo::auth::Principal& p, const pb::Storyboard& s,
                                 const std::string& also) {
  const std::string me = p.person_name();
  if (me == s.learner() || me == s.coach() || (!also.empty() && me == also) ||
      p.HasRole(kpo::auth::kOrgAdmin) || p.HasRole(kpo::auth::kService)) {
    return absl::OkStatus();
  }
  return kpo::core::Error(absl::StatusCode::kPermissionDenied, "NOT_LEARNER_OR_COACH",
                          absl::StrCat("only the learner (", s.learner(), ") or the coach (",
                                       s.coach(), ") of the storyboard may write it"),
                          {{"learner", s.learner()}, {"coach", s.coach()}});
}

absl::Status CheckActive(const pb::Storyboard& s, absl::string_view what) {
  if (s.state() == pb::STORYBOARD_STATE_ACTIVE) return absl::OkStatus();
  return kpo::core::FailedPrecondition(
      "STORYBOARD_CLOSED",
      absl::StrCat(s.name(), " is ", domain::StoryboardStateName(s.state()), ": ", what,
                   " only on an ACTIVE storyboard"),
      {{"current_state", domain::StoryboardStateName(s.state())}});
}

// ---- Storyboards

absl::StatusOr<pb::Storyboard> Storyboards::CreateStoryboard(
    const Principal& p, const pb::CreateStoryboardRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.storyboard_id().empty() && !kpo::core::IsValidResourceId(r.storyboard_id())) {
    v.Add("storyboard_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  const pb::Storyboard& in = r.storyboard();
  pb::Storyboard s;
  s.set_learner(in.learner().empty() ? p.person_name() : in.learner());
  s.set_coach(in.coach());
  s.set_challenge(in.challenge());
  s.set_strategic_objective(in.strategic_objective());
  s.set_focus_process(in.focus_process());
  s.set_site(in.site());
  s.set_area(in.area());
  if (in.has_target_condition()) *s.mutable_target_condition() = in.target_condition();
  s.set_current_condition(in.current_condition());
  for (const pb::Obstacle& o : in.obstacles()) {
    pb::Obstacle* added = s.add_obstacles();
    added->set_description(o.description());
    added->set_status(o.status());
  }
  domain::ValidateStoryboard(s, v);
  if (v.Has("request_id")) return v.ToStatus();
  s.set_name(absl::StrCat(r.parent(), "/storyboards/",
                          r.storyboard_id().empty() ? kpo::core::NewUuid() : r.storyboard_id()));
  if (v.empty()) {
    if (absl::Status st = CheckLearnerOrCoach(p, s); !st.ok()) return st;
  }
  return commands_.Run<pb::Storyboard>(
      {p.organization_id, "CreateStoryboard", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::Storyboard> {
        pb::Storyboard created = s;
        if (absl::Status st = CheckDirectory(c.tx(), c.organization_id(), created, nullptr, v);
            !st.ok()) {
          return st;
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadStoryboard(c.tx(), c.organization_id(), created.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(created.name());
        int64_t next_obstacle = 1;
        domain::NumberObstacles(nullptr, created, next_obstacle, v);
        created.set_state(pb::STORYBOARD_STATE_ACTIVE);
        *created.mutable_create_time() = Ts(c.now());
        if (absl::Status st = SaveStoryboard(c, created, 1, next_obstacle, pb::StoryboardCreated());
            !st.ok()) {
          return st;
        }
        return created;
      });
}

absl::StatusOr<pb::Storyboard> Storyboards::GetStoryboard(const Principal& p,
                                                          const pb::GetStoryboardRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kStoryboardName); !ids.ok()) {
    return ids.status();
  }
  auto row =
      ReadOne<store::StoryboardRow>(commands_.db(), r.name(), [&](kpo::storage::Transaction& tx) {
        return store::LoadStoryboard(tx, p.organization_id, r.name());
      });
  if (!row.ok()) return row.status();
  return row->storyboard;
}

absl::StatusOr<pb::ListStoryboardsResponse> Storyboards::ListStoryboards(
    const Principal& p, const pb::ListStoryboardsRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  CheckNameFilter(r.learner(), {"organizations", "people"}, "learner", "person", v);
  CheckNameFilter(r.coach(), {"organizations", "people"}, "coach", "person", v);
  CheckNameFilter(r.site(), {"organizations", "sites"}, "site", "site", v);
  kpo::core::CheckEnum(pb::StoryboardState_descriptor(), r.state(), "state", false, v);
  if (!v.empty()) return v.ToStatus();
  const store::StoryboardFilter filter{r.learner(), r.coach(), r.site(), r.state(),
                                       r.strategic_objective()};
  pb::ListStoryboardsResponse out;
  absl::Status s = ReadPage<store::StoryboardRow>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|storyboards|", r.learner(), "|", r.coach(), "|", r.site(),
                   "|", r.state(), "|", r.strategic_objective()),
      {[&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListStoryboards(tx, p.organization_id, filter, page);
       },
       [](const store::StoryboardRow& row) -> kpo::core::PagePosition {
         return {0, row.storyboard.name()};
       },
       [&](store::StoryboardRow& row) { *out.add_storyboards() = std::move(row.storyboard); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::Storyboard> Storyboards::UpdateStoryboard(
    const Principal& p, const pb::UpdateStoryboardRequest& r) const {
  const pb::Storyboard& patch = r.storyboard();
  if (auto ids = kpo::auth::CheckName(p, "storyboard.name", patch.name(), kStoryboardName);
      !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {
      "coach", "challenge",        "strategic_objective", "focus_process",
      "area",  "target_condition", "current_condition",   "obstacles"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::Storyboard::descriptor(), kUpdatable, "cannot be updated",
                             v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::Storyboard>(
      {p.organization_id, "UpdateStoryboard", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Storyboard> {
        auto row = LoadExisting(c, patch.name());
        if (!row.ok()) return row.status();
        const pb::Storyboard& current = row->storyboard;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        if (absl::Status s = CheckLearnerOrCoach(p, current); !s.ok()) return s;
        if (absl::Status s = CheckActive(current, "changes"); !s.ok()) return s;
        pb::Storyboard merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        opts.set_replace_repeated_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        int64_t next_obstacle = row->next_obstacle;
        domain::NumberObstacles(&current, merged, next_obstacle, v);
        domain::ValidateStoryboard(merged, v);
        if (absl::Status s = CheckDirectory(c.tx(), c.organization_id(), merged, &current, v);
            !s.ok()) {
          return s;
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        pb::StoryboardUpdated event;
        *event.mutable_update_mask() = mask;
        if (absl::Status s =
                SaveStoryboard(c, merged, row->revision + 1, next_obstacle, std::move(event));
            !s.ok()) {
          return s;
        }
        return merged;
      });
}

absl::StatusOr<pb::Storyboard> Storyboards::CloseStoryboard(
    const Principal& p, const pb::CloseStoryboardRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kStoryboardName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (r.note().size() > domain::kMaxText) {
    v.Add("note", absl::StrCat("at most ", domain::kMaxText, " characters"));
  }
  if (!v.empty()) return v.ToStatus();
  const pb::StoryboardState to =
      r.achieved() ? pb::STORYBOARD_STATE_ACHIEVED : pb::STORYBOARD_STATE_CLOSED;
  return commands_.Run<pb::Storyboard>(
      {p.organization_id, "CloseStoryboard", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Storyboard> {
        auto row = LoadExisting(c, r.name());
        if (!row.ok()) return row.status();
        pb::Storyboard& s = row->storyboard;
        if (!r.etag().empty() && r.etag() != s.etag()) return kpo::core::EtagMismatch(r.name());
        if (absl::Status st = CheckLearnerOrCoach(p, s); !st.ok()) return st;
        if (s.state() != pb::STORYBOARD_STATE_ACTIVE) {
          const std::string from = domain::StoryboardStateName(s.state());
          return kpo::core::FailedPrecondition(
              "INVALID_TRANSITION",
              absl::StrCat(r.name(), " is already ", from, "; only an ACTIVE storyboard closes"),
              {{"current_state", from}, {"requested_state", domain::StoryboardStateName(to)}});
        }
        s.set_state(to);
        s.set_close_note(r.note());
        *s.mutable_close_time() = Ts(c.now());
        if (absl::Status st =
                SaveStoryboard(c, s, row->revision + 1, row->next_obstacle, pb::StoryboardClosed());
            !st.ok()) {
          return st;
        }
        return s;
      });
}

// ---- Experiments

absl::StatusOr<pb::Experiment> Storyboards::CreateExperiment(
    const Principal& p, const pb::CreateExperimentRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kStoryboardName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.experiment_id().empty() && !kpo::core::IsValidResourceId(r.experiment_id())) {
    v.Add("experiment_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (v.Has("request_id")) return v.ToStatus();
  const pb::Experiment& in = r.experiment();
  pb::Experiment e;
  e.set_name(absl::StrCat(r.parent(), "/experiments/",
                          r.experiment_id().empty() ? kpo::core::NewUuid() : r.experiment_id()));
  e.set_step(in.step());
  e.set_expected(in.expected());
  e.set_result(in.result());
  e.set_learning(in.learning());
  if (in.has_date()) *e.mutable_date() = in.date();
  e.set_obstacle(in.obstacle());
  e.set_recorded_by(p.person_name());
  return commands_.Run<pb::Experiment>(
      {p.organization_id, "CreateExperiment", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Experiment> {
        auto row = LoadExisting(c, r.parent());
        if (!row.ok()) return row.status();
        if (absl::Status s = CheckLearnerOrCoach(p, row->storyboard); !s.ok()) return s;
        if (absl::Status s = CheckActive(row->storyboard, "experiments are recorded"); !s.ok()) {
          return s;
        }
        domain::ValidateExperiment(e, row->storyboard, v);
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadExperiment(c.tx(), c.organization_id(), e.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(e.name());
        pb::Experiment created = e;
        *created.mutable_create_time() = Ts(c.now());
        *created.mutable_update_time() = Ts(c.now());
        created.set_etag("1");
        if (absl::Status s =
                store::SaveExperiment(c.tx(), c.organization_id(), r.parent(), created, 1);
            !s.ok()) {
          return s;
        }
        pb::ExperimentRecorded event;
        *event.mutable_experiment() = created;
        event.set_revision(1);
        *event.mutable_storyboard() = row->storyboard;
        event.mutable_storyboard()->set_experiment_count(row->storyboard.experiment_count() + 1);
        if (absl::Status s = c.Publish(created.name(), event); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::Experiment> Storyboards::GetExperiment(const Principal& p,
                                                          const pb::GetExperimentRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kExperimentName); !ids.ok()) {
    return ids.status();
  }
  auto row =
      ReadOne<store::ExperimentRow>(commands_.db(), r.name(), [&](kpo::storage::Transaction& tx) {
        return store::LoadExperiment(tx, p.organization_id, r.name());
      });
  if (!row.ok()) return row.status();
  return row->experiment;
}

absl::StatusOr<pb::ListExperimentsResponse> Storyboards::ListExperiments(
    const Principal& p, const pb::ListExperimentsRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kStoryboardName); !ids.ok()) {
    return ids.status();
  }
  pb::ListExperimentsResponse out;
  bool found = true;
  absl::Status s = ReadPage<store::ExperimentRow>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|experiments|", r.parent()),
      {[&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& page)
           -> absl::StatusOr<std::vector<store::ExperimentRow>> {
         auto storyboard = store::LoadStoryboard(tx, p.organization_id, r.parent());
         if (!storyboard.ok()) return storyboard.status();
         found = storyboard->has_value();
         if (!found) return std::vector<store::ExperimentRow>();
         return store::ListExperiments(tx, p.organization_id, r.parent(), page);
       },
       [](const store::ExperimentRow& row) -> kpo::core::PagePosition {
         return {kpo::core::DateKey(row.experiment.date()), row.experiment.name()};
       },
       [&](store::ExperimentRow& row) { *out.add_experiments() = std::move(row.experiment); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  if (!found) return kpo::core::NotFound(r.parent());
  return out;
}

absl::StatusOr<pb::Experiment> Storyboards::UpdateExperiment(
    const Principal& p, const pb::UpdateExperimentRequest& r) const {
  const pb::Experiment& patch = r.experiment();
  if (auto ids = kpo::auth::CheckName(p, "experiment.name", patch.name(), kExperimentName);
      !ids.ok()) {
    return ids.status();
  }
  static const std::set<std::string> kUpdatable = {"step",     "expected", "result",
                                                   "learning", "date",     "obstacle"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::Experiment::descriptor(), kUpdatable, "cannot be updated",
                             v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  const std::string storyboard = ParentOf(patch.name());
  return commands_.Run<pb::Experiment>(
      {p.organization_id, "UpdateExperiment", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Experiment> {
        auto row = store::LoadExperiment(c.tx(), c.organization_id(), patch.name());
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(patch.name());
        const pb::Experiment& current = (*row)->experiment;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        auto board = LoadExisting(c, storyboard);
        if (!board.ok()) return board.status();
        if (absl::Status s = CheckLearnerOrCoach(p, board->storyboard); !s.ok()) return s;
        if (absl::Status s = CheckActive(board->storyboard, "experiments change"); !s.ok()) {
          return s;
        }
        pb::Experiment merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        domain::ValidateExperiment(merged, board->storyboard, v);
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        const int64_t revision = (*row)->revision + 1;
        *merged.mutable_update_time() = Ts(c.now());
        merged.set_etag(std::to_string(revision));
        if (absl::Status s =
                store::SaveExperiment(c.tx(), c.organization_id(), storyboard, merged, revision);
            !s.ok()) {
          return s;
        }
        pb::ExperimentUpdated event;
        *event.mutable_experiment() = merged;
        event.set_revision(revision);
        *event.mutable_update_mask() = mask;
        *event.mutable_storyboard() = board->storyboard;
        if (absl::Status s = c.Publish(merged.name(), event); !s.ok()) return s;
        return merged;
      });
}

}  // namespace kpo::daily
