#include "portfolio.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "directory_reads.h"
#include "domain/portfolio.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/command/reads.h"
#include "kpo/core/date.h"
#include "kpo/core/enums.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/events.pb.h"
#include "portfolio_store.h"

namespace kpo::people {

namespace pb = kpo::people::v1;
using google::protobuf::util::TimeUtil;
using kpo::command::Context;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

namespace {

constexpr kpo::core::Collections kPersonName = {"organizations", "people"};
constexpr kpo::core::Collections kEvidenceName = {"organizations", "people", "evidence"};

// The person's site, area and roles, carried by EvidenceCredited.
absl::StatusOr<pb::EvidenceCredited> Credited(Transaction& tx, const std::string& org,
                                              const pb::Evidence& e, int64_t revision) {
  pb::EvidenceCredited event;
  *event.mutable_evidence() = e;
  event.set_revision(revision);
  auto person = LoadDirectory<pb::Person>(tx, org, "person", e.person());
  if (!person.ok()) return person.status();
  if (person->has_value()) {
    event.set_person_site((*person)->home_site());
    event.set_person_area((*person)->area());
    *event.mutable_person_roles() = (*person)->roles();
  }
  return event;
}

// Credits every item of `credits` not credited yet, each dated by its own date or,
// when it has none, by the day `when` falls on at its site.
absl::Status CreditAll(Transaction& tx, const kpo::events::Outbox& outbox,
                       const kpo::common::v1::EventEnvelope& envelope,
                       const std::vector<domain::Credit>& credits, absl::Time when) {
  const std::string org(absl::StripPrefix(envelope.organization(), "organizations/"));
  const absl::Time received = absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(
      envelope.has_time() ? envelope.time() : google::protobuf::Timestamp()));
  for (const domain::Credit& credit : credits) {
    if (!kpo::core::ParseName(credit.person, kPersonName) ||
        !absl::StartsWith(credit.person, envelope.organization() + "/")) {
      continue;  // not a person of this organization: nothing to credit
    }
    const std::string name = absl::StrCat(credit.person, "/evidence/",
                                          domain::CreditedEvidenceId(credit.kind, credit.source));
    auto existing = store::LoadEvidence(tx, org, name);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) continue;  // credited once, however often delivered
    pb::Evidence e;
    e.set_name(name);
    e.set_person(credit.person);
    e.set_kind(credit.kind);
    e.set_title(credit.title.substr(0, 200));
    if (credit.date.year() != 0) {
      *e.mutable_date() = credit.date;
    } else {
      auto day = TodayAt(tx, org, credit.site, when == absl::InfinitePast() ? received : when);
      if (!day.ok()) return day.status();
      *e.mutable_date() = kpo::core::FromCivil(*day);
    }
    e.set_site(credit.site);
    e.set_area(credit.area);
    e.set_source(credit.source);
    e.set_source_event(envelope.id());
    e.set_mentee(credit.mentee);
    e.set_state(pb::EVIDENCE_STATE_COUNTED);
    *e.mutable_create_time() = envelope.time();
    *e.mutable_update_time() = envelope.time();
    e.set_etag("1");
    if (absl::Status s = store::SaveEvidence(tx, org, e, 1); !s.ok()) return s;
    auto event = Credited(tx, org, e, 1);
    if (!event.ok()) return event.status();
    if (auto appended = outbox.Append(tx, envelope.organization(), e.person(), *event);
        !appended.ok()) {
      return appended.status();
    }
  }
  return absl::OkStatus();
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return absl::InfinitePast();
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

// Decodes an event of type T and credits what it credits; `when` dates the credits
// that carry no date of their own.
template <class T>
absl::Status Apply(Transaction& tx, const kpo::events::Outbox& outbox,
                   const kpo::common::v1::EventEnvelope& envelope, absl::Time (*when)(const T&)) {
  T event;
  if (!envelope.data().UnpackTo(&event)) {
    return absl::InvalidArgumentError("undecodable " + envelope.type());
  }
  return CreditAll(tx, outbox, envelope, domain::CreditsOf(event), when(event));
}

absl::Time Undated(const google::protobuf::Message&) { return absl::InfinitePast(); }

constexpr const char* kCreditingTypes[] = {
    "kpo.kaizen.v1.KaizenEventCompleted", "kpo.daily.v1.CoachingCycleRecorded",
    "kpo.daily.v1.IdeaImplemented", "kpo.daily.v1.DeploymentTaskResolved"};

// The site, area, value streams and mentee the evidence names must be in the directory.
absl::Status CheckReferences(Transaction& tx, const std::string& org, const pb::Evidence& e,
                             FieldViolations& v) {
  auto require = [&](const std::string& name, const char* kind,
                     const std::string& field) -> absl::Status {
    if (name.empty() || v.Has(field)) return absl::OkStatus();
    auto row = store::Load(tx, org, kind, name);
    if (!row.ok()) return row.status();
    if (!row->has_value()) {
      v.Add(field, absl::StrCat(name, " is not in the directory"));
    } else if (!(*row)->active) {
      v.Add(field, absl::StrCat(name, " is inactive"));
    }
    return absl::OkStatus();
  };
  if (absl::Status s = require(e.site(), "site", "evidence.site"); !s.ok()) return s;
  if (absl::Status s = require(e.area(), "area", "evidence.area"); !s.ok()) return s;
  for (int i = 0; i < e.value_streams_size(); ++i) {
    if (absl::Status s =
            require(e.value_streams(i), "area", absl::StrCat("evidence.value_streams[", i, "]"));
        !s.ok()) {
      return s;
    }
  }
  return require(e.mentee(), "person", "evidence.mentee");
}

// Loads pending evidence for a certifier's decision: NOT_FOUND, ABORTED (etag),
// SELF_REVIEW, EVIDENCE_NOT_PENDING.
absl::StatusOr<store::EvidenceRow> ForReview(Context& c, const kpo::auth::Principal& p,
                                             const std::string& name, const std::string& etag) {
  auto row = store::LoadEvidence(c.tx(), c.organization_id(), name);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return kpo::core::NotFound(name);
  const pb::Evidence& e = (*row)->evidence;
  if (!etag.empty() && etag != e.etag()) return kpo::core::EtagMismatch(name);
  if (absl::Status s = CheckNotSelf(p, e.person(), "evidence"); !s.ok()) return s;
  if (e.state() != pb::EVIDENCE_STATE_PENDING) {
    return kpo::core::FailedPrecondition(
        "EVIDENCE_NOT_PENDING",
        absl::StrCat(name, " is ", pb::EvidenceState_Name(e.state()),
                     "; only PENDING evidence is approved or rejected"),
        {{"current_state", pb::EvidenceState_Name(e.state())}});
  }
  return **std::move(row);
}

}  // namespace

