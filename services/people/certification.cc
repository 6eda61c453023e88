#include "certification.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "certification_store.h"
#include "directory_reads.h"
#include "domain/certification.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/command/reads.h"
#include "kpo/core/date.h"
#include "kpo/core/enums.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/log.h"
#include "kpo/core/resource_name.h"
#include "kpo/core/update_mask.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/events.pb.h"
#include "portfolio_store.h"

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
constexpr kpo::core::Collections kRequirementsName = {"organizations", "certificationRequirements"};
constexpr kpo::core::Collections kCertificateName = {"organizations", "people", "certificates"};
constexpr kpo::core::Collections kApplicationName = {"organizations", "people",
                                                     "certificationApplications"};
constexpr absl::string_view kProgressSuffix = "/certificationProgress";

google::protobuf::Timestamp Stamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// The requirements of `level` in force in `org`: stored, or the shipped defaults at
// revision 0.
absl::StatusOr<store::RequirementsRow> RequirementsOf(Transaction& tx, const std::string& org,
                                                      pb::CertificationLevel level) {
  auto row = store::LoadRequirements(tx, org, level);
  if (!row.ok()) return row.status();
  store::RequirementsRow out;
  if (row->has_value()) {
    out = **std::move(row);
  } else {
    out.requirements = domain::DefaultRequirements(level);
    out.requirements.set_etag("0");
  }
  out.requirements.set_name(
      absl::StrCat("organizations/", org, "/certificationRequirements/", domain::LevelId(level)));
  return out;
}

absl::StatusOr<domain::LevelRequirements> AllRequirements(Transaction& tx, const std::string& org) {
  domain::LevelRequirements out;
  for (auto [level, into] : {std::pair{pb::CERTIFICATION_LEVEL_BRONZE, &out.bronze},
                             std::pair{pb::CERTIFICATION_LEVEL_SILVER, &out.silver},
                             std::pair{pb::CERTIFICATION_LEVEL_GOLD, &out.gold}}) {
    auto row = RequirementsOf(tx, org, level);
    if (!row.ok()) return row.status();
    *into = std::move(row->requirements);
  }
  return out;
}

// The person's home site, area and roles on an event.
template <class Event>
void SetPerson(Event& event, const pb::Person& person) {
  event.set_person_site(person.home_site());
  event.set_person_area(person.area());
  *event.mutable_person_roles() = person.roles();
}

// The person named `name` (existing, any state); NOT_FOUND otherwise.
absl::StatusOr<pb::Person> PersonOf(Transaction& tx, const std::string& org,
                                    const std::string& name) {
  auto person = LoadDirectory<pb::Person>(tx, org, "person", name);
  if (!person.ok()) return person.status();
  if (!person->has_value()) return kpo::core::NotFound(name);
  return **std::move(person);
}

// An active person named by `field`; a field violation otherwise.
absl::StatusOr<std::optional<pb::Person>> ActivePerson(Transaction& tx, const std::string& org,
                                                       const std::string& name,
                                                       const std::string& field,
                                                       FieldViolations& v) {
  auto person = LoadDirectory<pb::Person>(tx, org, "person", name);
  if (!person.ok()) return person.status();
  if (!person->has_value() || (*person)->state() != pb::ACTIVE) {
    v.Add(field, absl::StrCat(name, person->has_value() ? " is inactive" : " does not exist"));
    return std::optional<pb::Person>();
  }
  return person;
}

