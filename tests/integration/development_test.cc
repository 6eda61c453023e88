// People development over real processes: the people service with the local broker,
// PeopleDevelopmentService over gRPC on loopback. An assessment from a manager to the
// event on kpo.people.v1, the roles a token must carry, bad input, and tenancy on every
// method.
#include <grpcpp/grpcpp.h>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpc_checks.h"
#include "gtest/gtest.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/people/v1/development_service.grpc.pb.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo/rpc/status.h"
#include "stack.h"

namespace kpo::testing {
namespace {

namespace pb = kpo::people::v1;
using ::testing::ElementsAre;

class DevelopmentStackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The time-driven certification work every 200 ms instead of every minute.
    stack_ = new Stack({"people"}, {{"KPO_CERTIFICATION_CHECK_INTERVAL", "200ms"}});
    admin_ = Stack::Token("acme", {"org_admin"}, "admin");
    DirectoryWriter directory(*stack_, admin_);
    directory.Organization("acme");
    directory.Site("acme", "lyon", "Europe/Paris");
    directory.Person("acme", "leader", "lyon", pb::TEAM_LEADER);
    directory.Person("acme", "m1", "lyon", pb::TEAM_MEMBER, "leader");
    directory.Person("acme", "m2", "lyon", pb::TEAM_MEMBER, "leader");
    ASSERT_TRUE(directory.status().ok()) << directory.status();
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  void SetUp() override {
    stub_ = pb::PeopleDevelopmentService::NewStub(
        grpc::CreateChannel(stack_->GrpcAddress("people"), grpc::InsecureChannelCredentials()));
  }

  template <class Req, class Resp>
  grpc::Status Call(grpc::Status (pb::PeopleDevelopmentService::Stub::*method)(grpc::ClientContext*,
                                                                               const Req&, Resp*),
                    const Req& request, Resp* response, const std::string& token) {
    grpc::ClientContext ctx;
    Authorize(ctx, token);
    return (stub_.get()->*method)(&ctx, request, response);
  }

  static std::string P(const std::string& id) { return "organizations/acme/people/" + id; }
  static std::string C(const std::string& id) { return "organizations/acme/competencies/" + id; }

  static int64_t EventsWritten() { return stack_->EventsWritten("people", admin_); }

  static std::vector<std::string> Fields(const grpc::Status& s) { return ViolatedFields(s); }

  static pb::CreateAssessmentRequest Assess(const std::string& person,
                                            const std::string& competency, int level) {
    pb::CreateAssessmentRequest r;
    r.set_parent(P(person));
    r.mutable_assessment()->set_competency(C(competency));
    r.mutable_assessment()->set_level(level);
    *r.mutable_assessment()->mutable_assess_date() =
        kpo::core::FromCivil(absl::CivilDay(2026, 1, 15));
    return r;
  }