absl::Status ApplyPortfolioEvent(Transaction& tx, const kpo::events::Outbox& outbox,
                                 const kpo::common::v1::EventEnvelope& envelope) {
  const std::string& type = envelope.type();
  if (type == kCreditingTypes[0]) {
    return Apply<kpo::kaizen::v1::KaizenEventCompleted>(
        tx, outbox, envelope,
        +[](const kpo::kaizen::v1::KaizenEventCompleted& e) { return Undated(e); });
  }
  if (type == kCreditingTypes[1]) {
    return Apply<kpo::daily::v1::CoachingCycleRecorded>(
        tx, outbox, envelope,
        +[](const kpo::daily::v1::CoachingCycleRecorded& e) { return Undated(e); });
  }
  if (type == kCreditingTypes[2]) {
    return Apply<kpo::daily::v1::IdeaImplemented>(
        tx, outbox, envelope, +[](const kpo::daily::v1::IdeaImplemented& e) {
          return TimeOf(e.idea().implement_time());
        });
  }
  if (type == kCreditingTypes[3]) {
    return Apply<kpo::daily::v1::DeploymentTaskResolved>(
        tx, outbox, envelope, +[](const kpo::daily::v1::DeploymentTaskResolved& e) {
          return TimeOf(e.deployment_task().resolve_time());
        });
  }
  return absl::OkStatus();
}

void RegisterPortfolioHandlers(kpo::events::Consumer& consumer, const kpo::events::Outbox& outbox) {
  for (const char* type : kCreditingTypes) {
    consumer.On(type, [&outbox](Transaction& tx, const kpo::common::v1::EventEnvelope& envelope) {
      return ApplyPortfolioEvent(tx, outbox, envelope);
    });
  }
}

