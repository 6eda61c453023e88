#include "audits.h"

#include "absl/strings/str_cat.h"
#include "domain/lifecycle.h"
#include "domain/rules.h"
#include "domain/sustainment.h"
#include "kaizen_internal.h"
#include "kpo/core/date.h"
#include "kpo/core/enums.h"
#include "kpo/core/errors.h"
#include "kpo/kaizen/v1/events.pb.h"
#include "store.h"

namespace kpo::kaizen {

namespace pb = kpo::kaizen::v1;
using google::protobuf::Message;
using internal::Change;
using internal::Context;
using kpo::core::FieldViolations;

absl::StatusOr<pb::ListAuditsResponse> Audits::ListAudits(const Principal& p,
                                                          const pb::ListAuditsRequest& r) {
  store::AuditFilter filter;
  auto event = internal::EventsParent(p, r.parent());
  if (!event.ok()) return event.status();
  filter.event = *event;
  FieldViolations v;
  if (!r.site().empty() && !kpo::core::ParseName(r.site(), {"organizations", "sites"})) {
    v.Add("site", "must be a site name");
  }
  if (r.due_within_days() < 0 || r.due_within_days() > 3660) {
    v.Add("due_within_days", "must be 0 to 3660");
  }
  if (r.has_as_of() && !kpo::core::IsValidDate(r.as_of())) v.Add("as_of", "is not a valid date");
  kpo::core::CheckEnum(pb::AuditState_descriptor(), r.state(), "state", false, v);
  if (!v.empty()) return v.ToStatus();
  filter.site = r.site();
  filter.state = r.state();
  if (r.due_within_days() > 0) {
    const absl::CivilDay from = r.has_as_of() ? kpo::core::ToCivil(r.as_of())
                                              : absl::ToCivilDay(core_->Now(), absl::UTCTimeZone());
    filter.scheduled_due_until =
        kpo::core::DateKey(kpo::core::FromCivil(from + r.due_within_days()));
  }
  const std::string scope =
      absl::StrCat(p.organization_id, "|audits|", filter.event.empty() ? "-" : filter.event, "|",
                   r.site(), "|", r.state(), "|", filter.scheduled_due_until);
  auto page = core_->List<pb::Audit>(
      r.page_size(), r.page_token(), scope,
      [&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& keyset) {
        return store::ListAudits(tx, p.organization_id, filter, keyset);
      });
  if (!page.ok()) return page.status();
  pb::ListAuditsResponse out;
  for (auto& audit : page->first) *out.add_audits() = std::move(audit);
  out.set_next_page_token(page->second);
  return out;
}

absl::StatusOr<pb::Audit> Audits::RecordAudit(const Principal& p, const pb::RecordAuditRequest& r) {
  auto ids = kpo::auth::CheckName(p, "name", r.name(), internal::kAuditName);
  if (!ids.ok()) return ids.status();
  const std::string event_name = internal::EventOf(*ids);
  if (r.notes().size() > domain::kMaxText) {
    return kpo::core::InvalidField("notes", "at most 2000 characters");
  }
  const std::string person = p.person_name();
  const internal::Core& core = *core_;
  // The audit changes together with its event (state, events), in one command.
  return core.commands().Run<pb::Audit>(
      {p.organization_id, "RecordAudit", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Audit> {
        pb::Audit recorded;
        auto event = core.ChangeEvent(
            c, event_name, "", [&](Context&, pb::KaizenEvent& e) -> absl::StatusOr<Change> {
              const std::string& org = c.organization_id();
              auto row = store::LoadAudit(c.tx(), org, r.name());
              if (!row.ok()) return row.status();
              if (!row->has_value()) return kpo::core::NotFound(r.name());
              pb::Audit audit = (*row)->audit;
              if (!r.etag().empty() && r.etag() != audit.etag()) {
                return kpo::core::EtagMismatch(r.name());
              }
              if (audit.state() != pb::SCHEDULED) {
                return kpo::core::FailedPrecondition(
                    "AUDIT_NOT_OPEN",
                    absl::StrCat(r.name(), " is ", pb::AuditState_Name(audit.state()),
                                 "; only a scheduled audit can be recorded"),
                    {{"audit_state", pb::AuditState_Name(audit.state())}});
              }
              if (e.state() != pb::FOLLOW_UP) {
                return kpo::core::FailedPrecondition(
                    "EVENT_NOT_IN_FOLLOW_UP",
                    absl::StrCat("audits are recorded during follow-up; the event is ",
                                 domain::StateName(e.state()),
                                 e.state() == pb::COMPLETED ? " (start the follow-up first)" : ""),
                    {{"current_state", domain::StateName(e.state())}});
              }
              auto settings = core.LoadSettings(c.tx(), org);
              if (!settings.ok()) return settings.status();
              auto outcome = domain::EvaluateAudit(
                  e, std::vector<pb::Measurement>(r.measurements().begin(), r.measurements().end()),
                  settings->backslide_threshold());
              if (!outcome.ok()) return outcome.status();
              audit.clear_measurements();
              for (const auto& m : outcome->measurements) *audit.add_measurements() = m;
              audit.set_state(outcome->backslid() ? pb::FAILED : pb::PASSED);
              audit.set_recorded_by(person);
              *audit.mutable_record_time() = internal::Ts(c.now());
              audit.set_notes(r.notes());
              const int64_t audit_revision = (*row)->revision + 1;
              audit.set_etag(std::to_string(audit_revision));
              if (absl::Status s = store::UpdateAudit(c.tx(), org, audit, audit_revision);
                  !s.ok()) {
                return s;
              }
              // The remaining audits: skipped after a backslide; none left means sustained.
              auto others = store::AuditsOf(c.tx(), org, e.name(), pb::SCHEDULED, r.name());
              if (!others.ok()) return others.status();
              Change change{true, {}};
              const pb::Audit snapshot = audit;
              const std::vector<std::string> backslid = outcome->backslid_metric_ids;
              change.publish.push_back([snapshot](const pb::KaizenEvent& ev, int64_t revision) {
                auto a = std::make_unique<pb::AuditRecorded>();
                *a->mutable_kaizen_event() = ev;
                a->set_revision(revision);
                *a->mutable_audit() = snapshot;
                return std::unique_ptr<Message>(std::move(a));
              });
              if (outcome->backslid()) {
                for (const auto& other : *others) {
                  pb::Audit skipped = other.audit;
                  skipped.set_state(pb::SKIPPED);
                  skipped.set_etag(std::to_string(other.revision + 1));
                  if (absl::Status s = store::UpdateAudit(c.tx(), org, skipped, other.revision + 1);
                      !s.ok()) {
                    return s;
                  }
                }
                e.set_state(pb::BACKSLID);
                change.publish.push_back(
                    [snapshot, backslid](const pb::KaizenEvent& ev, int64_t revision) {
                      auto b = std::make_unique<pb::KaizenEventBackslid>();
                      *b->mutable_kaizen_event() = ev;
                      b->set_revision(revision);
                      *b->mutable_audit() = snapshot;
                      for (const auto& id : backslid) b->add_backslid_metrics(id);
                      return std::unique_ptr<Message>(std::move(b));
                    });
              } else if (others->empty()) {
                e.set_state(pb::SUSTAINED);
                change.publish.push_back(internal::Emit<pb::KaizenEventSustained>());
              }
              recorded = audit;
              return change;
            });
        if (!event.ok()) return event.status();
        return recorded;
      });
}

}  // namespace kpo::kaizen
