// Certification over a real SQLite file: each organization's requirements, the
// Knowledge exam, applications refused with the reason and what is missing, awards,
// returns, recertification, "what does this person still need", and the time-driven
// expiry warnings and expiries — each published once, at the holder's home site's day.
#include "certification.h"

#include "certification_store.h"
#include "fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/people/v1/events.pb.h"
#include "portfolio_store.h"

namespace kpo::people {
namespace {

namespace pb = kpo::people::v1;
using kpo::auth::Principal;
using kpo::core::ErrorMetadata;
using kpo::core::ErrorReason;
using kpo::core::FieldViolationsOf;
using ::testing::ElementsAre;
using testing::kOrg;
using testing::P;
using ::testing::Pair;

constexpr auto kBronze = pb::CERTIFICATION_LEVEL_BRONZE;

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(s)) out.push_back(v.field);
  return out;
}

absl::Time At(int y, int m, int d, int h, int min = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h, min, 0), absl::UTCTimeZone());
}

class CertificationTest : public testing::PeopleFixture {
 protected:
  void SetUp() override {
    PeopleFixture::SetUp();
    cert_ = std::make_unique<Certification>(*commands_, tokens_);
  }

  // Counted evidence of `kind` for `person`, dated from `from` on (one a day).
  void Evidence(const std::string& person, pb::EvidenceKind kind, int n, absl::CivilDay from) {
    ASSERT_TRUE(db_->Write([&](kpo::storage::Transaction& tx) -> absl::Status {
                     for (int i = 0; i < n; ++i) {
                       pb::Evidence e;
                       e.set_name(P(person) + "/evidence/" + std::to_string(++seq_));
                       e.set_person(P(person));
                       e.set_kind(kind);
                       e.set_title("work");
                       e.set_state(pb::EVIDENCE_STATE_COUNTED);
                       *e.mutable_date() = kpo::core::FromCivil(from + i);
                       if (absl::Status s = store::SaveEvidence(tx, "acme", e, 1); !s.ok()) {
                         return s;
                       }
                     }
                     return absl::OkStatus();
                   })
                    .ok());
  }

  // A full Bronze portfolio dated from `from`.
  void BronzePortfolio(const std::string& person, absl::CivilDay from) {
    Evidence(person, pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION, 3, from);
    Evidence(person, pb::EVIDENCE_KIND_KAIZEN_FACILITATION, 1, from);
    Evidence(person, pb::EVIDENCE_KIND_VALUE_STREAM_ANALYSIS, 1, from);
  }

  absl::StatusOr<pb::Certificate> Exam(const std::string& person, const Principal& by,
                                       absl::CivilDay day = absl::CivilDay(2026, 3, 2)) {
    pb::RecordKnowledgeExamRequest r;
    r.set_parent(P(person));
    r.set_exam("Lean fundamentals");
    *r.mutable_date() = kpo::core::FromCivil(day);
    r.set_score_percent(86);
    return cert_->RecordKnowledgeExam(by, r);
  }

  absl::StatusOr<pb::CertificationApplication> Apply(const std::string& person, const Principal& by,
                                                     pb::CertificationLevel level = kBronze) {
    pb::CreateCertificationApplicationRequest r;
    r.set_parent(P(person));
    r.mutable_certification_application()->set_level(level);
    r.mutable_certification_application()->set_statement("Press line SMED, A3 on scrap");
    return cert_->CreateCertificationApplication(by, r);
  }

  absl::StatusOr<pb::CertificationApplication> Award(const std::string& name, const Principal& by) {
    pb::AwardCertificationRequest r;
    r.set_name(name);
    return cert_->AwardCertification(by, r);
  }

  pb::CertificationProgress Progress(
      const std::string& person,
      pb::CertificationLevel level = pb::CERTIFICATION_LEVEL_UNSPECIFIED) {
    pb::GetCertificationProgressRequest r;
    r.set_name(P(person) + "/certificationProgress");
    r.set_level(level);
    auto p = cert_->GetCertificationProgress(admin_, r);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.value_or(pb::CertificationProgress());
  }

  // Ann, Bronze: exam, portfolio, application, award (on 2026-11-22 at Lyon).
  pb::Certificate AnnBronze() {
    EXPECT_TRUE(Exam("ann", kpo_).ok());
    BronzePortfolio("ann", absl::CivilDay(2026, 5, 4));
    auto applied = Apply("ann", tl_);
    EXPECT_TRUE(applied.ok()) << applied.status();
    auto awarded = Award(applied->name(), kpo_);
    EXPECT_TRUE(awarded.ok()) << awarded.status();
    pb::GetCertificateRequest get;
    get.set_name(awarded->certificate());
    return cert_->GetCertificate(admin_, get).value();
  }

