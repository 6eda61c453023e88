#include "ideas.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "circles.h"
#include "domain/ideas.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/enums.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/update_mask.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/resources.pb.h"
#include "kpo/replica/directory_replica.h"
#include "queries.h"
#include "settings.h"
#include "store.h"

namespace kpo::daily {

namespace pb = kpo::daily::v1;
namespace dir = kpo::people::v1;
using google::protobuf::FieldMask;
using google::protobuf::Message;
using google::protobuf::util::TimeUtil;
using kpo::command::Context;
using kpo::core::FieldViolations;

namespace {

constexpr kpo::core::Collections kIdeaName = {"organizations", "ideas"};

google::protobuf::Timestamp Ts(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

bool IsSubmitter(const pb::Idea& idea, const std::string& person) {
  return std::find(idea.submitters().begin(), idea.submitters().end(), person) !=
         idea.submitters().end();
}

// The paths UpdateIdea may change now: the content until implementation, the impact
// until finance validated it (never on a rejected or withdrawn idea).
std::set<std::string> EditablePaths(const pb::Idea& idea) {
  std::set<std::string> paths;
  if (domain::IsEditable(idea.state())) {
    paths = {"title", "problem", "countermeasure", "category", "area", "strategic_objective",
             "circle"};
  }
  if (domain::IsImpactEditable(idea)) paths.insert("impact");
  return paths;
}

bool TouchesImpact(const FieldMask& mask) {
  return std::any_of(mask.paths().begin(), mask.paths().end(), [](const std::string& path) {
    return path == "impact" || absl::StartsWith(path, "impact.");
  });
}

// An event type whose fields 1 and 2 are the idea and its revision.
template <class E>
std::unique_ptr<Message> Event(const pb::Idea& idea, int64_t revision) {
  auto e = std::make_unique<E>();
  *e->mutable_idea() = idea;
  e->set_revision(revision);
  return e;
}

}  // namespace

// What a change function did to an idea: nothing, or a change with its event.
struct Ideas::Change {
  bool changed = false;
  std::function<std::unique_ptr<Message>(const pb::Idea&, int64_t)> event;
};

// ---- Create

absl::StatusOr<pb::Idea> Ideas::CreateIdea(const Principal& p,
                                           const pb::CreateIdeaRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.idea_id().empty() && !kpo::core::IsValidResourceId(r.idea_id())) {
    v.Add("idea_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::Idea idea;
  // Only what a submitter writes; everything else is the service's.
  idea.set_title(r.idea().title());
  idea.set_problem(r.idea().problem());
  idea.set_countermeasure(r.idea().countermeasure());
  idea.set_category(r.idea().category());
  idea.set_site(r.idea().site());
  idea.set_area(r.idea().area());
  *idea.mutable_submitters() = r.idea().submitters();
  if (idea.submitters().empty()) idea.add_submitters(p.person_name());
  idea.set_reviewer(r.idea().reviewer());
  idea.set_strategic_objective(r.idea().strategic_objective());
  idea.set_circle(r.idea().circle());
  if (r.idea().has_impact()) {
    pb::Impact* impact = idea.mutable_impact();
    *impact = r.idea().impact();
    // Finance's validation is never written by the submitter.
    impact->clear_validated();
    impact->clear_validated_by();
    impact->clear_validate_time();
    impact->clear_validation_note();
  }
  domain::ValidateIdea(idea, v);
  domain::ValidateImpact(idea.impact(), pb::IDEA_STATE_SUBMITTED, v);
  if (v.Has("request_id")) return v.ToStatus();
  const std::string name =
      absl::StrCat(r.parent(), "/ideas/", r.idea_id().empty() ? kpo::core::NewUuid() : r.idea_id());
  idea.set_name(name);
  return commands_.Run<pb::Idea>(
      {p.organization_id, "CreateIdea", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::Idea> {
        kpo::storage::Transaction& tx = c.tx();
        const std::string& org = c.organization_id();
        if (auto s = kpo::replica::RequireActive(tx, org, idea.site(), "site", "idea.site", v);
            !s.ok()) {
          return s.status();
        }
        if (auto s = kpo::replica::RequireActive(tx, org, idea.area(), "area", "idea.area", v);
            !s.ok()) {
          return s.status();
        }
        std::optional<dir::Person> first;
        for (int i = 0; i < idea.submitters_size(); ++i) {
          auto person = kpo::replica::RequireActive<dir::Person>(
              tx, org, idea.submitters(i), "person", absl::StrCat("idea.submitters[", i, "]"), v);
          if (!person.ok()) return person.status();
          if (i == 0) first = *std::move(person);
        }
        if (!idea.reviewer().empty()) {
          if (auto s = kpo::replica::RequireActive(tx, org, idea.reviewer(), "person",
                                                   "idea.reviewer", v);
              !s.ok()) {
            return s.status();
          }
        } else if (first.has_value()) {
          // By default the first submitter's line manager reviews.
          if (first->manager().empty()) {
            v.Add("idea.reviewer",
                  absl::StrCat("is required: ", idea.submitters(0),
                               " has no manager in the directory to review it by default"));
          } else {
            idea.set_reviewer(first->manager());
            if (auto s = kpo::replica::RequireActive(tx, org, idea.reviewer(), "person",
                                                     "idea.reviewer", v);
                !s.ok()) {
              return s.status();
            }
          }
        }
        if (absl::Status s = kpo::replica::RequireStrategicObjective(
                tx, org, idea.strategic_objective(), "idea.strategic_objective", v);
            !s.ok()) {
          return s;
        }
        if (absl::Status s = CheckIdeaCircle(tx, org, idea, v); !s.ok()) return s;
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadIdea(tx, org, name);
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(name);
        pb::Idea created = idea;
        created.set_state(pb::IDEA_STATE_SUBMITTED);
        *created.mutable_create_time() = Ts(c.now());
        *created.mutable_update_time() = Ts(c.now());
        created.set_etag("1");
        if (absl::Status s = store::InsertIdea(tx, org, created, c.now()); !s.ok()) return s;
        if (absl::Status s = c.Publish(name, *Event<pb::IdeaSubmitted>(created, 1)); !s.ok()) {
          return s;
        }
        return created;
      });
}

// ---- Reads

absl::StatusOr<pb::Idea> Ideas::GetIdea(const Principal& p, const pb::GetIdeaRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kIdeaName); !ids.ok()) {
    return ids.status();
  }
  auto row = ReadOne<store::IdeaRow>(commands_.db(), r.name(), [&](kpo::storage::Transaction& tx) {
    return store::LoadIdea(tx, p.organization_id, r.name());
  });
  if (!row.ok()) return row.status();
  return row->idea;
}

absl::StatusOr<pb::ListIdeasResponse> Ideas::ListIdeas(const Principal& p,
                                                       const pb::ListIdeasRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  CheckNameFilter(r.site(), {"organizations", "sites"}, "site", "site", v);
  CheckNameFilter(r.area(), {"organizations", "sites", "areas"}, "area", "area", v);
  CheckNameFilter(r.reviewer(), {"organizations", "people"}, "reviewer", "person", v);
  CheckNameFilter(r.submitter(), {"organizations", "people"}, "submitter", "person", v);
  CheckNameFilter(r.circle(), {"organizations", "circles"}, "circle", "circle", v);
  kpo::core::CheckEnum(pb::IdeaState_descriptor(), r.state(), "state", false, v);
  kpo::core::CheckEnum(pb::Category_descriptor(), r.category(), "category", false, v);
  if (!v.empty()) return v.ToStatus();
  store::IdeaFilter filter;
  filter.site = r.site();
  filter.area = r.area();
  filter.state = r.state();
  filter.category = r.category();
  filter.reviewer = r.reviewer();
  filter.submitter = r.submitter();
  filter.strategic_objective = r.strategic_objective();
  filter.circle = r.circle();
  pb::ListIdeasResponse out;
  absl::Status s = Page(
      p, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|ideas|", r.site(), "|", r.area(), "|", r.state(), "|",
                   r.category(), "|", r.reviewer(), "|", r.submitter(), "|",
                   r.strategic_objective(), "|", r.circle()),
      [&](kpo::storage::Transaction&) -> absl::StatusOr<store::IdeaFilter> { return filter; },
      *out.mutable_ideas(), *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::ListReviewBacklogResponse> Ideas::ListReviewBacklog(
    const Principal& p, const pb::ListReviewBacklogRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  CheckNameFilter(r.reviewer(), {"organizations", "people"}, "reviewer", "person", v);
  CheckNameFilter(r.site(), {"organizations", "sites"}, "site", "site", v);
  if (!r.reviewer().empty() && !r.site().empty()) {
    v.Add("site", "filter by reviewer or by site, not both");
  }
  if (!v.empty()) return v.ToStatus();
  pb::ListReviewBacklogResponse out;
  const absl::Time now = commands_.clock().Now();
  absl::Status s = Page(
      p, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|backlog|", r.reviewer(), "|", r.site()),
      [&](kpo::storage::Transaction& tx) -> absl::StatusOr<store::IdeaFilter> {
        auto settings = LoadDailySettings(tx, p.organization_id);
        if (!settings.ok()) return settings.status();
        out.set_review_limit_days(settings->review_limit_days());
        store::IdeaFilter filter;
        filter.state = pb::IDEA_STATE_SUBMITTED;
        filter.reviewer = r.reviewer();
        filter.site = r.site();
        filter.submitted_before_us =
            absl::ToUnixMicros(now - absl::Hours(24) * settings->review_limit_days());
        return filter;
      },
      *out.mutable_ideas(), *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::Status Ideas::Page(
    const Principal& p, int32_t page_size, const std::string& page_token, std::string scope,
    const std::function<absl::StatusOr<store::IdeaFilter>(kpo::storage::Transaction&)>& filter,
    google::protobuf::RepeatedPtrField<pb::Idea>& ideas, std::string& next_page_token) const {
  auto page = kpo::core::OpenPage(tokens_, pages_, page_size, page_token, std::move(scope));
  if (!page.ok()) return page.status();
  kpo::storage::KeysetPage keyset;
  keyset.limit = page->limit;
  if (page->after.has_value()) keyset.after = {{page->after->key, page->after->name}};
  return commands_.db().Read([&](kpo::storage::Transaction& tx) -> absl::Status {
    auto f = filter(tx);
    if (!f.ok()) return f.status();
    auto rows = store::ListIdeas(tx, p.organization_id, *f, keyset);
    if (!rows.ok()) return rows.status();
    const size_t limit = static_cast<size_t>(page->limit);
    for (size_t i = 0; i < rows->size() && i < limit; ++i) {
      if (!ideas.Add()->ParseFromString((*rows)[i].data)) {
        return absl::InternalError("corrupt idea " + (*rows)[i].name);
      }
    }
    if (rows->size() > limit) {
      const store::PageRow& last = (*rows)[limit - 1];
      next_page_token = kpo::core::NextPageToken(tokens_, *page, {last.key, last.name});
    }
    return absl::OkStatus();
  });
}

// ---- Changes

absl::StatusOr<pb::Idea> Ideas::Mutate(const Principal& p, const char* method,
                                       const Message& request, const std::string& name,
                                       const std::string& etag, const std::string& request_id,
                                       const ChangeFn& fn) const {
  if (auto ids = kpo::auth::CheckName(p, "name", name, kIdeaName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(request_id, v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::Idea>(
      {p.organization_id, method, request_id, &request},
      [&](Context& c) -> absl::StatusOr<pb::Idea> {
        auto row = store::LoadIdea(c.tx(), c.organization_id(), name);
        if (!row.ok()) return row.status();
        if (!row->has_value()) return kpo::core::NotFound(name);
        store::IdeaRow& loaded = **row;
        if (!etag.empty() && etag != loaded.idea.etag()) return kpo::core::EtagMismatch(name);
        auto change = fn(c, loaded.idea);
        if (!change.ok()) return change.status();
        if (!change->changed) return loaded.idea;
        const int64_t revision = loaded.revision + 1;
        *loaded.idea.mutable_update_time() = Ts(c.now());
        loaded.idea.set_etag(std::to_string(revision));
        if (absl::Status s =
                store::UpdateIdea(c.tx(), c.organization_id(), loaded.idea, revision, c.now());
            !s.ok()) {
          return s;
        }
        if (absl::Status s = c.Publish(name, *change->event(loaded.idea, revision)); !s.ok()) {
          return s;
        }
        return loaded.idea;
      });
}

absl::StatusOr<pb::Idea> Ideas::UpdateIdea(const Principal& p,
                                           const pb::UpdateIdeaRequest& r) const {
  const pb::Idea& patch = r.idea();
  return Mutate(
      p, "UpdateIdea", r, patch.name(), patch.etag(), r.request_id(),
      [&](Context& c, pb::Idea& idea) -> absl::StatusOr<Change> {
        if (idea.impact().validated() && TouchesImpact(r.update_mask())) {
          return kpo::core::FailedPrecondition(
              "IMPACT_ALREADY_VALIDATED", absl::StrCat("finance validated the impact of ",
                                                       idea.name(), "; it can no longer change"));
        }
        const std::set<std::string> editable = EditablePaths(idea);
        if (editable.empty()) {
          return kpo::core::FailedPrecondition(
              "IDEA_NOT_EDITABLE",
              absl::StrCat(idea.name(), " is ", domain::StateName(idea.state()),
                           " and can no longer be changed"),
              {{"current_state", domain::StateName(idea.state())}});
        }
        const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), editable);
        FieldViolations v;
        kpo::core::CheckUpdateMask(
            mask, pb::Idea::descriptor(), editable,
            absl::StrCat("cannot be changed while the idea is ", domain::StateName(idea.state())),
            v);
        if (!v.empty()) return v.ToStatus();
        pb::Idea merged = idea;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        opts.set_replace_repeated_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        if (merged.has_impact()) {
          // Finance's validation is never written through UpdateIdea (and an impact that
          // may change is not validated).
          pb::Impact* impact = merged.mutable_impact();
          impact->clear_validated();
          impact->clear_validated_by();
          impact->clear_validate_time();
          impact->clear_validation_note();
          if (google::protobuf::util::MessageDifferencer::Equals(*impact, pb::Impact())) {
            merged.clear_impact();
          }
        }
        domain::ValidateIdea(merged, v);
        domain::ValidateImpact(merged.impact(), merged.state(), v);
        const std::string& org = c.organization_id();
        if (merged.area() != idea.area()) {
          if (auto s =
                  kpo::replica::RequireActive(c.tx(), org, merged.area(), "area", "idea.area", v);
              !s.ok()) {
            return s.status();
          }
        }
        if (merged.strategic_objective() != idea.strategic_objective()) {
          if (absl::Status s = kpo::replica::RequireStrategicObjective(
                  c.tx(), org, merged.strategic_objective(), "idea.strategic_objective", v);
              !s.ok()) {
            return s;
          }
        }
        if (merged.circle() != idea.circle()) {
          if (absl::Status s = CheckIdeaCircle(c.tx(), org, merged, v); !s.ok()) return s;
        }
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, idea)) return Change{};
        idea = merged;
        return Change{true, [mask](const pb::Idea& i, int64_t revision) {
                        auto e = std::make_unique<pb::IdeaUpdated>();
                        *e->mutable_idea() = i;
                        e->set_revision(revision);
                        *e->mutable_update_mask() = mask;
                        return std::unique_ptr<Message>(std::move(e));
                      }};
      });
}

absl::StatusOr<pb::Idea> Ideas::ReassignIdeaReviewer(
    const Principal& p, const pb::ReassignIdeaReviewerRequest& r) const {
  // Another organization's idea is refused before its fields are looked at.
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kIdeaName); !ids.ok()) {
    return ids.status();
  }
  {
    FieldViolations v;
    if (!kpo::core::ParseName(r.reviewer(), {"organizations", "people"})) {
      v.Add("reviewer", "must be a person name (organizations/{org}/people/{person})");
    }
    kpo::idempotency::CheckRequestId(r.request_id(), v);
    if (!v.empty()) return v.ToStatus();
  }
  std::string previous;
  return Mutate(p, "ReassignIdeaReviewer", r, r.name(), r.etag(), r.request_id(),
                [&](Context& c, pb::Idea& idea) -> absl::StatusOr<Change> {
                  if (idea.state() != pb::IDEA_STATE_SUBMITTED) {
                    return kpo::core::FailedPrecondition(
                        "IDEA_ALREADY_REVIEWED",
                        absl::StrCat("only an idea waiting for review gets another reviewer; ",
                                     idea.name(), " is ", domain::StateName(idea.state())),
                        {{"current_state", domain::StateName(idea.state())}});
                  }
                  FieldViolations v;
                  if (auto s = kpo::replica::RequireActive(c.tx(), c.organization_id(),
                                                           r.reviewer(), "person", "reviewer", v);
                      !s.ok()) {
                    return s.status();
                  }
                  if (!v.empty()) return v.ToStatus();
                  if (idea.reviewer() == r.reviewer()) return Change{};
                  previous = idea.reviewer();
                  idea.set_reviewer(r.reviewer());
                  return Change{true, [&previous](const pb::Idea& i, int64_t revision) {
                                  auto e = std::make_unique<pb::IdeaReviewerReassigned>();
                                  *e->mutable_idea() = i;
                                  e->set_revision(revision);
                                  e->set_previous_reviewer(previous);
                                  return std::unique_ptr<Message>(std::move(e));
                                }};
                });
}

// ---- The lifecycle

absl::StatusOr<pb::Idea> Ideas::Transition(
    const Principal& p, const char* method, const Message& request, const std::string& name,
    const std::string& etag, const std::string& request_id, pb::IdeaState to,
    const std::function<absl::Status(Context&, pb::Idea&)>& gate) const {
  return Mutate(p, method, request, name, etag, request_id,
                [&](Context& c, pb::Idea& idea) -> absl::StatusOr<Change> {
                  if (absl::Status s = domain::CheckTransition(idea.state(), to); !s.ok()) {
                    return s;
                  }
                  if (gate) {
                    if (absl::Status s = gate(c, idea); !s.ok()) return s;
                  }
                  idea.set_state(to);
                  Change change{true, nullptr};
                  switch (to) {
                    case pb::IDEA_STATE_ACCEPTED:
                      change.event = Event<pb::IdeaAccepted>;
                      break;
                    case pb::IDEA_STATE_REJECTED:
                      change.event = Event<pb::IdeaRejected>;
                      break;
                    case pb::IDEA_STATE_IN_PROGRESS:
                      change.event = Event<pb::IdeaStarted>;
                      break;
                    case pb::IDEA_STATE_IMPLEMENTED:
                      change.event = Event<pb::IdeaImplemented>;
                      break;
                    case pb::IDEA_STATE_STANDARDIZED:
                      change.event = Event<pb::IdeaStandardized>;
                      break;
                    default:
                      change.event = Event<pb::IdeaWithdrawn>;
                      break;
                  }
                  return change;
                });
}

namespace {

// Accepting or rejecting is the reviewer's (or the KPO's and an admin's).
absl::Status CheckReviewer(const kpo::auth::Principal& p, const pb::Idea& idea) {
  if (p.person_name() == idea.reviewer() || p.HasRole(kpo::auth::kOrgAdmin) ||
      p.HasRole(kpo::auth::kKpoSpecialist)) {
    return absl::OkStatus();
  }
  return kpo::core::Error(absl::StatusCode::kPermissionDenied, "NOT_THE_REVIEWER",
                          absl::StrCat(idea.reviewer(), " reviews ", idea.name(),
                                       "; reassign the reviewer to review it yourself"),
                          {{"reviewer", idea.reviewer()}});
}

}  // namespace

absl::StatusOr<pb::Idea> Ideas::AcceptIdea(const Principal& p,
                                           const pb::AcceptIdeaRequest& r) const {
  return Transition(p, "AcceptIdea", r, r.name(), r.etag(), r.request_id(), pb::IDEA_STATE_ACCEPTED,
                    [&](Context& c, pb::Idea& idea) -> absl::Status {
                      if (absl::Status s = CheckReviewer(p, idea); !s.ok()) return s;
                      idea.set_reviewed_by(p.person_name());
                      *idea.mutable_review_time() = Ts(c.now());
                      return absl::OkStatus();
                    });
}

absl::StatusOr<pb::Idea> Ideas::RejectIdea(const Principal& p,
                                           const pb::RejectIdeaRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kIdeaName); !ids.ok()) {
    return ids.status();
  }
  {
    FieldViolations v;
    if (r.reason().empty()) {
      v.Add("reason", "is required: it is the submitters' feedback");
    } else if (r.reason().size() > domain::kMaxText) {
      v.Add("reason", "at most 2000 characters");
    }
    kpo::idempotency::CheckRequestId(r.request_id(), v);
    if (!v.empty()) return v.ToStatus();
  }
  return Transition(p, "RejectIdea", r, r.name(), r.etag(), r.request_id(), pb::IDEA_STATE_REJECTED,
                    [&](Context& c, pb::Idea& idea) -> absl::Status {
                      if (absl::Status s = CheckReviewer(p, idea); !s.ok()) return s;
                      idea.set_reviewed_by(p.person_name());
                      *idea.mutable_review_time() = Ts(c.now());
                      idea.set_rejection_reason(r.reason());
                      return absl::OkStatus();
                    });
}