// `level` (or the person's next level when UNSPECIFIED) evaluated for `person` today at
// their home site, with any open application.
absl::StatusOr<pb::CertificationProgress> ProgressOf(Transaction& tx, const std::string& org,
                                                     const pb::Person& person,
                                                     pb::CertificationLevel level, absl::Time now,
                                                     absl::CivilDay* today_out = nullptr) {
  auto today = TodayAt(tx, org, person.home_site(), now);
  if (!today.ok()) return today.status();
  auto requirements = AllRequirements(tx, org);
  if (!requirements.ok()) return requirements.status();
  auto certificates = store::PersonCertificates(tx, org, person.name());
  if (!certificates.ok()) return certificates.status();
  if (level == pb::CERTIFICATION_LEVEL_UNSPECIFIED) {
    level = domain::NextLevel(*certificates, *requirements, *today);
  }
  auto evidence = store::PersonEvidence(tx, org, person.name());
  if (!evidence.ok()) return evidence.status();
  pb::CertificationProgress out =
      domain::Evaluate(level, requirements->Of(level), *certificates, *evidence, *today);
  out.set_name(person.name() + std::string(kProgressSuffix));
  out.set_person(person.name());
  auto open = store::OpenApplication(tx, org, person.name(), level);
  if (!open.ok()) return open.status();
  if (open->has_value()) {
    out.set_open_application(**open);
    out.set_ready(false);
  }
  if (today_out != nullptr) *today_out = *today;
  return out;
}

// Why `progress` would not be accepted: the first of APPLICATION_OPEN,
// ALREADY_CERTIFIED, PREREQUISITE_NOT_MET, REQUIREMENTS_NOT_MET; OK when ready.
absl::Status Refusal(const pb::CertificationProgress& progress, absl::CivilDay today) {
  const std::string level = pb::CertificationLevel_Name(progress.level());
  if (!progress.open_application().empty()) {
    return kpo::core::FailedPrecondition(
        "APPLICATION_OPEN",
        absl::StrCat(progress.open_application(), " is already waiting for a certifier"),
        {{"application", progress.open_application()}});
  }
  if (progress.has_renewable_from() && today < kpo::core::ToCivil(progress.renewable_from())) {
    return kpo::core::FailedPrecondition(
        "ALREADY_CERTIFIED",
        absl::StrCat(progress.person(), " holds a valid ", level,
                     " certificate; its recertification opens on ",
                     absl::FormatCivilTime(kpo::core::ToCivil(progress.renewable_from()))),
        {{"renewable_from", absl::FormatCivilTime(kpo::core::ToCivil(progress.renewable_from()))}});
  }
  std::vector<std::string> missing_levels;
  for (const pb::PrerequisiteProgress& pre : progress.prerequisites()) {
    if (!pre.met()) missing_levels.push_back(pb::CertificationLevel_Name(pre.level()));
  }
  if (!missing_levels.empty()) {
    return kpo::core::FailedPrecondition(
        "PREREQUISITE_NOT_MET",
        absl::StrCat(level, " needs a valid ", absl::StrJoin(missing_levels, " and "),
                     " certificate first"),
        {{"missing_levels", absl::StrJoin(missing_levels, ",")}});
  }
  const std::string missing = domain::MissingSummary(progress);
  if (!missing.empty()) {
    return kpo::core::FailedPrecondition(
        "REQUIREMENTS_NOT_MET",
        absl::StrCat("the portfolio does not meet ", level, " yet; still missing: ", missing),
        {{"missing", missing}});
  }
  return absl::OkStatus();
}

// The application for a certifier's decision: NOT_FOUND, ABORTED (etag), SELF_REVIEW,
// APPLICATION_NOT_SUBMITTED.
absl::StatusOr<store::ApplicationRow> ForDecision(Context& c, const kpo::auth::Principal& p,
                                                  const std::string& name,
                                                  const std::string& etag) {
  auto row = store::LoadApplication(c.tx(), c.organization_id(), name);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return kpo::core::NotFound(name);
  const pb::CertificationApplication& a = (*row)->application;
  if (!etag.empty() && etag != a.etag()) return kpo::core::EtagMismatch(name);
  if (absl::Status s = CheckNotSelf(p, a.person(), "certification"); !s.ok()) return s;
  if (a.state() != pb::CERTIFICATION_APPLICATION_STATE_SUBMITTED) {
    const std::string state = pb::CertificationApplicationState_Name(a.state());
    return kpo::core::FailedPrecondition(
        "APPLICATION_NOT_SUBMITTED",
        absl::StrCat(name, " is ", state, "; only SUBMITTED applications are decided"),
        {{"current_state", state}});
  }
  return **std::move(row);
}