  Principal ann_certifier_{"ann", "acme", {kpo::auth::kKpoSpecialist}};
  std::unique_ptr<Certification> cert_;
  int seq_ = 0;
};

TEST_F(CertificationTest, RequirementsAreTheShippedDefaultsUntilAnOrganizationChangesThem) {
  pb::ListCertificationRequirementsRequest list;
  list.set_parent(kOrg);
  auto all = cert_->ListCertificationRequirements(kpo_, list);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->certification_requirements_size(), 3);
  const auto& bronze = all->certification_requirements(0);
  EXPECT_EQ(bronze.name(), "organizations/acme/certificationRequirements/bronze");
  EXPECT_EQ(bronze.etag(), "0");
  EXPECT_FALSE(bronze.customized());
  EXPECT_EQ(bronze.validity_months(), 36);
  EXPECT_EQ(all->certification_requirements(2).evidence(3).min_value_streams(), 2);

  pb::UpdateCertificationRequirementsRequest update;
  auto* r = update.mutable_certification_requirements();
  r->set_name("organizations/acme/certificationRequirements/bronze");
  r->set_etag("0");
  r->set_validity_months(24);
  auto* e = r->add_evidence();
  e->set_kind(pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
  e->set_count(2);
  update.mutable_update_mask()->add_paths("validity_months");
  update.mutable_update_mask()->add_paths("evidence");
  auto updated = cert_->UpdateCertificationRequirements(kpo_, update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->etag(), "1");
  EXPECT_TRUE(updated->customized());
  EXPECT_EQ(updated->evidence_size(), 1);
  EXPECT_EQ(updated->warning_days(), 90);  // not in the mask
  EXPECT_EQ(LastEvent<pb::CertificationRequirementsUpdated>().certification_requirements().name(),
            r->name());
  // The stale etag, then bad values named field by field, nothing written.
  EXPECT_EQ(cert_->UpdateCertificationRequirements(kpo_, update).status().code(),
            absl::StatusCode::kAborted);
  r->set_etag("");
  r->set_validity_months(500);
  r->mutable_evidence(0)->set_count(0);
  const int64_t before = OutboxCount();
  EXPECT_THAT(Fields(cert_->UpdateCertificationRequirements(kpo_, update).status()),
              ElementsAre("certification_requirements.evidence[0].count",
                          "certification_requirements.validity_months"));
  r->set_name("organizations/acme/certificationRequirements/platinum");
  EXPECT_EQ(cert_->UpdateCertificationRequirements(kpo_, update).status().code(),
            absl::StatusCode::kNotFound);
  update.mutable_update_mask()->add_paths("level");
  r->set_name("organizations/acme/certificationRequirements/gold");
  EXPECT_THAT(Fields(cert_->UpdateCertificationRequirements(kpo_, update).status()),
              ElementsAre("update_mask.paths[2]"));
  EXPECT_EQ(OutboxCount(), before);
  pb::GetCertificationRequirementsRequest get;
  get.set_name("organizations/acme/certificationRequirements/bronze");
  EXPECT_EQ(cert_->GetCertificationRequirements(globex_, get).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(CertificationTest, TheKnowledgeExamIsRecordedOnceByACertifierOtherThanTheCandidate) {
  auto knowledge = Exam("ann", kpo_);
  ASSERT_TRUE(knowledge.ok()) << knowledge.status();
  EXPECT_EQ(knowledge->name(), P("ann") + "/certificates/knowledge");
  EXPECT_EQ(knowledge->level(), pb::CERTIFICATION_LEVEL_KNOWLEDGE);
  EXPECT_FALSE(knowledge->has_expire_date());
  EXPECT_EQ(knowledge->score_percent(), 86);
  const auto awarded = LastEvent<pb::CertificationAwarded>();
  EXPECT_EQ(awarded.certificate().name(), knowledge->name());
  EXPECT_EQ(awarded.person_site(), std::string(kOrg) + "/sites/lyon");
  EXPECT_EQ(awarded.person_area(), std::string(kOrg) + "/sites/lyon/areas/assembly");
  EXPECT_EQ(Exam("ann", kpo_).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorReason(Exam("ann", ann_certifier_).status()), "SELF_REVIEW");
  // Tomorrow at Lyon (20:00 UTC on the 22nd): not yet.
  EXPECT_THAT(Fields(Exam("ben", kpo_, absl::CivilDay(2026, 11, 23)).status()),
              ElementsAre("date"));
  // ...but already the 23rd at Pune.
  EXPECT_TRUE(Exam("raj", kpo_, absl::CivilDay(2026, 11, 23)).ok());
  pb::RecordKnowledgeExamRequest bad;
  bad.set_parent(P("nobody"));
  bad.set_score_percent(101);
  EXPECT_THAT(Fields(cert_->RecordKnowledgeExam(kpo_, bad).status()),
              ElementsAre("exam", "date", "score_percent", "parent"));
}

TEST_F(CertificationTest, AnApplicationIsRefusedWithWhatIsMissingUntilThePortfolioIsComplete) {
  auto refused = Apply("ann", tl_);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(refused.status()), "PREREQUISITE_NOT_MET");
  EXPECT_THAT(ErrorMetadata(refused.status()),
              ::testing::Contains(Pair("missing_levels", "CERTIFICATION_LEVEL_KNOWLEDGE")));
  ASSERT_TRUE(Exam("ann", kpo_).ok());
  Evidence("ann", pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION, 2, absl::CivilDay(2026, 5, 4));
  refused = Apply("ann", tl_);
  EXPECT_EQ(ErrorReason(refused.status()), "REQUIREMENTS_NOT_MET");
  EXPECT_THAT(
      ErrorMetadata(refused.status()),
      ::testing::Contains(Pair("missing",
                               "EVIDENCE_KIND_KAIZEN_PARTICIPATION=1,EVIDENCE_KIND_"
                               "KAIZEN_FACILITATION=1,EVIDENCE_KIND_VALUE_STREAM_ANALYSIS=1")));
  // What she still needs, item by item, with what is already counted.
  auto progress = Progress("ann");
  EXPECT_EQ(progress.level(), kBronze);
  EXPECT_FALSE(progress.ready());
  ASSERT_EQ(progress.requirements_size(), 3);
  EXPECT_EQ(progress.requirements(0).counted(), 2);
  EXPECT_EQ(progress.requirements(0).evidence_size(), 2);
  EXPECT_EQ(progress.requirements(0).missing(), 1);
  EXPECT_EQ(progress.prerequisites(0).certificate(), P("ann") + "/certificates/knowledge");

  BronzePortfolio("ann", absl::CivilDay(2026, 6, 1));
  EXPECT_TRUE(Progress("ann").ready());
  // Someone who is neither Ann, a manager above her, nor a certifier.
  EXPECT_EQ(ErrorReason(Apply("ann", peer_).status()), "NOT_AN_APPLICANT");
  const int64_t before = OutboxCount();
  auto applied = Apply("ann", tl_);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->state(), pb::CERTIFICATION_APPLICATION_STATE_SUBMITTED);
  EXPECT_FALSE(applied->renewal());
  EXPECT_EQ(applied->submitted_by(), P("tl"));
  EXPECT_EQ(applied->requirements(0).counted(), 5);
  EXPECT_EQ(OutboxCount(), before + 1);
  EXPECT_EQ(LastEvent<pb::CertificationApplied>().person_roles(0), pb::TEAM_MEMBER);
  EXPECT_EQ(ErrorReason(Apply("ann", tl_).status()), "APPLICATION_OPEN");
  EXPECT_EQ(Progress("ann").open_application(), applied->name());
  EXPECT_FALSE(Progress("ann").ready());
  // Field rules, every field at once.
  pb::CreateCertificationApplicationRequest bad;
  bad.set_parent(P("ann"));
  bad.mutable_certification_application()->set_level(pb::CERTIFICATION_LEVEL_KNOWLEDGE);
  bad.mutable_certification_application()->set_statement(std::string(4001, 's'));
  EXPECT_THAT(
      Fields(cert_->CreateCertificationApplication(tl_, bad).status()),
      ElementsAre("certification_application.level", "certification_application.statement"));
}