  static Stack* stack_;
  static std::string admin_;
  std::unique_ptr<pb::PeopleDevelopmentService::Stub> stub_;
  const std::string kpo_ = Stack::Token("acme", {"kpo_specialist"}, "kpo");
  const std::string leader_ = Stack::Token("acme", {"team_leader"}, "leader");
  const std::string m1_ = Stack::Token("acme", {"team_member"}, "m1");
};

Stack* DevelopmentStackTest::stack_ = nullptr;
std::string DevelopmentStackTest::admin_;

TEST_F(DevelopmentStackTest, AManagersAssessmentShowsInTheMatrixAndOnTheTopic) {
  pb::CreateTargetProfileRequest profile;
  profile.set_parent("organizations/acme");
  profile.set_target_profile_id("team-member");
  profile.mutable_target_profile()->set_display_name("Team member");
  profile.mutable_target_profile()->set_role(pb::TEAM_MEMBER);
  auto* target = profile.mutable_target_profile()->add_targets();
  target->set_competency(C("five-s"));
  target->set_level(2);
  pb::TargetProfile created;
  // Shaping the model is the KPO's: a team leader is refused by role.
  EXPECT_EQ(
      Call(&pb::PeopleDevelopmentService::Stub::CreateTargetProfile, profile, &created, leader_)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      Call(&pb::PeopleDevelopmentService::Stub::CreateTargetProfile, profile, &created, kpo_).ok());
  pb::Assessment a;
  // A team member assesses nobody; their team leader assesses them.
  EXPECT_EQ(Call(&pb::PeopleDevelopmentService::Stub::CreateAssessment, Assess("m2", "five-s", 1),
                 &a, m1_)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::CreateAssessmentRequest request = Assess("m1", "five-s", 1);
  request.set_request_id("assess-m1-5s");
  ASSERT_TRUE(
      Call(&pb::PeopleDevelopmentService::Stub::CreateAssessment, request, &a, leader_).ok());
  pb::Assessment again;
  ASSERT_TRUE(
      Call(&pb::PeopleDevelopmentService::Stub::CreateAssessment, request, &again, leader_).ok());
  EXPECT_EQ(again.name(), a.name()) << "a retried request_id is one assessment";

  pb::QuerySkillsMatrixRequest q;
  q.set_parent("organizations/acme");
  q.set_site("organizations/acme/sites/lyon");
  q.add_competencies(C("five-s"));
  q.set_gaps_only(true);
  pb::QuerySkillsMatrixResponse matrix;
  ASSERT_TRUE(Call(&pb::PeopleDevelopmentService::Stub::QuerySkillsMatrix, q, &matrix, m1_).ok());
  ASSERT_EQ(matrix.rows_size(), 2);  // m1 (1 of 2) and m2 (never assessed)
  EXPECT_EQ(matrix.rows(0).person(), P("m1"));
  EXPECT_EQ(matrix.rows(0).cells(0).gap(), 1);
  EXPECT_EQ(matrix.rows(1).cells(0).gap(), 2);

  auto events = ReadTopic(stack_->bootstrap(), "kpo.people.v1", [&](const auto& read) {
    for (const auto& e : read) {
      if (e.type() == "kpo.people.v1.AssessmentRecorded") return true;
    }
    return false;
  });
  int recorded = 0;
  for (const auto& e : events) {
    if (e.type() != "kpo.people.v1.AssessmentRecorded") continue;
    ++recorded;
    pb::AssessmentRecorded payload;
    ASSERT_TRUE(e.data().UnpackTo(&payload));
    EXPECT_EQ(e.subject(), P("m1"));
    EXPECT_EQ(payload.assessment().assessor(), P("leader"));
    EXPECT_EQ(payload.assessment().site(), "organizations/acme/sites/lyon");
    EXPECT_EQ(payload.assessment().level(), 1);
    EXPECT_TRUE(payload.latest());
  }
  EXPECT_EQ(recorded, 1);
}

TEST_F(DevelopmentStackTest, BadInputOnEveryMutatingRpcNamesFieldsAndWritesNothing) {
  const int64_t before = EventsWritten();
  pb::Competency c;
  pb::CreateCompetencyRequest create;
  create.set_parent("organizations/acme");
  create.mutable_competency()->set_kind(pb::COMPETENCY_KIND_CORE);
  EXPECT_THAT(
      Fields(Call(&pb::PeopleDevelopmentService::Stub::CreateCompetency, create, &c, kpo_)),
      ElementsAre("competency_id", "competency.display_name", "competency.level_definitions"));
  pb::UpdateCompetencyRequest update;
  update.mutable_competency()->set_name(C("pdca"));
  update.mutable_update_mask()->add_paths("display_name");
  EXPECT_THAT(Fields(Call(&pb::PeopleDevelopmentService::Stub::UpdateCompetency, update, &c, kpo_)),
              ElementsAre("competency.display_name"));
  pb::DeactivateCompetencyRequest deactivate;
  deactivate.set_name("organizations/acme/ideas/x");
  EXPECT_THAT(
      Fields(Call(&pb::PeopleDevelopmentService::Stub::DeactivateCompetency, deactivate, &c, kpo_)),
      ElementsAre("name"));
  pb::TargetProfile t;
  pb::CreateTargetProfileRequest profile;
  profile.set_parent("organizations/acme");
  EXPECT_THAT(
      Fields(Call(&pb::PeopleDevelopmentService::Stub::CreateTargetProfile, profile, &t, kpo_)),
      ElementsAre("target_profile.display_name", "target_profile.role", "target_profile.targets"));
  pb::UpdateTargetProfileRequest update_profile;
  update_profile.mutable_target_profile()->set_name("organizations/acme/targetProfiles/x");
  update_profile.mutable_update_mask()->add_paths("role");
  EXPECT_THAT(Fields(Call(&pb::PeopleDevelopmentService::Stub::UpdateTargetProfile, update_profile,
                          &t, kpo_)),
              ElementsAre("update_mask.paths[0]"));
  pb::DeactivateTargetProfileRequest off;
  off.set_name("organizations/acme/targetProfiles/x");
  off.set_request_id(std::string(65, 'r'));
  EXPECT_THAT(
      Fields(Call(&pb::PeopleDevelopmentService::Stub::DeactivateTargetProfile, off, &t, kpo_)),
      ElementsAre("request_id"));
  pb::Assessment a;
  pb::CreateAssessmentRequest assess = Assess("m1", "juggling", 7);
  assess.mutable_assessment()->clear_assess_date();
  EXPECT_THAT(
      Fields(Call(&pb::PeopleDevelopmentService::Stub::CreateAssessment, assess, &a, leader_)),
      ElementsAre("assessment.level", "assessment.assess_date", "assessment.competency"));
  pb::UpdateCertificationRequirementsRequest rules;
  rules.mutable_certification_requirements()->set_name(
      "organizations/acme/certificationRequirements/silver");
  rules.mutable_certification_requirements()->set_warning_days(-1);
  rules.mutable_update_mask()->add_paths("warning_days");
  pb::CertificationRequirements r;
  EXPECT_THAT(Fields(Call(&pb::PeopleDevelopmentService::Stub::UpdateCertificationRequirements,
                          rules, &r, kpo_)),
              ElementsAre("certification_requirements.warning_days"));
  pb::RecordKnowledgeExamRequest exam;
  exam.set_parent(P("m1"));
  exam.set_score_percent(-3);
  pb::Certificate certificate;
  EXPECT_THAT(Fields(Call(&pb::PeopleDevelopmentService::Stub::RecordKnowledgeExam, exam,
                          &certificate, kpo_)),
              ElementsAre("exam", "date", "score_percent"));
  pb::CreateCertificationApplicationRequest apply;
  apply.set_parent(P("m1"));
  apply.set_certification_application_id("Not An Id");
  pb::CertificationApplication application;
  EXPECT_THAT(Fields(Call(&pb::PeopleDevelopmentService::Stub::CreateCertificationApplication,
                          apply, &application, m1_)),
              ElementsAre("certification_application_id", "certification_application.level"));
  pb::AwardCertificationRequest award;
  award.set_name(P("m1") + "/certificationApplications/x");
  award.set_request_id(std::string(65, 'r'));
  EXPECT_THAT(Fields(Call(&pb::PeopleDevelopmentService::Stub::AwardCertification, award,
                          &application, kpo_)),
              ElementsAre("request_id"));
  pb::ReturnCertificationApplicationRequest give_back;
  give_back.set_name(P("m1") + "/certificationApplications/x");
  EXPECT_THAT(Fields(Call(&pb::PeopleDevelopmentService::Stub::ReturnCertificationApplication,
                          give_back, &application, kpo_)),
              ElementsAre("reason"));
  pb::CreateTrainingModuleRequest module;
  module.set_parent("organizations/acme");
  module.mutable_training_module()->set_duration_minutes(1);
  pb::TrainingModule m;
  EXPECT_THAT(
      Fields(Call(&pb::PeopleDevelopmentService::Stub::CreateTrainingModule, module, &m, kpo_)),
      ElementsAre("training_module.title", "training_module.competencies",
                  "training_module.duration_minutes"));
  pb::CreateLearningPathRequest path;
  path.set_parent("organizations/acme");
  path.mutable_learning_path()->set_title("Leaders");
  pb::LearningPath lp;
  EXPECT_THAT(
      Fields(Call(&pb::PeopleDevelopmentService::Stub::CreateLearningPath, path, &lp, kpo_)),
      ElementsAre("learning_path.role", "learning_path.modules"));
  pb::CreateTrainingSessionRequest session;
  session.set_parent("organizations/acme");
  session.mutable_training_session()->set_capacity(900);
  pb::TrainingSession ts;
  EXPECT_THAT(
      Fields(Call(&pb::PeopleDevelopmentService::Stub::CreateTrainingSession, session, &ts, kpo_)),
      ElementsAre("training_session.module", "training_session.trainer", "training_session.site",
                  "training_session.place", "training_session.start_time",
                  "training_session.capacity"));
  pb::RecordTrainingOutcomeRequest outcome;
  outcome.set_name("organizations/acme/trainingSessions/x/enrolments/m1");
  outcome.set_score_percent(101);
  pb::Enrolment enrolment;
  EXPECT_THAT(Fields(Call(&pb::PeopleDevelopmentService::Stub::RecordTrainingOutcome, outcome,
                          &enrolment, kpo_)),
              ElementsAre("score_percent", "passed"));
  pb::CreateStudyItemRequest item;
  item.set_parent(P("m1"));
  item.mutable_study_item()->set_kind(pb::STUDY_ITEM_KIND_CERTIFICATION_GOAL);
  pb::StudyItem study;
  EXPECT_THAT(Fields(Call(&pb::PeopleDevelopmentService::Stub::CreateStudyItem, item, &study, m1_)),
              ElementsAre("study_item.title", "study_item.certification_level"));
  pb::UpdateDevelopmentPlanRequest plan;
  plan.mutable_development_plan()->set_name(P("m1") + "/developmentPlan");
  plan.mutable_development_plan()->set_aspiration(std::string(2001, 'a'));
  plan.mutable_update_mask()->add_paths("aspiration");
  pb::DevelopmentPlan dp;
  EXPECT_THAT(
      Fields(Call(&pb::PeopleDevelopmentService::Stub::UpdateDevelopmentPlan, plan, &dp, m1_)),
      ElementsAre("development_plan.aspiration"));
  EXPECT_EQ(EventsWritten(), before) << "a refused request wrote an event";
}

TEST_F(DevelopmentStackTest, EveryRpcRefusesAnotherOrganizationsNames) {
  const std::vector<std::string> names = {
      "organizations/acme",
      "organizations/acme/competencies/pdca",
      "organizations/acme/targetProfiles/x",
      "organizations/acme/people/m1",
      "organizations/acme/people/-",
      "organizations/acme/people/m1/assessments/x",
      "organizations/acme/people/m1/competencyProfile",
      "organizations/acme/people/m1/evidence/x",
      "organizations/acme/kpoMembers/x",
      "organizations/acme/certificationRequirements/bronze",
      "organizations/acme/people/m1/certificates/x",
      "organizations/acme/people/m1/certificationApplications/x",
      "organizations/acme/people/m1/certificationProgress",
      "organizations/acme/trainingModules/x",
      "organizations/acme/learningPaths/x",
      "organizations/acme/trainingSessions/x",
      "organizations/acme/trainingSessions/-",
      "organizations/acme/trainingSessions/x/enrolments/m1",
      "organizations/acme/people/m1/developmentPlan",
      "organizations/acme/people/m1/studyItems/x"};
  const int64_t before = EventsWritten();
  const auto outcomes =
      CallEveryMethod(stack_->GrpcAddress("people"), "kpo.people.v1.PeopleDevelopmentService",
                      names, Stack::Token("globex", {"org_admin"}, "spy"));
  EXPECT_EQ(outcomes.size(),
            static_cast<size_t>(google::protobuf::DescriptorPool::generated_pool()
                                    ->FindServiceByName("kpo.people.v1.PeopleDevelopmentService")
                                    ->method_count()));
  ExpectEveryMethodRefusesEveryName(outcomes, names);
  EXPECT_EQ(EventsWritten(), before) << "another organization's call wrote an event";
  // And with this organization's token, a malformed request_id is refused by every
  // mutating method, naming the field, with nothing written.
  const auto malformed =
      CallEveryMethod(stack_->GrpcAddress("people"), "kpo.people.v1.PeopleDevelopmentService",
                      names, admin_, MalformRequestId);
  ExpectEveryMutationRefusesABadRequestId(malformed, "kpo.people.v1.PeopleDevelopmentService");
  // The directory's PeopleService, in the same process, likewise.
  const auto directory =
      CallEveryMethod(stack_->GrpcAddress("people"), "kpo.people.v1.PeopleService",
                      {"organizations/acme", "organizations/acme/sites/lyon",
                       "organizations/acme/sites/lyon/areas/x", "organizations/acme/people/m1",
                       "organizations/acme/coachingRelationships/x"},
                      admin_, MalformRequestId);
  ExpectEveryMutationRefusesABadRequestId(directory, "kpo.people.v1.PeopleService");
  EXPECT_EQ(EventsWritten(), before) << "a refused request wrote an event";
}

// The certificates' CertificateExpiring events on kpo.people.v1, read until `certificate`
// has at least one.
std::vector<pb::CertificateExpiring> Expiring(const std::string& bootstrap,
                                              const std::string& certificate) {
  auto decode = [&](const std::vector<kpo::common::v1::EventEnvelope>& envelopes) {
    std::vector<pb::CertificateExpiring> out;
    for (const auto& e : envelopes) {
      pb::CertificateExpiring event;
      if (e.type() == "kpo.people.v1.CertificateExpiring" && e.data().UnpackTo(&event) &&
          event.certificate().name() == certificate) {
        out.push_back(event);
      }
    }
    return out;
  };
  return decode(ReadTopic(bootstrap, "kpo.people.v1",
                          [&](const auto& envelopes) { return !decode(envelopes).empty(); }));
}

TEST_F(DevelopmentStackTest, AnExpiryWarningIsPublishedOnceAcrossARestart) {
  // Acme's Bronze: one kaizen participation, valid one month, warned 90 days ahead — so
  // a certificate awarded today is in its warning period at once.
  pb::UpdateCertificationRequirementsRequest rules;
  auto* bronze = rules.mutable_certification_requirements();
  bronze->set_name("organizations/acme/certificationRequirements/bronze");
  bronze->set_validity_months(1);
  bronze->set_warning_days(90);
  bronze->add_evidence()->set_kind(pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
  bronze->mutable_evidence(0)->set_count(1);
  for (const char* path : {"evidence", "validity_months", "warning_days"}) {
    rules.mutable_update_mask()->add_paths(path);
  }
  pb::CertificationRequirements updated;
  EXPECT_EQ(Call(&pb::PeopleDevelopmentService::Stub::UpdateCertificationRequirements, rules,
                 &updated, leader_)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Call(&pb::PeopleDevelopmentService::Stub::UpdateCertificationRequirements, rules,
                   &updated, kpo_)
                  .ok());
  // m2: the exam, one approved piece of evidence, an application by their leader.
  pb::RecordKnowledgeExamRequest exam;
  exam.set_parent(P("m2"));
  exam.set_exam("Lean fundamentals");
  *exam.mutable_date() = kpo::core::FromCivil(absl::CivilDay(2026, 1, 5));
  pb::Certificate knowledge;
  EXPECT_EQ(
      Call(&pb::PeopleDevelopmentService::Stub::RecordKnowledgeExam, exam, &knowledge, leader_)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);  // certifiers record exams
  ASSERT_TRUE(
      Call(&pb::PeopleDevelopmentService::Stub::RecordKnowledgeExam, exam, &knowledge, kpo_).ok());
  pb::CreateEvidenceRequest evidence;
  evidence.set_parent(P("m2"));
  evidence.mutable_evidence()->set_kind(pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
  evidence.mutable_evidence()->set_title("Press line SMED");
  *evidence.mutable_evidence()->mutable_date() = kpo::core::FromCivil(absl::CivilDay(2026, 2, 2));
  evidence.mutable_evidence()->set_site("organizations/acme/sites/lyon");
  pb::Evidence e;
  ASSERT_TRUE(
      Call(&pb::PeopleDevelopmentService::Stub::CreateEvidence, evidence, &e, leader_).ok());
  pb::ApproveEvidenceRequest approve;
  approve.set_name(e.name());
  ASSERT_TRUE(Call(&pb::PeopleDevelopmentService::Stub::ApproveEvidence, approve, &e, kpo_).ok());
  pb::GetCertificationProgressRequest progress;
  progress.set_name(P("m2") + "/certificationProgress");
  pb::CertificationProgress ready;
  ASSERT_TRUE(
      Call(&pb::PeopleDevelopmentService::Stub::GetCertificationProgress, progress, &ready, m1_)
          .ok());
  EXPECT_TRUE(ready.ready());
  pb::CreateCertificationApplicationRequest apply;
  apply.set_parent(P("m2"));
  apply.mutable_certification_application()->set_level(pb::CERTIFICATION_LEVEL_BRONZE);
  pb::CertificationApplication application;
  ASSERT_TRUE(Call(&pb::PeopleDevelopmentService::Stub::CreateCertificationApplication, apply,
                   &application, leader_)
                  .ok());
  pb::AwardCertificationRequest award;
  award.set_name(application.name());
  EXPECT_EQ(
      Call(&pb::PeopleDevelopmentService::Stub::AwardCertification, award, &application, leader_)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);  // certifiers award
  ASSERT_TRUE(
      Call(&pb::PeopleDevelopmentService::Stub::AwardCertification, award, &application, kpo_)
          .ok());
  // The background work warns at once; a restart does not warn again.
  ASSERT_EQ(Expiring(stack_->bootstrap(), application.certificate()).size(), 1u);
  stack_->StopService("people");
  stack_->StartService("people");
  SetUp();
  absl::SleepFor(absl::Seconds(1));  // five passes of the background work
  const auto after = Expiring(stack_->bootstrap(), application.certificate());
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].person_site(), "organizations/acme/sites/lyon");
  EXPECT_GT(after[0].days_left(), 27);
  pb::GetCertificateRequest get;
  get.set_name(application.certificate());
  pb::Certificate certificate;
  ASSERT_TRUE(
      Call(&pb::PeopleDevelopmentService::Stub::GetCertificate, get, &certificate, m1_).ok());
  EXPECT_TRUE(certificate.has_warning_time());
  EXPECT_EQ(certificate.state(), pb::CERTIFICATE_STATE_VALID);
}

}  // namespace
}  // namespace kpo::testing