// The next free certificate id of a level for a person: "bronze-1", "bronze-2", ...
std::string NextCertificateName(const std::string& person,
                                const std::vector<pb::Certificate>& certificates,
                                pb::CertificationLevel level) {
  int n = 1;
  for (const pb::Certificate& c : certificates) n += c.level() == level ? 1 : 0;
  return absl::StrCat(person, "/certificates/", domain::LevelId(level), "-", n);
}

void CheckDateNotAfter(const kpo::common::v1::Date& date, absl::CivilDay today,
                       const std::string& field, FieldViolations& v) {
  if (kpo::core::ToCivil(date) > today) v.Add(field, "is after today at the person's home site");
}

}  // namespace

absl::StatusOr<pb::ListCertificationRequirementsResponse>
Certification::ListCertificationRequirements(
    const Principal& p, const pb::ListCertificationRequirementsRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kOrgName); !ids.ok()) {
    return ids.status();
  }
  pb::ListCertificationRequirementsResponse out;
  absl::Status s = commands_.db().Read([&](Transaction& tx) -> absl::Status {
    for (pb::CertificationLevel level :
         {pb::CERTIFICATION_LEVEL_BRONZE, pb::CERTIFICATION_LEVEL_SILVER,
          pb::CERTIFICATION_LEVEL_GOLD}) {
      auto row = RequirementsOf(tx, p.organization_id, level);
      if (!row.ok()) return row.status();
      *out.add_certification_requirements() = std::move(row->requirements);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::CertificationRequirements> Certification::GetCertificationRequirements(
    const Principal& p, const pb::GetCertificationRequirementsRequest& r) const {
  auto ids = kpo::auth::CheckName(p, "name", r.name(), kRequirementsName);
  if (!ids.ok()) return ids.status();
  const pb::CertificationLevel level = domain::LevelFromId(ids->back());
  if (level == pb::CERTIFICATION_LEVEL_UNSPECIFIED) return kpo::core::NotFound(r.name());
  pb::CertificationRequirements out;
  absl::Status s = commands_.db().Read([&](Transaction& tx) -> absl::Status {
    auto row = RequirementsOf(tx, p.organization_id, level);
    if (!row.ok()) return row.status();
    out = std::move(row->requirements);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::CertificationRequirements> Certification::UpdateCertificationRequirements(
    const Principal& p, const pb::UpdateCertificationRequirementsRequest& r) const {
  const pb::CertificationRequirements& patch = r.certification_requirements();
  auto ids =
      kpo::auth::CheckName(p, "certification_requirements.name", patch.name(), kRequirementsName);
  if (!ids.ok()) return ids.status();
  const pb::CertificationLevel level = domain::LevelFromId(ids->back());
  if (level == pb::CERTIFICATION_LEVEL_UNSPECIFIED) return kpo::core::NotFound(patch.name());
  static const std::set<std::string> kUpdatable = {"evidence", "validity_months", "warning_days"};
  const FieldMask mask = kpo::core::EffectiveMask(r.update_mask(), kUpdatable);
  FieldViolations v;
  kpo::core::CheckUpdateMask(mask, pb::CertificationRequirements::descriptor(), kUpdatable,
                             "cannot be updated", v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::CertificationRequirements>(
      {p.organization_id, "UpdateCertificationRequirements", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::CertificationRequirements> {
        auto row = RequirementsOf(c.tx(), c.organization_id(), level);
        if (!row.ok()) return row.status();
        const pb::CertificationRequirements current = row->requirements;
        if (!patch.etag().empty() && patch.etag() != current.etag()) {
          return kpo::core::EtagMismatch(patch.name());
        }
        pb::CertificationRequirements merged = current;
        google::protobuf::util::FieldMaskUtil::MergeOptions opts;
        opts.set_replace_message_fields(true);
        opts.set_replace_repeated_fields(true);
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(patch, mask, opts, &merged);
        domain::ValidateRequirements(merged, "certification_requirements.", v);
        if (!v.empty()) return v.ToStatus();
        if (google::protobuf::util::MessageDifferencer::Equals(merged, current)) return current;
        const int64_t revision = row->revision + 1;
        merged.set_customized(true);
        *merged.mutable_update_time() = Stamp(c.now());
        merged.set_etag(std::to_string(revision));
        if (absl::Status s = store::SaveRequirements(c.tx(), c.organization_id(), merged, revision);
            !s.ok()) {
          return s;
        }
        pb::CertificationRequirementsUpdated event;
        *event.mutable_certification_requirements() = merged;
        event.set_revision(revision);
        *event.mutable_update_mask() = mask;
        if (absl::Status s = c.Publish(merged.name(), event); !s.ok()) return s;
        return merged;
      });
}

absl::StatusOr<pb::Certificate> Certification::RecordKnowledgeExam(
    const Principal& p, const pb::RecordKnowledgeExamRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPersonName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::core::CheckText(r.exam(), "exam", 200, true, v);
  if (!r.has_date() || !kpo::core::IsValidDate(r.date())) v.Add("date", "must be a valid date");
  if (r.score_percent() < 0 || r.score_percent() > 100) v.Add("score_percent", "must be 0..100");
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (v.Has("request_id")) return v.ToStatus();
  return commands_.Run<pb::Certificate>(
      {p.organization_id, "RecordKnowledgeExam", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::Certificate> {
        auto person = ActivePerson(c.tx(), c.organization_id(), r.parent(), "parent", v);
        if (!person.ok()) return person.status();
        if (person->has_value() && !v.Has("date")) {
          auto today = TodayAt(c.tx(), c.organization_id(), (*person)->home_site(), c.now());
          if (!today.ok()) return today.status();
          CheckDateNotAfter(r.date(), *today, "date", v);
        }
        if (!v.empty()) return v.ToStatus();
        if (absl::Status s = CheckNotSelf(p, r.parent(), "exam"); !s.ok()) return s;
        pb::Certificate cert;
        cert.set_name(r.parent() + "/certificates/knowledge");
        auto existing = store::LoadCertificate(c.tx(), c.organization_id(), cert.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(cert.name());
        cert.set_person(r.parent());
        cert.set_level(pb::CERTIFICATION_LEVEL_KNOWLEDGE);
        cert.set_state(pb::CERTIFICATE_STATE_VALID);
        *cert.mutable_award_date() = r.date();
        cert.set_awarded_by(p.person_name());
        cert.set_exam(r.exam());
        cert.set_score_percent(r.score_percent());
        *cert.mutable_create_time() = Stamp(c.now());
        *cert.mutable_update_time() = cert.create_time();
        cert.set_etag("1");
        if (absl::Status s = store::SaveCertificate(c.tx(), c.organization_id(), cert, 1, 0);
            !s.ok()) {
          return s;
        }
        pb::CertificationAwarded event;
        *event.mutable_certificate() = cert;
        SetPerson(event, **person);
        if (absl::Status s = c.Publish(cert.person(), event); !s.ok()) return s;
        return cert;
      });
}

absl::StatusOr<pb::Certificate> Certification::GetCertificate(
    const Principal& p, const pb::GetCertificateRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kCertificateName); !ids.ok()) {
    return ids.status();
  }
  auto row = kpo::command::ReadOne<store::CertificateRow>(
      commands_.db(), r.name(),
      [&](Transaction& tx) { return store::LoadCertificate(tx, p.organization_id, r.name()); });
  if (!row.ok()) return row.status();
  return row->certificate;
}

absl::StatusOr<pb::ListCertificatesResponse> Certification::ListCertificates(
    const Principal& p, const pb::ListCertificatesRequest& r) const {
  auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPersonName, kpo::core::LastId::kOrAll);
  if (!ids.ok()) return ids.status();
  FieldViolations v;
  kpo::core::CheckEnum(pb::CertificationLevel_descriptor(), r.level(), "level", false, v);
  kpo::core::CheckEnum(pb::CertificateState_descriptor(), r.state(), "state", false, v);
  if (r.has_expire_before() && !kpo::core::IsValidDate(r.expire_before())) {
    v.Add("expire_before", "must be a valid date");
  }
  if (!v.empty()) return v.ToStatus();
  store::CertificateFilter filter;
  if (ids->back() != "-") filter.person = r.parent();
  filter.level = r.level();
  filter.state = r.state();
  if (r.has_expire_before()) filter.expire_before = kpo::core::DateKey(r.expire_before());
  pb::ListCertificatesResponse out;
  absl::Status s = kpo::command::ReadPage<pb::Certificate>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|certificates|", r.parent(), "|", r.level(), "|", r.state(),
                   "|", filter.expire_before),
      {[&](Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListCertificates(tx, p.organization_id, filter, page);
       },
       [](const pb::Certificate& c) {
         return kpo::core::PagePosition{kpo::core::DateKey(c.award_date()), c.name()};
       },
       [&](pb::Certificate& c) { *out.add_certificates() = std::move(c); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::CertificationProgress> Certification::GetCertificationProgress(
    const Principal& p, const pb::GetCertificationProgressRequest& r) const {
  if (!absl::EndsWith(r.name(), kProgressSuffix)) {
    return kpo::core::InvalidField(
        "name", "must be organizations/{organization}/people/{person}/certificationProgress");
  }
  const std::string person_name(r.name().substr(0, r.name().size() - kProgressSuffix.size()));
  if (auto ids = kpo::auth::CheckName(p, "name", person_name, kPersonName); !ids.ok()) {
    return ids.status();
  }
  if (r.level() != pb::CERTIFICATION_LEVEL_UNSPECIFIED && !domain::IsPortfolioLevel(r.level())) {
    return kpo::core::InvalidField("level", "must be BRONZE, SILVER or GOLD (or unset: the next)");
  }
  pb::CertificationProgress out;
  absl::Status s = commands_.db().Read([&](Transaction& tx) -> absl::Status {
    auto person = PersonOf(tx, p.organization_id, person_name);
    if (!person.ok()) return person.status();
    auto progress = ProgressOf(tx, p.organization_id, *person, r.level(), commands_.clock().Now());
    if (!progress.ok()) return progress.status();
    out = *std::move(progress);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::CertificationApplication> Certification::CreateCertificationApplication(
    const Principal& p, const pb::CreateCertificationApplicationRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPersonName); !ids.ok()) {
    return ids.status();
  }
  const pb::CertificationApplication& in = r.certification_application();
  FieldViolations v;
  if (!r.certification_application_id().empty() &&
      !kpo::core::IsValidResourceId(r.certification_application_id())) {
    v.Add("certification_application_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  if (!domain::IsPortfolioLevel(in.level())) {
    v.Add("certification_application.level", "must be BRONZE, SILVER or GOLD");
  }
  kpo::core::CheckText(in.statement(), "certification_application.statement", 4000, false, v);
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (v.Has("certification_application_id") || v.Has("request_id")) return v.ToStatus();
  const std::string name =
      absl::StrCat(r.parent(), "/certificationApplications/",
                   r.certification_application_id().empty() ? kpo::core::NewUuid()
                                                            : r.certification_application_id());
  return commands_.Run<pb::CertificationApplication>(
      {p.organization_id, "CreateCertificationApplication", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::CertificationApplication> {
        auto person = ActivePerson(c.tx(), c.organization_id(), r.parent(), "parent", v);
        if (!person.ok()) return person.status();
        if (!v.empty()) return v.ToStatus();
        if (absl::Status s =
                CheckActsFor(c.tx(), p, **person, "NOT_AN_APPLICANT", "apply for certification");
            !s.ok()) {
          return s;
        }
        auto existing = store::LoadApplication(c.tx(), c.organization_id(), name);
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(name);
        absl::CivilDay today;
        auto progress =
            ProgressOf(c.tx(), c.organization_id(), **person, in.level(), c.now(), &today);
        if (!progress.ok()) return progress.status();
        if (absl::Status s = Refusal(*progress, today); !s.ok()) return s;
        pb::CertificationApplication a;
        a.set_name(name);
        a.set_person(r.parent());
        a.set_level(in.level());
        a.set_statement(in.statement());
        a.set_renewal(progress->renewal());
        a.set_state(pb::CERTIFICATION_APPLICATION_STATE_SUBMITTED);
        *a.mutable_requirements() = progress->requirements();
        a.set_submitted_by(p.person_name());
        *a.mutable_create_time() = Stamp(c.now());
        *a.mutable_update_time() = a.create_time();
        a.set_etag("1");
        if (absl::Status s = store::SaveApplication(c.tx(), c.organization_id(), a, 1,
                                                    absl::ToUnixMicros(c.now()));
            !s.ok()) {
          return s;
        }
        pb::CertificationApplied event;
        *event.mutable_application() = a;
        event.set_revision(1);
        SetPerson(event, **person);
        if (absl::Status s = c.Publish(a.person(), event); !s.ok()) return s;
        return a;
      });
}

absl::StatusOr<pb::CertificationApplication> Certification::GetCertificationApplication(
    const Principal& p, const pb::GetCertificationApplicationRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kApplicationName); !ids.ok()) {
    return ids.status();
  }
  auto row = kpo::command::ReadOne<store::ApplicationRow>(
      commands_.db(), r.name(),
      [&](Transaction& tx) { return store::LoadApplication(tx, p.organization_id, r.name()); });
  if (!row.ok()) return row.status();
  return row->application;
}

absl::StatusOr<pb::ListCertificationApplicationsResponse>
Certification::ListCertificationApplications(
    const Principal& p, const pb::ListCertificationApplicationsRequest& r) const {
  auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPersonName, kpo::core::LastId::kOrAll);
  if (!ids.ok()) return ids.status();
  FieldViolations v;
  kpo::core::CheckEnum(pb::CertificationLevel_descriptor(), r.level(), "level", false, v);
  kpo::core::CheckEnum(pb::CertificationApplicationState_descriptor(), r.state(), "state", false,
                       v);
  if (!v.empty()) return v.ToStatus();
  store::ApplicationFilter filter;
  if (ids->back() != "-") filter.person = r.parent();
  filter.level = r.level();
  filter.state = r.state();
  pb::ListCertificationApplicationsResponse out;
  absl::Status s = kpo::command::ReadPage<pb::CertificationApplication>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|applications|", r.parent(), "|", r.level(), "|", r.state()),
      {[&](Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListApplications(tx, p.organization_id, filter, page);
       },
       [](const pb::CertificationApplication& a) {
         return kpo::core::PagePosition{TimeUtil::TimestampToMicroseconds(a.create_time()),
                                        a.name()};
       },
       [&](pb::CertificationApplication& a) {
         *out.add_certification_applications() = std::move(a);
       }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::CertificationApplication> Certification::AwardCertification(
    const Principal& p, const pb::AwardCertificationRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kApplicationName); !ids.ok()) {
    return ids.status();
  }
  if (FieldViolations v; kpo::idempotency::CheckRequestId(r.request_id(), v), !v.empty()) {
    return v.ToStatus();
  }
  return commands_.Run<pb::CertificationApplication>(
      {p.organization_id, "AwardCertification", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::CertificationApplication> {
        auto row = ForDecision(c, p, r.name(), r.etag());
        if (!row.ok()) return row.status();
        pb::CertificationApplication a = row->application;
        auto person = PersonOf(c.tx(), c.organization_id(), a.person());
        if (!person.ok()) return person.status();
        absl::CivilDay today;
        auto progress =
            ProgressOf(c.tx(), c.organization_id(), *person, a.level(), c.now(), &today);
        if (!progress.ok()) return progress.status();
        for (const pb::PrerequisiteProgress& pre : progress->prerequisites()) {
          if (!pre.met()) {
            progress->clear_open_application();
            progress->clear_renewable_from();
            return Refusal(*progress, today);
          }
        }
        auto requirements = RequirementsOf(c.tx(), c.organization_id(), a.level());
        if (!requirements.ok()) return requirements.status();
        auto certificates = store::PersonCertificates(c.tx(), c.organization_id(), a.person());
        if (!certificates.ok()) return certificates.status();
        const pb::Certificate* held =
            a.renewal() ? domain::Held(*certificates, a.level()) : nullptr;

        pb::Certificate cert;
        cert.set_name(NextCertificateName(a.person(), *certificates, a.level()));
        cert.set_person(a.person());
        cert.set_level(a.level());
        cert.set_state(pb::CERTIFICATE_STATE_VALID);
        *cert.mutable_award_date() = kpo::core::FromCivil(today);
        absl::CivilDay from = today;
        if (held != nullptr && domain::IsValidOn(*held, today)) {
          from = std::max(from, kpo::core::ToCivil(held->expire_date()));
        }
        const int validity = requirements->requirements.validity_months();
        *cert.mutable_expire_date() = kpo::core::FromCivil(domain::AddMonths(from, validity));
        cert.set_awarded_by(p.person_name());
        cert.set_application(a.name());
        *cert.mutable_create_time() = Stamp(c.now());
        *cert.mutable_update_time() = cert.create_time();
        cert.set_etag("1");
        const int64_t due = kpo::core::DateKey(kpo::core::FromCivil(
            domain::WarningDay(cert, requirements->requirements.warning_days())));

        const int64_t revision = row->revision + 1;
        a.set_state(pb::CERTIFICATION_APPLICATION_STATE_AWARDED);
        a.set_reviewed_by(p.person_name());
        a.set_certificate(cert.name());
        *a.mutable_update_time() = Stamp(c.now());
        a.set_etag(std::to_string(revision));
        if (absl::Status s =
                store::SaveApplication(c.tx(), c.organization_id(), a, revision,
                                       TimeUtil::TimestampToMicroseconds(a.create_time()));
            !s.ok()) {
          return s;
        }
        if (held != nullptr) cert.set_renews(held->name());
        if (absl::Status s = store::SaveCertificate(c.tx(), c.organization_id(), cert, 1, due);
            !s.ok()) {
          return s;
        }
        if (held == nullptr) {
          pb::CertificationAwarded event;
          *event.mutable_certificate() = cert;
          *event.mutable_application() = a;
          SetPerson(event, *person);
          if (absl::Status s = c.Publish(a.person(), event); !s.ok()) return s;
          return a;
        }
        auto held_row = store::LoadCertificate(c.tx(), c.organization_id(), held->name());
        if (!held_row.ok()) return held_row.status();
        pb::Certificate renewed = (*held_row)->certificate;
        renewed.set_state(pb::CERTIFICATE_STATE_RENEWED);
        renewed.set_renewed_by(cert.name());
        *renewed.mutable_update_time() = Stamp(c.now());
        renewed.set_etag(std::to_string((*held_row)->revision + 1));
        if (absl::Status s = store::SaveCertificate(c.tx(), c.organization_id(), renewed,
                                                    (*held_row)->revision + 1, 0);
            !s.ok()) {
          return s;
        }
        pb::CertificationRenewed event;
        *event.mutable_certificate() = cert;
        *event.mutable_renewed() = renewed;
        *event.mutable_application() = a;
        SetPerson(event, *person);
        if (absl::Status s = c.Publish(a.person(), event); !s.ok()) return s;
        return a;
      });
}

absl::StatusOr<pb::CertificationApplication> Certification::ReturnCertificationApplication(
    const Principal& p, const pb::ReturnCertificationApplicationRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kApplicationName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  kpo::core::CheckText(r.reason(), "reason", 2000, true, v);
  if (!v.empty()) return v.ToStatus();
  return commands_.Run<pb::CertificationApplication>(
      {p.organization_id, "ReturnCertificationApplication", r.request_id(), &r},
      [&](Context& c) -> absl::StatusOr<pb::CertificationApplication> {
        auto row = ForDecision(c, p, r.name(), r.etag());
        if (!row.ok()) return row.status();
        pb::CertificationApplication a = row->application;
        auto person = PersonOf(c.tx(), c.organization_id(), a.person());
        if (!person.ok()) return person.status();
        const int64_t revision = row->revision + 1;
        a.set_state(pb::CERTIFICATION_APPLICATION_STATE_RETURNED);
        a.set_reviewed_by(p.person_name());
        a.set_return_reason(r.reason());
        *a.mutable_update_time() = Stamp(c.now());
        a.set_etag(std::to_string(revision));
        if (absl::Status s =
                store::SaveApplication(c.tx(), c.organization_id(), a, revision,
                                       TimeUtil::TimestampToMicroseconds(a.create_time()));
            !s.ok()) {
          return s;
        }
        pb::CertificationReturned event;
        *event.mutable_application() = a;
        event.set_revision(revision);
        SetPerson(event, *person);
        if (absl::Status s = c.Publish(a.person(), event); !s.ok()) return s;
        return a;
      });
}

absl::StatusOr<int> Certification::PublishDue() const {
  // Candidates: due on or before the latest civil day anywhere (UTC+14); each is then
  // checked against its holder's home site's day inside its own write.
  const absl::Time now = commands_.clock().Now();
  const int64_t latest_day = kpo::core::DateKey(
      kpo::core::FromCivil(absl::ToCivilDay(now, absl::FixedTimeZone(14 * 3600))));
  constexpr int kBatch = 200;
  int published = 0;
  store::DueCertificate after;
  for (;;) {
    std::vector<store::DueCertificate> due;
    absl::Status read = commands_.db().Read([&](Transaction& tx) -> absl::Status {
      auto rows = store::DueCertificates(tx, latest_day, after, kBatch);
      if (!rows.ok()) return rows.status();
      due = *std::move(rows);
      return absl::OkStatus();
    });
    if (!read.ok()) return read;
    for (const store::DueCertificate& d : due) {
      pb::Certificate unused;
      int events = 0;
      absl::Status done = commands_.Run(
          {d.org, "CertificateDue", "", nullptr}, unused, [&](Context& c) -> absl::Status {
            auto row = store::LoadCertificate(c.tx(), d.org, d.name);
            if (!row.ok()) return row.status();
            if (!row->has_value()) return absl::OkStatus();
            pb::Certificate cert = (*row)->certificate;
            if (cert.state() != pb::CERTIFICATE_STATE_VALID || (*row)->due_day == 0) {
              return absl::OkStatus();  // done by another replica meanwhile
            }
            auto person = PersonOf(c.tx(), d.org, cert.person());
            if (!person.ok()) return person.status();
            auto today = TodayAt(c.tx(), d.org, person->home_site(), c.now());
            if (!today.ok()) return today.status();
            if (*today < kpo::core::CivilFromKey((*row)->due_day)) return absl::OkStatus();
            const absl::CivilDay expire = kpo::core::ToCivil(cert.expire_date());
            const int64_t revision = (*row)->revision + 1;
            *cert.mutable_update_time() = Stamp(c.now());
            cert.set_etag(std::to_string(revision));
            if (*today >= expire) {
              cert.set_state(pb::CERTIFICATE_STATE_EXPIRED);
              if (absl::Status s = store::SaveCertificate(c.tx(), d.org, cert, revision, 0);
                  !s.ok()) {
                return s;
              }
              pb::CertificateExpired event;
              *event.mutable_certificate() = cert;
              SetPerson(event, *person);
              events = 1;
              return c.Publish(cert.person(), event);
            }
            *cert.mutable_warning_time() = Stamp(c.now());
            if (absl::Status s = store::SaveCertificate(c.tx(), d.org, cert, revision,
                                                        kpo::core::DateKey(cert.expire_date()));
                !s.ok()) {
              return s;
            }
            pb::CertificateExpiring event;
            *event.mutable_certificate() = cert;
            event.set_days_left(static_cast<int32_t>(expire - *today));
            SetPerson(event, *person);
            events = 1;
            return c.Publish(cert.person(), event);
          });
      if (!done.ok()) {
        kpo::log::Warn("certificate expiry check failed; retried at the next pass",
                       {{"certificate", d.name}, {"error", done.ToString()}});
        continue;
      }
      published += events;
    }
    if (static_cast<int>(due.size()) < kBatch) break;
    after = due.back();
  }
  return published;
}

}  // namespace kpo::people