TEST_F(CertificationTest, ACertifierAwardsTheLevelForItsValidity) {
  ASSERT_TRUE(Exam("ann", kpo_).ok());
  BronzePortfolio("ann", absl::CivilDay(2026, 5, 4));
  auto applied = Apply("ann", Principal{"ann", "acme", {kpo::auth::kTeamMember}});  // herself
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(ErrorReason(Award(applied->name(), ann_certifier_).status()), "SELF_REVIEW");
  pb::AwardCertificationRequest stale;
  stale.set_name(applied->name());
  stale.set_etag("7");
  EXPECT_EQ(cert_->AwardCertification(kpo_, stale).status().code(), absl::StatusCode::kAborted);
  auto awarded = Award(applied->name(), kpo_);
  ASSERT_TRUE(awarded.ok()) << awarded.status();
  EXPECT_EQ(awarded->state(), pb::CERTIFICATION_APPLICATION_STATE_AWARDED);
  EXPECT_EQ(awarded->certificate(), P("ann") + "/certificates/bronze-1");
  EXPECT_EQ(awarded->etag(), "2");
  const auto event = LastEvent<pb::CertificationAwarded>();
  EXPECT_EQ(event.certificate().level(), kBronze);
  EXPECT_EQ(kpo::core::ToCivil(event.certificate().award_date()), absl::CivilDay(2026, 11, 22));
  EXPECT_EQ(kpo::core::ToCivil(event.certificate().expire_date()), absl::CivilDay(2029, 11, 22));
  EXPECT_EQ(event.application().name(), applied->name());
  EXPECT_EQ(ErrorReason(Award(applied->name(), kpo_).status()), "APPLICATION_NOT_SUBMITTED");
  // Held and valid: a new application waits for the warning period.
  auto again = Apply("ann", tl_);
  EXPECT_EQ(ErrorReason(again.status()), "ALREADY_CERTIFIED");
  EXPECT_THAT(ErrorMetadata(again.status()),
              ::testing::Contains(Pair("renewable_from", "2029-08-24")));
  // Next: Silver, which her valid Bronze opens.
  const auto next = Progress("ann");
  EXPECT_EQ(next.level(), pb::CERTIFICATION_LEVEL_SILVER);
  EXPECT_THAT(next.prerequisites(), ::testing::SizeIs(2));
  EXPECT_TRUE(next.prerequisites(1).met());
  EXPECT_EQ(next.valid_certificates_size(), 2);
  pb::ListCertificatesRequest list;
  list.set_parent(std::string(kOrg) + "/people/-");
  list.set_level(kBronze);
  EXPECT_EQ(cert_->ListCertificates(admin_, list)->certificates_size(), 1);
  *list.mutable_expire_before() = kpo::core::FromCivil(absl::CivilDay(2029, 11, 22));
  EXPECT_EQ(cert_->ListCertificates(admin_, list)->certificates_size(), 0);
  *list.mutable_expire_before() = kpo::core::FromCivil(absl::CivilDay(2029, 11, 23));
  EXPECT_EQ(cert_->ListCertificates(admin_, list)->certificates_size(), 1);
}