absl::StatusOr<pb::Idea> Ideas::StartIdea(const Principal& p, const pb::StartIdeaRequest& r) const {
  return Transition(p, "StartIdea", r, r.name(), r.etag(), r.request_id(),
                    pb::IDEA_STATE_IN_PROGRESS, nullptr);
}

absl::StatusOr<pb::Idea> Ideas::ImplementIdea(const Principal& p,
                                              const pb::ImplementIdeaRequest& r) const {
  return Transition(
      p, "ImplementIdea", r, r.name(), r.etag(), r.request_id(), pb::IDEA_STATE_IMPLEMENTED,
      [&](Context& c, pb::Idea& idea) -> absl::Status {
        idea.set_implemented_by(p.person_name());
        *idea.mutable_implement_time() = Ts(c.now());
        *idea.mutable_time_to_implement() = TimeUtil::MicrosecondsToDuration(
            absl::ToUnixMicros(c.now()) - TimeUtil::TimestampToMicroseconds(idea.create_time()));
        return absl::OkStatus();
      });
}

absl::StatusOr<pb::Idea> Ideas::StandardizeIdea(const Principal& p,
                                                const pb::StandardizeIdeaRequest& r) const {
  return Transition(p, "StandardizeIdea", r, r.name(), r.etag(), r.request_id(),
                    pb::IDEA_STATE_STANDARDIZED, [&](Context& c, pb::Idea& idea) -> absl::Status {
                      *idea.mutable_standardize_time() = Ts(c.now());
                      return absl::OkStatus();
                    });
}

