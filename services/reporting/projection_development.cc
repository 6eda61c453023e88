// People development and the KPO office, from kpo.people.v1: certificates, training
// completions, assessments, target profiles, competencies (only whether each is still
// active) and KPO memberships.

#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/people/v1/events.pb.h"
#include "projection_internal.h"

namespace kpo::reporting::projection {
namespace {

namespace people = kpo::people::v1;
using kpo::common::v1::EventEnvelope;
using kpo::storage::Null;
using kpo::storage::Transaction;
using kpo::storage::Value;

// A certificate as the latest event carried it, at the holder's home site and area of
// that event. Certificate events have no revision: a row is replaced by an event whose
// certificate was updated at the same instant or later, and a warning once seen stays.
absl::Status ProjectCertificate(Transaction& tx, const EventEnvelope& event,
                                const people::Certificate& c, const std::string& site,
                                const std::string& area) {
  auto org = OrganizationOf(event, c.name());
  if (!org.ok()) return org.status();
  // The site it counted at, and the site it counts at now.
  auto stored =
      tx.Query("SELECT site FROM r_certificates WHERE org = ? AND name = ?", {*org, c.name()});
  if (!stored.ok()) return stored.status();
  if (!stored->empty()) {
    if (absl::Status s = Touch(tx, *org, (*stored)[0].Text(0)); !s.ok()) return s;
  }
  if (absl::Status s = Touch(tx, *org, site); !s.ok()) return s;
  return tx
      .Exec(
          "INSERT INTO r_certificates (org, name, person, level, site, area, award_day, "
          "expire_day, renews, renewed_day, warning_us, update_us) VALUES (?, ?, ?, ?, ?, ?, ?, "
          "?, ?, 0, ?, ?) ON CONFLICT (org, name) DO UPDATE SET site = excluded.site, "
          "area = excluded.area, award_day = excluded.award_day, "
          "expire_day = excluded.expire_day, renews = excluded.renews, "
          "warning_us = COALESCE(excluded.warning_us, r_certificates.warning_us), "
          "update_us = excluded.update_us WHERE excluded.update_us >= r_certificates.update_us",
          {*org, c.name(), c.person(), static_cast<int64_t>(c.level()), site, area,
           kpo::core::DateKey(c.award_date()),
           c.has_expire_date() ? kpo::core::DateKey(c.expire_date()) : int64_t{0}, c.renews(),
           MicrosOrNull(c.warning_time()), Micros(c.update_time())})
      .status();
}

absl::Status OnAwarded(Transaction& tx, const EventEnvelope& event) {
  auto e = Unpack<people::CertificationAwarded>(event);
  if (!e.ok()) return e.status();
  return ProjectCertificate(tx, event, e->certificate(), e->person_site(), e->person_area());
}

// A recertification: the new certificate, and the day the one it renews was renewed.
absl::Status OnRenewed(Transaction& tx, const EventEnvelope& event) {
  auto e = Unpack<people::CertificationRenewed>(event);
  if (!e.ok()) return e.status();
  absl::Status s =
      ProjectCertificate(tx, event, e->certificate(), e->person_site(), e->person_area());
  if (!s.ok()) return s;
  s = ProjectCertificate(tx, event, e->renewed(), e->person_site(), e->person_area());
  if (!s.ok()) return s;
  auto org = OrganizationOf(event, e->renewed().name());
  if (!org.ok()) return org.status();
  return tx
      .Exec("UPDATE r_certificates SET renewed_day = ? WHERE org = ? AND name = ?",
            {kpo::core::DateKey(e->certificate().award_date()), *org, e->renewed().name()})
      .status();
}

absl::Status OnExpiring(Transaction& tx, const EventEnvelope& event) {
  auto e = Unpack<people::CertificateExpiring>(event);
  if (!e.ok()) return e.status();
  people::Certificate c = e->certificate();
  // The warning began when this event was committed, whatever the certificate says.
  if (!c.has_warning_time()) *c.mutable_warning_time() = event.time();
  return ProjectCertificate(tx, event, c, e->person_site(), e->person_area());
}

absl::Status OnExpired(Transaction& tx, const EventEnvelope& event) {
  auto e = Unpack<people::CertificateExpired>(event);
  if (!e.ok()) return e.status();
  return ProjectCertificate(tx, event, e->certificate(), e->person_site(), e->person_area());
}

// A training completion: immutable, recorded once, at the instant its outcome was
// recorded.
absl::Status OnTrainingCompleted(Transaction& tx, const EventEnvelope& event) {
  auto e = Unpack<people::TrainingCompleted>(event);
  if (!e.ok()) return e.status();
  auto org = OrganizationOf(event, e->enrolment().name());
  if (!org.ok()) return org.status();
  const int64_t at = e->enrolment().has_update_time() ? Micros(e->enrolment().update_time())
                                                      : Micros(event.time());
  if (absl::Status s = Touch(tx, *org, e->person_site()); !s.ok()) return s;
  return tx
      .Exec(
          "INSERT INTO r_trainings (org, name, person, module, site, area, minutes, "
          "complete_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
          {*org, e->enrolment().name(), e->enrolment().person(), e->module(), e->person_site(),
           e->person_area(), int64_t{e->duration_minutes()}, at})
      .status();
}

// An assessment: immutable, recorded once; which one is a person's latest is decided
// when a figure is asked for (by date, then by when it was recorded).
absl::Status OnAssessment(Transaction& tx, const EventEnvelope& event) {
  auto e = Unpack<people::AssessmentRecorded>(event);
  if (!e.ok()) return e.status();
  const people::Assessment& a = e->assessment();
  auto org = OrganizationOf(event, a.name());
  if (!org.ok()) return org.status();
  if (absl::Status s = TouchHomeSite(tx, *org, a.person()); !s.ok()) return s;
  return tx
      .Exec(
          "INSERT INTO r_assessments (org, name, person, competency, level, day, "
          "create_us) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
          {*org, a.name(), a.person(), a.competency(), int64_t{a.level()},
           kpo::core::DateKey(a.assess_date()), Micros(a.create_time())})
      .status();
}

// A target profile's targets, one "competency=level" per line.
absl::Status ProjectTargetProfile(Transaction& tx, const EventEnvelope& event,
                                  const people::TargetProfile& p, int64_t revision) {
  auto org = OrganizationOf(event, p.name());
  if (!org.ok()) return org.status();
  bool exists = false;
  auto newer = IsNewer(tx, "r_target_profiles", *org, p.name(), revision, exists, {});
  if (!newer.ok() || !*newer) return newer.status();
  if (absl::Status s = Touch(tx, *org, ""); !s.ok()) return s;  // every site's targets
  std::string targets;
  for (const auto& t : p.targets()) absl::StrAppend(&targets, t.competency(), "=", t.level(), "\n");
  return tx
      .Exec(
          "INSERT INTO r_target_profiles (org, name, revision, role, kpo_level, active, targets) "
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET "
          "revision = excluded.revision, role = excluded.role, kpo_level = excluded.kpo_level, "
          "active = excluded.active, targets = excluded.targets",
          {*org, p.name(), revision, static_cast<int64_t>(p.role()),
           static_cast<int64_t>(p.kpo_level()), int64_t{p.state() != people::INACTIVE}, targets})
      .status();
}

// Whether a competency is still active (the shipped ones are until an organization
// retires them).
absl::Status ProjectCompetency(Transaction& tx, const EventEnvelope& event,
                               const people::Competency& c, int64_t revision) {
  auto org = OrganizationOf(event, c.name());
  if (!org.ok()) return org.status();
  bool exists = false;
  auto newer = IsNewer(tx, "r_competencies", *org, c.name(), revision, exists, {});
  if (!newer.ok() || !*newer) return newer.status();
  if (absl::Status s = Touch(tx, *org, ""); !s.ok()) return s;
  return tx
      .Exec(
          "INSERT INTO r_competencies (org, name, revision, active) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (org, name) DO UPDATE SET revision = excluded.revision, "
          "active = excluded.active",
          {*org, c.name(), revision, int64_t{c.state() != people::INACTIVE}})
      .status();
}

// A KPO membership, at the person's home site as the event carried it.
template <class Event>
absl::Status OnKpoMember(Transaction& tx, const EventEnvelope& event) {
  auto e = Unpack<Event>(event);
  if (!e.ok()) return e.status();
  const people::KpoMember& m = e->kpo_member();
  auto org = OrganizationOf(event, m.name());
  if (!org.ok()) return org.status();
  bool exists = false;
  auto newer = IsNewer(tx, "r_kpo_members", *org, m.name(), e->revision(), exists);
  if (!newer.ok() || !*newer) return newer.status();
  if (absl::Status s = Touch(tx, *org, e->person_site()); !s.ok()) return s;
  Value deactivated;  // NULL while active
  if (m.state() == people::INACTIVE) deactivated = Micros(m.update_time());
  return tx
      .Exec(
          "INSERT INTO r_kpo_members (org, name, revision, person, site, level, kaizen_pool, "
          "time_share, start_day, end_day, currency, cost_minor, deactivate_us) VALUES (?, ?, ?, "
          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, name) DO UPDATE SET "
          "revision = excluded.revision, person = excluded.person, site = excluded.site, "
          "level = excluded.level, kaizen_pool = excluded.kaizen_pool, "
          "time_share = excluded.time_share, start_day = excluded.start_day, "
          "end_day = excluded.end_day, currency = excluded.currency, "
          "cost_minor = excluded.cost_minor, deactivate_us = excluded.deactivate_us",
          {*org, m.name(), e->revision(), m.person(), e->person_site(),
           static_cast<int64_t>(m.level()), int64_t{m.kaizen_pool()},
           int64_t{m.time_share_percent()}, kpo::core::DateKey(m.start_date()),
           m.has_end_date() ? kpo::core::DateKey(m.end_date()) : int64_t{0},
           m.cost_per_month().currency_code(), m.cost_per_month().minor_units(), deactivated})
      .status();
}

#define KPO_PROFILE_EVENT(Type)                                                       \
  {                                                                                   \
    "kpo.people.v1." #Type,                                                           \
        &Unpacked<people::Type, &people::Type::target_profile, &ProjectTargetProfile> \
  }
#define KPO_COMPETENCY_EVENT(Type) \
  { "kpo.people.v1." #Type, &Unpacked<people::Type, &people::Type::competency, &ProjectCompetency> }

}  // namespace

void AddDevelopmentHandlers(HandlerTable& table) {
  table.insert({
      {"kpo.people.v1.CertificationAwarded", &OnAwarded},
      {"kpo.people.v1.CertificationRenewed", &OnRenewed},
      {"kpo.people.v1.CertificateExpiring", &OnExpiring},
      {"kpo.people.v1.CertificateExpired", &OnExpired},
      {"kpo.people.v1.TrainingCompleted", &OnTrainingCompleted},
      {"kpo.people.v1.AssessmentRecorded", &OnAssessment},
      KPO_PROFILE_EVENT(TargetProfileCreated),
      KPO_PROFILE_EVENT(TargetProfileUpdated),
      KPO_PROFILE_EVENT(TargetProfileDeactivated),
      KPO_COMPETENCY_EVENT(CompetencyCreated),
      KPO_COMPETENCY_EVENT(CompetencyUpdated),
      KPO_COMPETENCY_EVENT(CompetencyDeactivated),
      {"kpo.people.v1.KpoMemberCreated", &OnKpoMember<people::KpoMemberCreated>},
      {"kpo.people.v1.KpoMemberUpdated", &OnKpoMember<people::KpoMemberUpdated>},
      {"kpo.people.v1.KpoMemberDeactivated", &OnKpoMember<people::KpoMemberDeactivated>},
  });
}

#undef KPO_PROFILE_EVENT
#undef KPO_COMPETENCY_EVENT

}  // namespace kpo::reporting::projection