TEST_F(CertificationTest, AReturnedApplicationCarriesItsReasonsAndMayBeSubmittedAgain) {
  ASSERT_TRUE(Exam("ann", kpo_).ok());
  BronzePortfolio("ann", absl::CivilDay(2026, 5, 4));
  auto applied = Apply("ann", tl_);
  ASSERT_TRUE(applied.ok());
  pb::ReturnCertificationApplicationRequest r;
  r.set_name(applied->name());
  EXPECT_THAT(Fields(cert_->ReturnCertificationApplication(kpo_, r).status()),
              ElementsAre("reason"));
  r.set_reason("Write the SMED event up as PDCA, with the before and after");
  auto returned = cert_->ReturnCertificationApplication(kpo_, r);
  ASSERT_TRUE(returned.ok()) << returned.status();
  EXPECT_EQ(returned->state(), pb::CERTIFICATION_APPLICATION_STATE_RETURNED);
  EXPECT_EQ(LastEvent<pb::CertificationReturned>().application().return_reason(), r.reason());
  EXPECT_TRUE(Apply("ann", tl_).ok());
  pb::ListCertificationApplicationsRequest list;
  list.set_parent(P("ann"));
  auto listed = cert_->ListCertificationApplications(ann_certifier_, list);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->certification_applications_size(), 2);
  EXPECT_EQ(listed->certification_applications(0).name(), applied->name());
  list.set_state(pb::CERTIFICATION_APPLICATION_STATE_SUBMITTED);
  EXPECT_EQ(cert_->ListCertificationApplications(admin_, list)->certification_applications_size(),
            1);
}