absl::StatusOr<pb::Idea> Ideas::WithdrawIdea(const Principal& p,
                                             const pb::WithdrawIdeaRequest& r) const {
  return Transition(p, "WithdrawIdea", r, r.name(), r.etag(), r.request_id(),
                    pb::IDEA_STATE_WITHDRAWN, [&](Context& c, pb::Idea& idea) -> absl::Status {
                      if (!IsSubmitter(idea, p.person_name()) && !p.HasRole(kpo::auth::kOrgAdmin)) {
                        return kpo::core::Error(
                            absl::StatusCode::kPermissionDenied, "NOT_A_SUBMITTER",
                            absl::StrCat("only a submitter of ", idea.name(), " may withdraw it"));
                      }
                      *idea.mutable_withdraw_time() = Ts(c.now());
                      return absl::OkStatus();
                    });
}

absl::StatusOr<pb::Idea> Ideas::ValidateIdeaImpact(const Principal& p,
                                                   const pb::ValidateIdeaImpactRequest& r) const {
  if (r.note().size() > domain::kMaxText) {
    return kpo::core::InvalidField("note", "at most 2000 characters");
  }
  return Mutate(p, "ValidateIdeaImpact", r, r.name(), r.etag(), r.request_id(),
                [&](Context& c, pb::Idea& idea) -> absl::StatusOr<Change> {
                  const std::string state = domain::StateName(idea.state());
                  if (idea.state() != pb::IDEA_STATE_IMPLEMENTED &&
                      idea.state() != pb::IDEA_STATE_STANDARDIZED) {
                    return kpo::core::FailedPrecondition(
                        "IDEA_NOT_IMPLEMENTED",
                        absl::StrCat("impact is validated once the idea is implemented; ",
                                     idea.name(), " is ", state),
                        {{"current_state", state}});
                  }
                  if (idea.impact().validated()) {
                    return kpo::core::FailedPrecondition("IMPACT_ALREADY_VALIDATED",
                                                         "finance already validated this impact");
                  }
                  if (!idea.impact().has_actual()) {
                    return kpo::core::FailedPrecondition(
                        "NO_ACTUAL_IMPACT", "record the actual impact before validating it");
                  }
                  pb::Impact* impact = idea.mutable_impact();
                  impact->set_validated(true);
                  impact->set_validated_by(p.person_name());
                  *impact->mutable_validate_time() = Ts(c.now());
                  impact->set_validation_note(r.note());
                  return Change{true, Event<pb::IdeaImpactValidated>};
                });
}

}  // namespace kpo::daily
