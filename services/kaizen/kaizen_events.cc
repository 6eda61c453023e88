#include "kaizen_events.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "domain/lifecycle.h"
#include "domain/rules.h"
#include "domain/sustainment.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "kaizen_internal.h"
#include "kpo/core/date.h"
#include "kpo/core/enums.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/update_mask.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "kpo/people/v1/resources.pb.h"
#include "kpo/replica/directory_replica.h"
#include "store.h"

namespace kpo::kaizen {

namespace dir = kpo::people::v1;
using google::protobuf::FieldMask;
using google::protobuf::Message;
using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::MessageDifferencer;
using internal::Change;
using internal::Context;
using internal::Emit;
using internal::EmitUpdated;
using internal::Mask;
using internal::Publish;
using kpo::common::v1::Date;
using kpo::core::FieldViolations;
namespace pb = kpo::kaizen::v1;

std::shared_ptr<const internal::Core> NewCore(const kpo::command::Runner& commands,
                                              const kpo::core::PageTokenCodec& tokens,
                                              kpo::core::PageOptions pages) {
  return std::make_shared<const internal::Core>(commands, tokens, pages);
}

// ---- Create

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CreateKaizenEvent(
    const Principal& p, const pb::CreateKaizenEventRequest& r) {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.kaizen_event_id().empty() && !kpo::core::IsValidResourceId(r.kaizen_event_id())) {
    v.Add("kaizen_event_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::KaizenEvent event = r.kaizen_event();
  // Output-only fields are the service's.
  for (const char* f : {"state", "facilitator_kind", "checklist", "reopened_by", "completion_date",
                        "cancel_reason", "warnings", "create_time", "update_time", "etag"}) {
    event.GetReflection()->ClearField(&event, event.GetDescriptor()->FindFieldByName(f));
  }
  event.mutable_money()->clear_validation();
  event.mutable_money()->clear_realized_savings();
  for (auto& m : *event.mutable_metrics()) m.clear_result();
  domain::ValidateEvent(event, v);
  if (!event.reopens().empty() && !kpo::core::ParseName(event.reopens(), internal::kEventName)) {
    v.Add("kaizen_event.reopens", "must be a kaizen event name");
  }
  if (v.Has("request_id")) return v.ToStatus();
  const std::string name =
      absl::StrCat(r.parent(), "/kaizenEvents/",
                   r.kaizen_event_id().empty() ? kpo::core::NewUuid() : r.kaizen_event_id());
  event.set_name(name);
  event.set_state(pb::PROPOSED);
  for (const auto& w : domain::CharterWarnings(event.charter())) event.add_warnings(w);
  const internal::Core& core = *core_;
  return core.commands().Run<pb::KaizenEvent>(
      {p.organization_id, "CreateKaizenEvent", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::KaizenEvent> {
        const std::string& org = c.organization_id();
        if (absl::Status ds = core.CheckDirectory(c.tx(), org, event, v); !ds.ok()) return ds;
        // A redo of a backslid event links to it.
        std::optional<store::EventRow> reopened;
        if (!event.reopens().empty() && !v.Has("kaizen_event.reopens")) {
          auto row = store::LoadEvent(c.tx(), org, event.reopens());
          if (!row.ok()) return row.status();
          if (!row->has_value()) {
            v.Add("kaizen_event.reopens", absl::StrCat(event.reopens(), " does not exist"));
          } else {
            bool backslid = (*row)->event.state() == pb::BACKSLID;
            if ((*row)->event.state() == pb::CLOSED) {  // closed after backsliding?
              auto failed = store::AuditsOf(c.tx(), org, event.reopens(), pb::FAILED);
              if (!failed.ok()) return failed.status();
              backslid = !failed->empty();
            }
            if (backslid) {
              reopened = **row;
            } else {
              v.Add("kaizen_event.reopens",
                    absl::StrCat(event.reopens(), " is ", domain::StateName((*row)->event.state()),
                                 "; only an event that backslid is reopened by a new one"));
            }
          }
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadEvent(c.tx(), org, name);
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(name);
        auto settings = core.LoadSettings(c.tx(), org);
        if (!settings.ok()) return settings.status();
        pb::KaizenEvent created = event;
        for (const auto& t : settings->checklist_template()) {
          auto* item = created.add_checklist();
          item->set_id(t.id());
          item->set_phase(t.phase());
          item->set_text(t.text());
          item->set_required(t.required());
        }
        if (absl::Status s = core.SaveEvent(c, created, 1, true); !s.ok()) return s;
        if (absl::Status s = c.Publish(name, *Emit<pb::KaizenEventProposed>()(created, 1));
            !s.ok()) {
          return s;
        }
        if (reopened.has_value()) {
          reopened->event.add_reopened_by(name);
          if (absl::Status s = core.Commit(c, *reopened, {EmitUpdated(Mask("reopened_by"))});
              !s.ok()) {
            return s;
          }
        }
        return created;
      });
}

// ---- Reads

absl::StatusOr<pb::KaizenEvent> KaizenEvents::GetKaizenEvent(const Principal& p,
                                                             const pb::GetKaizenEventRequest& r) {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), internal::kEventName); !ids.ok()) {
    return ids.status();
  }
  std::optional<store::EventRow> row;
  absl::Status s = core_->db().Read([&](kpo::storage::Transaction& tx) -> absl::Status {
    auto loaded = store::LoadEvent(tx, p.organization_id, r.name());
    if (!loaded.ok()) return loaded.status();
    row = *std::move(loaded);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!row.has_value()) return kpo::core::NotFound(r.name());
  return row->event;
}

absl::StatusOr<pb::ListKaizenEventsResponse> KaizenEvents::ListKaizenEvents(
    const Principal& p, const pb::ListKaizenEventsRequest& r) {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.site().empty() && !kpo::core::ParseName(r.site(), {"organizations", "sites"})) {
    v.Add("site", "must be a site name");
  }
  if (!r.area().empty() && !kpo::core::ParseName(r.area(), {"organizations", "sites", "areas"})) {
    v.Add("area", "must be an area name");
  }
  kpo::core::CheckEnum(pb::EventState_descriptor(), r.state(), "state", false, v);
  kpo::core::CheckEnum(pb::EventType_descriptor(), r.event_type(), "event_type", false, v);
  kpo::core::CheckEnum(pb::FacilitatorKind_descriptor(), r.facilitator_kind(), "facilitator_kind",
                       false, v);
  for (auto [field, date] : {std::pair{"start_date_from", &r.start_date_from()},
                             std::pair{"start_date_to", &r.start_date_to()}}) {
    if (date->year() != 0 && !kpo::core::IsValidDate(*date)) v.Add(field, "is not a valid date");
  }
  if (!v.empty()) return v.ToStatus();
  store::EventFilter filter;
  filter.site = r.site();
  filter.area = r.area();
  filter.state = r.state();
  filter.event_type = r.event_type();
  filter.facilitator_kind = r.facilitator_kind();
  filter.strategic_objective = r.strategic_objective();
  if (r.start_date_from().year() != 0) {
    filter.planned_start_from = kpo::core::DateKey(r.start_date_from());
  }
  if (r.start_date_to().year() != 0)
    filter.planned_start_to = kpo::core::DateKey(r.start_date_to());
  const std::string scope =
      absl::StrCat(p.organization_id, "|events|", r.site(), "|", r.area(), "|", r.state(), "|",
                   r.event_type(), "|", r.facilitator_kind(), "|", r.strategic_objective(), "|",
                   filter.planned_start_from, "|", filter.planned_start_to);
  auto page = core_->List<pb::KaizenEvent>(
      r.page_size(), r.page_token(), scope,
      [&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& keyset) {
        return store::ListEvents(tx, p.organization_id, filter, keyset);
      });
  if (!page.ok()) return page.status();
  pb::ListKaizenEventsResponse out;
  for (auto& e : page->first) *out.add_kaizen_events() = std::move(e);
  out.set_next_page_token(page->second);
  return out;
}

// ---- Changes and the lifecycle

absl::StatusOr<pb::KaizenEvent> KaizenEvents::UpdateKaizenEvent(
    const Principal& p, const pb::UpdateKaizenEventRequest& r) {
  const pb::KaizenEvent& patch = r.kaizen_event();
  const internal::Core& core = *core_;
  return core.Mutate(
      p, "UpdateKaizenEvent", r, patch.name(), patch.etag(), r.request_id(),
      [&](Context& c, pb::KaizenEvent& event) -> absl::StatusOr<Change> {
        const std::string& org = c.organization_id();
        const std::set<std::string> allowed = domain::UpdatablePaths(event.state());
        if (allowed.empty()) {
          return kpo::core::FailedPrecondition(
              "EVENT_NOT_EDITABLE",
              absl::StrCat(event.name(), " is ", domain::StateName(event.state()),
                           " and can no longer be changed"),
              {{"current_state", domain::StateName(event.state())}});
        }
        const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), allowed);
        FieldViolations v;
        kpo::core::CheckUpdateMask(
            mask, pb::KaizenEvent::descriptor(), allowed,
            absl::StrCat("cannot be changed while the event is ", domain::StateName(event.state())),
            v);
        if (!v.empty()) return v.ToStatus();
        const bool touches_realized =
            std::any_of(mask.paths().begin(), mask.paths().end(),
                        [](const std::string& path) { return path == "money.realized_savings"; });
        if (touches_realized && event.money().validation().validated()) {
          return kpo::core::FailedPrecondition(
              "SAVINGS_ALREADY_VALIDATED",
              "finance validated the realized savings; they can no longer be changed");
        }
        pb::KaizenEvent merged = event;
        FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        opts.set_replace_repeated_fields(true);
        FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        // Results belong to the event days; definitions are fixed once it started.
        for (int i = 0; i < merged.metrics_size(); ++i) {
          const pb::Metric& m = merged.metrics(i);
          const bool result_changed = i >= event.metrics_size() ||
                                      m.has_result() != event.metrics(i).has_result() ||
                                      (m.has_result() && m.result() != event.metrics(i).result());
          if (result_changed && m.has_result() && event.state() != pb::IN_PROGRESS) {
            v.Add(absl::StrCat("kaizen_event.metrics[", i, "].result"),
                  "results are recorded while the event is in progress");
          }
          if (event.state() == pb::IN_PROGRESS) {
            pb::Metric defined = m, before;
            defined.clear_result();
            if (i < event.metrics_size()) before = event.metrics(i);
            before.clear_result();
            if (i >= event.metrics_size() || !MessageDifferencer::Equals(defined, before)) {
              v.Add(absl::StrCat("kaizen_event.metrics[", i, "]"),
                    "once the event has started only results may change, not the metrics");
            }
          }
        }
        if (event.state() == pb::IN_PROGRESS && merged.metrics_size() != event.metrics_size()) {
          v.Add("kaizen_event.metrics", "metrics cannot be added or removed once started");
        }
        domain::ValidateEvent(merged, v);
        if (absl::Status ds = core.CheckDirectory(c.tx(), org, merged, v); !ds.ok()) return ds;
        if (event.state() == pb::CHARTERED) {
          auto objectives = kpo::replica::StrategicObjectiveIds(c.tx(), org);
          if (!objectives.ok()) return objectives.status();
          domain::CheckCharterComplete(merged, *objectives, v);  // stays complete
        }
        if (!v.empty()) return v.ToStatus();
        merged.clear_warnings();
        for (const auto& w : domain::CharterWarnings(merged.charter())) merged.add_warnings(w);
        if (MessageDifferencer::Equals(merged, event)) return Change{};
        event = merged;
        return Change{true, {EmitUpdated(mask)}};
      });
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CharterKaizenEvent(const Principal& p,
                                                                 const pb::TransitionRequest& r) {
  const internal::Core& core = *core_;
  return core.Transition(
      p, "CharterKaizenEvent", r, r.name(), r.etag(), r.request_id(), pb::CHARTERED,
      Emit<pb::KaizenEventChartered>(),
      [&core](Context& c, pb::KaizenEvent& event) -> absl::Status {
        const std::string& org = c.organization_id();
        auto objectives = kpo::replica::StrategicObjectiveIds(c.tx(), org);
        if (!objectives.ok()) return objectives.status();
        FieldViolations v;
        domain::CheckCharterComplete(event, *objectives, v);
        if (absl::Status ds = core.CheckDirectory(c.tx(), org, event, v); !ds.ok()) return ds;
        if (!v.empty()) {
          return kpo::core::FailedPrecondition(
              "CHARTER_INCOMPLETE",
              absl::StrCat("cannot move the kaizen event from PROPOSED to CHARTERED: ",
                           v.Summary()),
              {{"current_state", "PROPOSED"}, {"requested_state", "CHARTERED"}});
        }
        // Who facilitates: the KPO or the line, from the facilitator's directory roles.
        FieldViolations ignored;
        auto facilitator = kpo::replica::RequireActive<dir::Person>(
            c.tx(), org, event.charter().facilitator(), "person", "facilitator", ignored);
        if (!facilitator.ok()) return facilitator.status();
        std::vector<int> roles;
        if (facilitator->has_value())
          roles.assign((*facilitator)->roles().begin(), (*facilitator)->roles().end());
        event.set_facilitator_kind(domain::FacilitatorKindFromRoles(roles));
        event.clear_warnings();
        for (const auto& w : domain::CharterWarnings(event.charter())) event.add_warnings(w);
        return absl::OkStatus();
      });
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::StartKaizenEvent(const Principal& p,
                                                               const pb::TransitionRequest& r) {
  return core_->Transition(p, "StartKaizenEvent", r, r.name(), r.etag(), r.request_id(),
                           pb::IN_PROGRESS, Emit<pb::KaizenEventStarted>(), nullptr);
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CompleteKaizenEvent(
    const Principal& p, const pb::CompleteKaizenEventRequest& r) {
  const internal::Core& core = *core_;
  if (r.has_completion_date() && !kpo::core::IsValidDate(r.completion_date())) {
    return kpo::core::InvalidField("completion_date", "is not a valid date");
  }
  auto audits = std::make_shared<std::vector<pb::Audit>>();
  Publish completed = [audits](const pb::KaizenEvent& e, int64_t revision) {
    auto c = std::make_unique<pb::KaizenEventCompleted>();
    *c->mutable_kaizen_event() = e;
    c->set_revision(revision);
    std::set<std::string> seen;
    for (const std::string* person : {&e.charter().team_leader()}) {
      if (!person->empty() && seen.insert(*person).second) c->add_participants(*person);
    }
    for (const auto& m : e.charter().team_members()) {
      if (seen.insert(m).second) c->add_participants(m);
    }
    c->set_facilitator(e.charter().facilitator());
    c->set_facilitator_kind(e.facilitator_kind());
    for (const auto& a : *audits) *c->add_audits() = a;
    return std::unique_ptr<Message>(std::move(c));
  };
  return core.Transition(
      p, "CompleteKaizenEvent", r, r.name(), r.etag(), r.request_id(), pb::COMPLETED, completed,
      [&core, &r, audits](Context& c, pb::KaizenEvent& event) -> absl::Status {
        const std::string& org = c.organization_id();
        FieldViolations v;
        domain::CheckResultsRecorded(event, v);
        if (!v.empty()) {
          return kpo::core::FailedPrecondition(
              "RESULTS_MISSING",
              absl::StrCat("cannot move the kaizen event from IN_PROGRESS to COMPLETED: ",
                           v.Summary()),
              {{"current_state", "IN_PROGRESS"}, {"requested_state", "COMPLETED"}});
        }
        Date completion = r.completion_date();
        if (!r.has_completion_date()) {
          auto today = core.Today(c.tx(), org, event.site());
          if (!today.ok()) return today.status();
          completion = *today;
        }
        *event.mutable_completion_date() = completion;
        auto settings = core.LoadSettings(c.tx(), org);
        if (!settings.ok()) return settings.status();
        std::vector<int32_t> offsets(settings->audit_offset_days().begin(),
                                     settings->audit_offset_days().end());
        const auto due = domain::AuditDueDates(completion, offsets);
        for (size_t i = 0; i < due.size(); ++i) {
          pb::Audit audit;
          audit.set_name(absl::StrCat(event.name(), "/audits/day-", offsets[i]));
          audit.set_offset_days(offsets[i]);
          *audit.mutable_due_date() = due[i];
          audit.set_state(pb::SCHEDULED);
          audit.set_site(event.site());
          audit.set_etag("1");
          if (absl::Status ins = store::InsertAudit(c.tx(), org, event.name(), audit); !ins.ok()) {
            return ins;
          }
          audits->push_back(std::move(audit));
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::StartFollowUp(const Principal& p,
                                                            const pb::TransitionRequest& r) {
  return core_->Transition(p, "StartFollowUp", r, r.name(), r.etag(), r.request_id(), pb::FOLLOW_UP,
                           Emit<pb::KaizenEventFollowUpStarted>(), nullptr);
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CloseKaizenEvent(const Principal& p,
                                                               const pb::TransitionRequest& r) {
  return core_->Transition(p, "CloseKaizenEvent", r, r.name(), r.etag(), r.request_id(), pb::CLOSED,
                           Emit<pb::KaizenEventClosed>(), nullptr);
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CancelKaizenEvent(
    const Principal& p, const pb::CancelKaizenEventRequest& r) {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), internal::kEventName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (r.reason().empty()) {
    v.Add("reason", "say why the event is cancelled");
  } else if (r.reason().size() > domain::kMaxText) {
    v.Add("reason", "must be at most 2000 characters");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return core_->Transition(p, "CancelKaizenEvent", r, r.name(), r.etag(), r.request_id(),
                           pb::CANCELLED, Emit<pb::KaizenEventCancelled>(),
                           [&r](Context&, pb::KaizenEvent& event) {
                             event.set_cancel_reason(r.reason());
                             return absl::OkStatus();
                           });
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::CompleteChecklistItem(
    const Principal& p, const pb::CompleteChecklistItemRequest& r) {
  const std::string person = p.person_name();
  return core_->Mutate(
      p, "CompleteChecklistItem", r, r.name(), r.etag(), r.request_id(),
      [&](Context& c, pb::KaizenEvent& event) -> absl::StatusOr<Change> {
        auto it = std::find_if(event.mutable_checklist()->begin(), event.mutable_checklist()->end(),
                               [&](const pb::ChecklistItem& i) { return i.id() == r.item_id(); });
        if (it == event.mutable_checklist()->end()) {
          return kpo::core::InvalidField(
              "item_id", absl::StrCat("the event has no checklist item '", r.item_id(), "'"));
        }
        if (!domain::PhaseOpen(event.state(), it->phase())) {
          return kpo::core::FailedPrecondition(
              "PHASE_CLOSED",
              absl::StrCat("the event is ", domain::StateName(event.state()), ": its ",
                           pb::Phase_Name(it->phase()), " phase is over"),
              {{"current_state", domain::StateName(event.state())},
               {"phase", pb::Phase_Name(it->phase())}});
        }
        if (it->done() == r.done()) return Change{};
        it->set_done(r.done());
        if (r.done()) {
          it->set_done_by(person);
          *it->mutable_done_time() = internal::Ts(c.now());
        } else {
          it->clear_done_by();
          it->clear_done_time();
        }
        return Change{true, {EmitUpdated(Mask("checklist"))}};
      });
}

absl::StatusOr<pb::KaizenEvent> KaizenEvents::ValidateSavings(const Principal& p,
                                                              const pb::ValidateSavingsRequest& r) {
  if (r.note().size() > domain::kMaxText) {
    return kpo::core::InvalidField("note", "at most 2000 characters");
  }
  const std::string person = p.person_name();
  return core_->Mutate(
      p, "ValidateSavings", r, r.name(), r.etag(), r.request_id(),
      [&](Context& c, pb::KaizenEvent& event) -> absl::StatusOr<Change> {
        const pb::EventState s = event.state();
        if (s == pb::PROPOSED || s == pb::CHARTERED || s == pb::IN_PROGRESS || s == pb::CANCELLED) {
          return kpo::core::FailedPrecondition(
              "EVENT_NOT_COMPLETED",
              absl::StrCat("savings are validated after completion; the event is ",
                           domain::StateName(s)),
              {{"current_state", domain::StateName(s)}});
        }
        if (event.money().realized_savings().empty()) {
          return kpo::core::FailedPrecondition("NO_REALIZED_SAVINGS",
                                               "record the realized savings before validating");
        }
        if (event.money().validation().validated()) {
          return kpo::core::FailedPrecondition("SAVINGS_ALREADY_VALIDATED",
                                               "finance already validated these savings");
        }
        auto* val = event.mutable_money()->mutable_validation();
        val->set_validated(true);
        val->set_validated_by(person);
        *val->mutable_validate_time() = internal::Ts(c.now());
        val->set_note(r.note());
        return Change{true, {Emit<pb::SavingsValidated>()}};
      });
}

}  // namespace kpo::kaizen