TEST_F(CertificationTest, ExpiryIsWarnedAndPublishedOnceAtTheHoldersDay) {
  const pb::Certificate bronze = AnnBronze();
  EXPECT_EQ(*cert_->PublishDue(), 0);
  // The warning period starts 2029-08-24 at Lyon (UTC+2 in summer): not at 21:00 UTC
  // on the 23rd, although it is already the 24th east of Lyon.
  clock_.Set(At(2029, 8, 23, 21));
  EXPECT_EQ(*cert_->PublishDue(), 0);
  clock_.Set(At(2029, 8, 23, 22, 30));
  EXPECT_EQ(*cert_->PublishDue(), 1);
  const auto expiring = LastEvent<pb::CertificateExpiring>();
  EXPECT_EQ(expiring.certificate().name(), bronze.name());
  EXPECT_EQ(expiring.days_left(), 90);
  EXPECT_EQ(expiring.person_site(), std::string(kOrg) + "/sites/lyon");
  EXPECT_EQ(*cert_->PublishDue(), 0);  // once
  clock_.Set(At(2029, 10, 1, 12));
  EXPECT_EQ(*cert_->PublishDue(), 0);
  EXPECT_EQ(Progress("ann").level(), kBronze);  // its recertification comes first now
  clock_.Set(At(2029, 11, 22, 12));
  EXPECT_EQ(*cert_->PublishDue(), 1);
  EXPECT_EQ(LastEvent<pb::CertificateExpired>().certificate().state(),
            pb::CERTIFICATE_STATE_EXPIRED);
  EXPECT_EQ(*cert_->PublishDue(), 0);
  pb::GetCertificateRequest get;
  get.set_name(bronze.name());
  auto expired = cert_->GetCertificate(admin_, get);
  EXPECT_EQ(expired->state(), pb::CERTIFICATE_STATE_EXPIRED);
  EXPECT_TRUE(expired->has_warning_time());
  EXPECT_EQ(Progress("ann").valid_certificates_size(), 1);  // Knowledge only
}

TEST_F(CertificationTest, ARecertificationRenewsFromTheOldExpiryWithNewEvidence) {
  const pb::Certificate bronze = AnnBronze();
  clock_.Set(At(2029, 9, 1, 12));
  ASSERT_EQ(*cert_->PublishDue(), 1);  // the warning
  auto refused = Apply("ann", tl_);
  EXPECT_EQ(ErrorReason(refused.status()), "REQUIREMENTS_NOT_MET");  // old evidence: not again
  BronzePortfolio("ann", absl::CivilDay(2027, 2, 1));
  auto applied = Apply("ann", tl_);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(applied->renewal());
  auto awarded = Award(applied->name(), kpo_);
  ASSERT_TRUE(awarded.ok()) << awarded.status();
  EXPECT_EQ(awarded->certificate(), P("ann") + "/certificates/bronze-2");
  const auto renewed = LastEvent<pb::CertificationRenewed>();
  EXPECT_EQ(renewed.renewed().name(), bronze.name());
  EXPECT_EQ(renewed.renewed().state(), pb::CERTIFICATE_STATE_RENEWED);
  EXPECT_EQ(renewed.certificate().renews(), bronze.name());
  // Renewed early: valid from the old expiry for another 36 months.
  EXPECT_EQ(kpo::core::ToCivil(renewed.certificate().expire_date()), absl::CivilDay(2032, 11, 22));
  // The renewed certificate is never warned or expired again.
  clock_.Set(At(2029, 12, 1, 12));
  EXPECT_EQ(*cert_->PublishDue(), 0);
}

TEST_F(CertificationTest, AnotherOrganizationSeesAndChangesNothing) {
  const pb::Certificate bronze = AnnBronze();
  pb::GetCertificateRequest get;
  get.set_name(bronze.name());
  EXPECT_EQ(cert_->GetCertificate(globex_, get).status().code(),
            absl::StatusCode::kPermissionDenied);
  pb::GetCertificationProgressRequest progress;
  progress.set_name(P("ann") + "/certificationProgress");
  EXPECT_EQ(cert_->GetCertificationProgress(globex_, progress).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Apply("ann", globex_).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Exam("ben", globex_).status().code(), absl::StatusCode::kPermissionDenied);
  pb::ListCertificatesRequest list;
  list.set_parent(std::string(kOrg) + "/people/-");
  EXPECT_EQ(cert_->ListCertificates(globex_, list).status().code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace kpo::people