absl::StatusOr<pb::Evidence> Portfolio::CreateEvidence(const Principal& p,
                                                       const pb::CreateEvidenceRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPersonName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.evidence_id().empty() && !kpo::core::IsValidResourceId(r.evidence_id())) {
    v.Add("evidence_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::Evidence e;
  e.set_person(r.parent());
  e.set_kind(r.evidence().kind());
  e.set_title(r.evidence().title());
  e.set_description(r.evidence().description());
  if (r.evidence().has_date()) *e.mutable_date() = r.evidence().date();
  e.set_site(r.evidence().site());
  e.set_area(r.evidence().area());
  *e.mutable_value_streams() = r.evidence().value_streams();
  e.set_mentee(r.evidence().mentee());
  domain::ValidateEvidence(e, "evidence.", v);
  if (v.Has("evidence_id") || v.Has("request_id")) return v.ToStatus();
  e.set_name(absl::StrCat(r.parent(), "/evidence/",
                          r.evidence_id().empty() ? kpo::core::NewUuid() : r.evidence_id()));
  return commands_.Run<pb::Evidence>(
      {p.organization_id, "CreateEvidence", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::Evidence> {
        auto person = LoadDirectory<pb::Person>(c.tx(), c.organization_id(), "person", r.parent());
        if (!person.ok()) return person.status();
        if (!person->has_value() || (*person)->state() != pb::ACTIVE) {
          v.Add("parent", absl::StrCat(r.parent(),
                                       (*person).has_value() ? " is inactive" : " does not exist"));
          return v.ToStatus();
        }
        if (absl::Status s = CheckActsFor(c.tx(), p, **person, "NOT_A_SUBMITTER", "enter evidence");
            !s.ok()) {
          return s;
        }
        if (absl::Status s = CheckReferences(c.tx(), c.organization_id(), e, v); !s.ok()) {
          return s;
        }
        if (!v.Has("evidence.date")) {  // a site not found: UTC
          auto today = TodayAt(c.tx(), c.organization_id(), e.site(), c.now());
          if (!today.ok()) return today.status();
          if (kpo::core::ToCivil(e.date()) > *today) {
            v.Add("evidence.date", absl::StrCat("is after today at ", e.site()));
          }
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadEvidence(c.tx(), c.organization_id(), e.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(e.name());
        pb::Evidence created = e;
        created.set_state(pb::EVIDENCE_STATE_PENDING);
        created.set_submitted_by(p.person_name());
        *created.mutable_create_time() =
            TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(c.now()));
        *created.mutable_update_time() = created.create_time();
        created.set_etag("1");
        if (absl::Status s = store::SaveEvidence(c.tx(), c.organization_id(), created, 1);
            !s.ok()) {
          return s;
        }
        pb::EvidenceSubmitted event;
        *event.mutable_evidence() = created;
        event.set_revision(1);
        if (absl::Status s = c.Publish(created.person(), event); !s.ok()) return s;
        return created;
      });
}

absl::StatusOr<pb::Evidence> Portfolio::GetEvidence(const Principal& p,
                                                    const pb::GetEvidenceRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kEvidenceName); !ids.ok()) {
    return ids.status();
  }
  auto row = kpo::command::ReadOne<store::EvidenceRow>(
      commands_.db(), r.name(),
      [&](Transaction& tx) { return store::LoadEvidence(tx, p.organization_id, r.name()); });
  if (!row.ok()) return row.status();
  return row->evidence;
}

absl::StatusOr<pb::ListEvidenceResponse> Portfolio::ListEvidence(
    const Principal& p, const pb::ListEvidenceRequest& r) const {
  auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPersonName, kpo::core::LastId::kOrAll);
  if (!ids.ok()) return ids.status();
  FieldViolations v;
  kpo::core::CheckEnum(pb::EvidenceKind_descriptor(), r.kind(), "kind", false, v);
  kpo::core::CheckEnum(pb::EvidenceState_descriptor(), r.state(), "state", false, v);
  if (!v.empty()) return v.ToStatus();
  store::EvidenceFilter filter;
  if (ids->back() != "-") filter.person = r.parent();
  filter.kind = r.kind();
  filter.state = r.state();
  pb::ListEvidenceResponse out;
  absl::Status s = kpo::command::ReadPage<pb::Evidence>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|evidence|", r.parent(), "|", r.kind(), "|", r.state()),
      {[&](Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListEvidence(tx, p.organization_id, filter, page);
       },
       [](const pb::Evidence& e) {
         return kpo::core::PagePosition{kpo::core::DateKey(e.date()), e.name()};
       },
       [&](pb::Evidence& e) { *out.add_evidence() = std::move(e); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::Evidence> Portfolio::ApproveEvidence(const Principal& p,
                                                        const pb::ApproveEvidenceRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kEvidenceName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(r.request_id(), v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::Evidence>(
      {p.organization_id, "ApproveEvidence", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Evidence> {
        auto row = ForReview(c, p, r.name(), r.etag());
        if (!row.ok()) return row.status();
        pb::Evidence e = row->evidence;
        e.set_state(pb::EVIDENCE_STATE_COUNTED);
        e.set_reviewed_by(p.person_name());
        *e.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(c.now()));
        const int64_t revision = row->revision + 1;
        e.set_etag(std::to_string(revision));
        if (absl::Status s = store::SaveEvidence(c.tx(), c.organization_id(), e, revision);
            !s.ok()) {
          return s;
        }
        auto event = Credited(c.tx(), c.organization_id(), e, revision);
        if (!event.ok()) return event.status();
        if (absl::Status s = c.Publish(e.person(), *event); !s.ok()) return s;
        return e;
      });
}

absl::StatusOr<pb::Evidence> Portfolio::RejectEvidence(const Principal& p,
                                                       const pb::RejectEvidenceRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kEvidenceName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  kpo::core::CheckText(r.reason(), "reason", 2000, true, v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::Evidence>(
      {p.organization_id, "RejectEvidence", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Evidence> {
        auto row = ForReview(c, p, r.name(), r.etag());
        if (!row.ok()) return row.status();
        pb::Evidence e = row->evidence;
        e.set_state(pb::EVIDENCE_STATE_REJECTED);
        e.set_reviewed_by(p.person_name());
        e.set_rejection_reason(r.reason());
        *e.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(c.now()));
        const int64_t revision = row->revision + 1;
        e.set_etag(std::to_string(revision));
        if (absl::Status s = store::SaveEvidence(c.tx(), c.organization_id(), e, revision);
            !s.ok()) {
          return s;
        }
        pb::EvidenceRejected event;
        *event.mutable_evidence() = e;
        event.set_revision(revision);
        if (absl::Status s = c.Publish(e.person(), event); !s.ok()) return s;
        return e;
      });
}

}  // namespace kpo::people
