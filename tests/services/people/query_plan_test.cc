// Every SQL statement the people store issues while the application works, checked
// against SQLite's query plan (tests/services/query_plan.h): none may scan a whole
// table or sort every match, because its cost would grow with the organization.
#include "query_plan.h"

#include "assessments.h"
#include "certification.h"
#include "competencies.h"
#include "curriculum.h"
#include "development_plans.h"
#include "directory.h"
#include "gtest/gtest.h"
#include "kpo/command/command.h"
#include "kpo/core/date.h"
#include "kpo_office.h"
#include "portfolio.h"

namespace kpo {
namespace {

using kpo::storage::Transaction;

class QueryPlanTest : public kpo::testing::QueryPlanFixture {
 protected:
  void SetUp() override { Open("people", kpo::people::Migrations()); }
};

TEST_F(QueryPlanTest, PeopleDirectoryStatementsAllUseIndexes) {
  namespace pb = kpo::people::v1;
  kpo::command::Runner commands(*recording_, outbox_, clock_);
  kpo::people::Directory directory(commands, tokens_, nullptr, {.pages = {.default_size = 2}});
  pb::CreateOrganizationRequest org;
  org.set_organization_id("acme");
  org.mutable_organization()->set_display_name("Acme");
  org.mutable_organization()->set_maturity_stage(pb::MATURITY_STAGE_PILOTING);
  ASSERT_TRUE(directory.CreateOrganization(admin_, org).ok());
  pb::CreateSiteRequest site;
  site.set_parent("organizations/acme");
  site.set_site_id("lyon");
  site.set_request_id("site-1");
  site.mutable_site()->set_display_name("Lyon");
  site.mutable_site()->set_time_zone("Europe/Paris");
  ASSERT_TRUE(directory.CreateSite(admin_, site).ok());
  pb::CreateAreaRequest area;
  area.set_parent("organizations/acme/sites/lyon");
  area.set_area_id("line");
  area.mutable_area()->set_display_name("Line");
  area.mutable_area()->set_kind(pb::VALUE_STREAM);
  ASSERT_TRUE(directory.CreateArea(admin_, area).ok());
  for (int i = 0; i < 5; ++i) {
    pb::CreatePersonRequest p;
    p.set_parent("organizations/acme");
    p.set_person_id("p" + std::to_string(i));
    p.mutable_person()->set_display_name("P");
    p.mutable_person()->set_employee_id("E" + std::to_string(i));
    p.mutable_person()->set_home_site("organizations/acme/sites/lyon");
    p.mutable_person()->set_area("organizations/acme/sites/lyon/areas/line");
    p.mutable_person()->add_roles(pb::TEAM_MEMBER);
    if (i > 0) p.mutable_person()->set_manager("organizations/acme/people/p0");
    ASSERT_TRUE(directory.CreatePerson(admin_, p).ok());
  }
  pb::UpdatePersonRequest u;
  u.mutable_person()->set_name("organizations/acme/people/p1");
  u.mutable_person()->set_employee_id("E9");
  u.mutable_update_mask()->add_paths("employee_id");
  ASSERT_TRUE(directory.UpdatePerson(admin_, u).ok());
  pb::CreateCoachingRelationshipRequest c;
  c.set_parent("organizations/acme");
  c.mutable_coaching_relationship()->set_coach("organizations/acme/people/p0");
  c.mutable_coaching_relationship()->set_learner("organizations/acme/people/p1");
  c.mutable_coaching_relationship()->mutable_cadence()->set_sessions_per_week(3);
  ASSERT_TRUE(directory.CreateCoachingRelationship(admin_, c).ok());
  pb::ListPeopleRequest list;
  list.set_parent("organizations/acme");
  list.set_site("organizations/acme/sites/lyon");
  list.set_role(pb::TEAM_MEMBER);
  auto first = directory.ListPeople(admin_, list);
  ASSERT_TRUE(first.ok());
  list.set_page_token(first->next_page_token());
  ASSERT_TRUE(directory.ListPeople(admin_, list).ok());
  pb::ListAreasRequest areas;
  areas.set_parent("organizations/acme/sites/-");
  ASSERT_TRUE(directory.ListAreas(admin_, areas).ok());
  pb::GetPersonRequest get;
  get.set_name("organizations/acme/people/p2");
  ASSERT_TRUE(directory.GetPerson(admin_, get).ok());
  pb::DeactivatePersonRequest d;
  d.set_name("organizations/acme/people/p1");
  ASSERT_TRUE(directory.DeactivatePerson(admin_, d).ok());
  ExpectEveryStatementUsesAnIndex();
}

TEST_F(QueryPlanTest, CompetencyModelAndAssessmentStatementsAllUseIndexes) {
  namespace pb = kpo::people::v1;
  kpo::command::Runner commands(*recording_, outbox_, clock_);
  kpo::people::Directory directory(commands, tokens_, nullptr);
  kpo::people::CompetencyModel model(commands, tokens_, {.default_size = 2});
  kpo::people::Assessments assessments(commands, tokens_, {.default_size = 2});
  pb::CreateOrganizationRequest org;
  org.set_organization_id("acme");
  org.mutable_organization()->set_display_name("Acme");
  org.mutable_organization()->set_maturity_stage(pb::MATURITY_STAGE_PILOTING);
  ASSERT_TRUE(directory.CreateOrganization(admin_, org).ok());
  pb::CreateSiteRequest site;
  site.set_parent("organizations/acme");
  site.set_site_id("lyon");
  site.mutable_site()->set_display_name("Lyon");
  site.mutable_site()->set_time_zone("Europe/Paris");
  ASSERT_TRUE(directory.CreateSite(admin_, site).ok());
  for (int i = 0; i < 4; ++i) {
    pb::CreatePersonRequest p;
    p.set_parent("organizations/acme");
    p.set_person_id("p" + std::to_string(i));
    p.mutable_person()->set_display_name("P");
    p.mutable_person()->set_home_site("organizations/acme/sites/lyon");
    p.mutable_person()->add_roles(i == 0 ? pb::TEAM_LEADER : pb::TEAM_MEMBER);
    if (i > 0) p.mutable_person()->set_manager("organizations/acme/people/p0");
    ASSERT_TRUE(directory.CreatePerson(admin_, p).ok());
  }
  pb::CreateTargetProfileRequest profile;
  profile.set_parent("organizations/acme");
  profile.set_target_profile_id("tm");
  profile.mutable_target_profile()->set_display_name("Team member");
  profile.mutable_target_profile()->set_role(pb::TEAM_MEMBER);
  auto* target = profile.mutable_target_profile()->add_targets();
  target->set_competency("organizations/acme/competencies/pdca");
  target->set_level(2);
  ASSERT_TRUE(model.CreateTargetProfile(admin_, profile).ok());
  pb::UpdateCompetencyRequest update;
  update.mutable_competency()->set_name("organizations/acme/competencies/smed");
  update.mutable_competency()->set_description("Quick changeover");
  update.mutable_update_mask()->add_paths("description");
  ASSERT_TRUE(model.UpdateCompetency(admin_, update).ok());
  const kpo::auth::Principal leader{"p0", "acme", {kpo::auth::kTeamLeader}};
  for (int i = 1; i < 4; ++i) {
    pb::CreateAssessmentRequest a;
    a.set_parent("organizations/acme/people/p" + std::to_string(i));
    a.mutable_assessment()->set_competency("organizations/acme/competencies/pdca");
    a.mutable_assessment()->set_level(i % 3);
    *a.mutable_assessment()->mutable_assess_date() =
        kpo::core::FromCivil(absl::CivilDay(2025, 1, i));
    ASSERT_TRUE(assessments.CreateAssessment(leader, a).ok());
  }
  pb::ListCompetenciesRequest competencies;
  competencies.set_parent("organizations/acme");
  ASSERT_TRUE(model.ListCompetencies(admin_, competencies).ok());
  pb::ListTargetProfilesRequest profiles;
  profiles.set_parent("organizations/acme");
  profiles.set_role(pb::TEAM_MEMBER);
  ASSERT_TRUE(model.ListTargetProfiles(admin_, profiles).ok());
  pb::ListAssessmentsRequest list;
  list.set_parent("organizations/acme/people/p1");
  ASSERT_TRUE(assessments.ListAssessments(admin_, list).ok());
  list.set_parent("organizations/acme/people/-");
  list.set_competency("organizations/acme/competencies/pdca");
  auto first = assessments.ListAssessments(admin_, list);
  ASSERT_TRUE(first.ok());
  list.set_page_token(first->next_page_token());
  ASSERT_TRUE(assessments.ListAssessments(admin_, list).ok());
  pb::GetCompetencyProfileRequest get;
  get.set_name("organizations/acme/people/p1/competencyProfile");
  ASSERT_TRUE(assessments.GetCompetencyProfile(admin_, get).ok());
  pb::QuerySkillsMatrixRequest matrix;
  matrix.set_parent("organizations/acme");
  matrix.set_site("organizations/acme/sites/lyon");
  matrix.set_gaps_only(true);
  auto page = assessments.QuerySkillsMatrix(admin_, matrix);
  ASSERT_TRUE(page.ok()) << page.status();
  matrix.set_page_token(page->next_page_token());
  ASSERT_TRUE(assessments.QuerySkillsMatrix(admin_, matrix).ok());
  // Portfolios: hand-entered evidence, its review, and the lists a certifier reads.
  kpo::people::Portfolio portfolio(commands, tokens_, {.default_size = 2});
  for (int i = 0; i < 3; ++i) {
    pb::CreateEvidenceRequest e;
    e.set_parent("organizations/acme/people/p1");
    e.mutable_evidence()->set_kind(pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
    e.mutable_evidence()->set_title("Event");
    *e.mutable_evidence()->mutable_date() = kpo::core::FromCivil(absl::CivilDay(2025, 2, i + 1));
    e.mutable_evidence()->set_site("organizations/acme/sites/lyon");
    auto created = portfolio.CreateEvidence(leader, e);
    ASSERT_TRUE(created.ok()) << created.status();
    if (i == 0) {
      pb::ApproveEvidenceRequest approve;
      approve.set_name(created->name());
      ASSERT_TRUE(portfolio.ApproveEvidence(admin_, approve).ok());
    }
  }
  pb::ListEvidenceRequest evidence;
  evidence.set_parent("organizations/acme/people/p1");
  ASSERT_TRUE(portfolio.ListEvidence(admin_, evidence).ok());
  evidence.set_parent("organizations/acme/people/-");
  evidence.set_state(pb::EVIDENCE_STATE_PENDING);
  auto pending = portfolio.ListEvidence(admin_, evidence);
  ASSERT_TRUE(pending.ok());
  evidence.set_page_token(pending->next_page_token());
  ASSERT_TRUE(portfolio.ListEvidence(admin_, evidence).ok());
  evidence.set_page_token("");
  evidence.set_state(pb::EVIDENCE_STATE_UNSPECIFIED);
  evidence.set_kind(pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
  ASSERT_TRUE(portfolio.ListEvidence(admin_, evidence).ok());
  // The KPO office: one active membership per person is checked on every create.
  kpo::people::KpoOffice office(commands, tokens_, {.default_size = 2});
  for (int i = 1; i < 4; ++i) {
    pb::CreateKpoMemberRequest m;
    m.set_parent("organizations/acme");
    m.mutable_kpo_member()->set_person("organizations/acme/people/p" + std::to_string(i));
    m.mutable_kpo_member()->set_level(pb::KPO_LEVEL_CORPORATE);
    m.mutable_kpo_member()->set_time_share_percent(50);
    *m.mutable_kpo_member()->mutable_start_date() =
        kpo::core::FromCivil(absl::CivilDay(2025, 1, 1));
    m.mutable_kpo_member()->mutable_cost_per_month()->set_currency_code("EUR");
    m.mutable_kpo_member()->mutable_cost_per_month()->set_minor_units(500000);
    ASSERT_TRUE(office.CreateKpoMember(admin_, m).ok());
  }
  pb::ListKpoMembersRequest members;
  members.set_parent("organizations/acme");
  auto first_members = office.ListKpoMembers(admin_, members);
  ASSERT_TRUE(first_members.ok());
  members.set_page_token(first_members->next_page_token());
  ASSERT_TRUE(office.ListKpoMembers(admin_, members).ok());
  members.set_page_token("");
  members.set_level(pb::KPO_LEVEL_CORPORATE);
  ASSERT_TRUE(office.ListKpoMembers(admin_, members).ok());
  members.set_show_inactive(true);
  ASSERT_TRUE(office.ListKpoMembers(admin_, members).ok());
  // Certification: requirements, exams, progress, an application awarded and one
  // returned, the lists, and the time-driven work.
  kpo::people::Certification certification(commands, tokens_, {.default_size = 2});
  pb::UpdateCertificationRequirementsRequest requirements;
  requirements.mutable_certification_requirements()->set_name(
      "organizations/acme/certificationRequirements/bronze");
  auto* one = requirements.mutable_certification_requirements()->add_evidence();
  one->set_kind(pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
  one->set_count(1);
  requirements.mutable_update_mask()->add_paths("evidence");
  ASSERT_TRUE(certification.UpdateCertificationRequirements(admin_, requirements).ok());
  std::vector<std::string> applications;
  for (int i = 1; i < 3; ++i) {
    const std::string person = "organizations/acme/people/p" + std::to_string(i);
    pb::RecordKnowledgeExamRequest exam;
    exam.set_parent(person);
    exam.set_exam("Lean fundamentals");
    *exam.mutable_date() = kpo::core::FromCivil(absl::CivilDay(2025, 3, 1));
    ASSERT_TRUE(certification.RecordKnowledgeExam(admin_, exam).ok());
    if (i == 2) {
      pb::CreateEvidenceRequest e;
      e.set_parent(person);
      e.mutable_evidence()->set_kind(pb::EVIDENCE_KIND_KAIZEN_PARTICIPATION);
      e.mutable_evidence()->set_title("Event");
      *e.mutable_evidence()->mutable_date() = kpo::core::FromCivil(absl::CivilDay(2025, 4, 1));
      e.mutable_evidence()->set_site("organizations/acme/sites/lyon");
      auto created = portfolio.CreateEvidence(leader, e);
      ASSERT_TRUE(created.ok());
      pb::ApproveEvidenceRequest approve;
      approve.set_name(created->name());
      ASSERT_TRUE(portfolio.ApproveEvidence(admin_, approve).ok());
    }
    pb::GetCertificationProgressRequest progress;
    progress.set_name(person + "/certificationProgress");
    ASSERT_TRUE(certification.GetCertificationProgress(admin_, progress).ok());
    pb::CreateCertificationApplicationRequest apply;
    apply.set_parent(person);
    apply.mutable_certification_application()->set_level(pb::CERTIFICATION_LEVEL_BRONZE);
    auto applied = certification.CreateCertificationApplication(leader, apply);
    ASSERT_TRUE(applied.ok()) << applied.status();
    applications.push_back(applied->name());
  }
  pb::AwardCertificationRequest award;
  award.set_name(applications[0]);
  ASSERT_TRUE(certification.AwardCertification(admin_, award).ok());
  pb::ReturnCertificationApplicationRequest give_back;
  give_back.set_name(applications[1]);
  give_back.set_reason("Write it up as PDCA");
  ASSERT_TRUE(certification.ReturnCertificationApplication(admin_, give_back).ok());
  pb::ListCertificatesRequest certificates;
  certificates.set_parent("organizations/acme/people/-");
  auto first_certificates = certification.ListCertificates(admin_, certificates);
  ASSERT_TRUE(first_certificates.ok());
  certificates.set_page_token(first_certificates->next_page_token());
  ASSERT_TRUE(certification.ListCertificates(admin_, certificates).ok());
  certificates.set_page_token("");
  certificates.set_parent("organizations/acme/people/p1");
  ASSERT_TRUE(certification.ListCertificates(admin_, certificates).ok());
  certificates.set_parent("organizations/acme/people/-");
  certificates.set_level(pb::CERTIFICATION_LEVEL_BRONZE);
  ASSERT_TRUE(certification.ListCertificates(admin_, certificates).ok());
  certificates.set_level(pb::CERTIFICATION_LEVEL_UNSPECIFIED);
  certificates.set_state(pb::CERTIFICATE_STATE_VALID);
  *certificates.mutable_expire_before() = kpo::core::FromCivil(absl::CivilDay(2040, 1, 1));
  ASSERT_TRUE(certification.ListCertificates(admin_, certificates).ok());
  pb::ListCertificationApplicationsRequest listed;
  listed.set_parent("organizations/acme/people/-");
  auto first_applications = certification.ListCertificationApplications(admin_, listed);
  ASSERT_TRUE(first_applications.ok());
  listed.set_page_token(first_applications->next_page_token());
  ASSERT_TRUE(certification.ListCertificationApplications(admin_, listed).ok());
  listed.set_page_token("");
  listed.set_parent("organizations/acme/people/p1");
  ASSERT_TRUE(certification.ListCertificationApplications(admin_, listed).ok());
  listed.set_parent("organizations/acme/people/-");
  listed.set_state(pb::CERTIFICATION_APPLICATION_STATE_RETURNED);
  ASSERT_TRUE(certification.ListCertificationApplications(admin_, listed).ok());
  listed.set_state(pb::CERTIFICATION_APPLICATION_STATE_UNSPECIFIED);
  listed.set_level(pb::CERTIFICATION_LEVEL_BRONZE);
  ASSERT_TRUE(certification.ListCertificationApplications(admin_, listed).ok());
  // The curriculum: modules, a path, a session filled past capacity, a cancellation
  // that promotes, outcomes, and the lists.
  kpo::people::Curriculum curriculum(commands, tokens_, {.default_size = 2});
  for (const char* id : {"m1", "m2", "m3"}) {
    pb::CreateTrainingModuleRequest m;
    m.set_parent("organizations/acme");
    m.set_training_module_id(id);
    m.mutable_training_module()->set_title("Module");
    m.mutable_training_module()->add_competencies("organizations/acme/competencies/pdca");
    m.mutable_training_module()->set_duration_minutes(60);
    ASSERT_TRUE(curriculum.CreateTrainingModule(admin_, m).ok());
  }
  pb::CreateLearningPathRequest path;
  path.set_parent("organizations/acme");
  path.mutable_learning_path()->set_title("Team member");
  path.mutable_learning_path()->set_role(pb::TEAM_MEMBER);
  path.mutable_learning_path()->add_modules("organizations/acme/trainingModules/m1");
  ASSERT_TRUE(curriculum.CreateLearningPath(admin_, path).ok());
  pb::DeactivateTrainingModuleRequest retire;
  retire.set_name("organizations/acme/trainingModules/m1");
  ASSERT_FALSE(curriculum.DeactivateTrainingModule(admin_, retire).ok());
  retire.set_name("organizations/acme/trainingModules/m3");
  ASSERT_TRUE(curriculum.DeactivateTrainingModule(admin_, retire).ok());
  pb::CreateTrainingSessionRequest session;
  session.set_parent("organizations/acme");
  session.set_training_session_id("s1");
  session.mutable_training_session()->set_module("organizations/acme/trainingModules/m1");
  session.mutable_training_session()->set_trainer("organizations/acme/people/p0");
  session.mutable_training_session()->set_site("organizations/acme/sites/lyon");
  session.mutable_training_session()->set_place("Room");
  session.mutable_training_session()->mutable_start_time()->set_seconds(
      absl::ToUnixSeconds(clock_.Now() + absl::Hours(24)));
  session.mutable_training_session()->set_capacity(1);
  ASSERT_TRUE(curriculum.CreateTrainingSession(admin_, session).ok());
  for (int i = 1; i < 4; ++i) {
    pb::CreateEnrolmentRequest e;
    e.set_parent("organizations/acme/trainingSessions/s1");
    e.set_person("organizations/acme/people/p" + std::to_string(i));
    e.set_join_waitlist(true);
    ASSERT_TRUE(curriculum.CreateEnrolment(admin_, e).ok());
  }
  pb::CancelEnrolmentRequest cancel;
  cancel.set_name("organizations/acme/trainingSessions/s1/enrolments/p1");
  ASSERT_TRUE(curriculum.CancelEnrolment(admin_, cancel).ok());
  pb::UpdateTrainingSessionRequest bigger;
  bigger.mutable_training_session()->set_name("organizations/acme/trainingSessions/s1");
  bigger.mutable_training_session()->set_capacity(3);
  bigger.mutable_update_mask()->add_paths("capacity");
  ASSERT_TRUE(curriculum.UpdateTrainingSession(admin_, bigger).ok());
  pb::ListTrainingModulesRequest modules;
  modules.set_parent("organizations/acme");
  auto first_modules = curriculum.ListTrainingModules(admin_, modules);
  ASSERT_TRUE(first_modules.ok());
  modules.set_page_token(first_modules->next_page_token());
  ASSERT_TRUE(curriculum.ListTrainingModules(admin_, modules).ok());
  modules.set_page_token("");
  modules.set_show_inactive(true);
  ASSERT_TRUE(curriculum.ListTrainingModules(admin_, modules).ok());
  modules.set_competency("organizations/acme/competencies/pdca");
  auto by_competency = curriculum.ListTrainingModules(admin_, modules);
  ASSERT_TRUE(by_competency.ok());
  modules.set_page_token(by_competency->next_page_token());
  ASSERT_TRUE(curriculum.ListTrainingModules(admin_, modules).ok());
  pb::ListLearningPathsRequest paths;
  paths.set_parent("organizations/acme");
  ASSERT_TRUE(curriculum.ListLearningPaths(admin_, paths).ok());
  paths.set_role(pb::TEAM_MEMBER);
  paths.set_show_inactive(true);
  ASSERT_TRUE(curriculum.ListLearningPaths(admin_, paths).ok());
  pb::ListTrainingSessionsRequest sessions;
  sessions.set_parent("organizations/acme");
  ASSERT_TRUE(curriculum.ListTrainingSessions(admin_, sessions).ok());
  sessions.set_site("organizations/acme/sites/lyon");
  sessions.mutable_start_after()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
  ASSERT_TRUE(curriculum.ListTrainingSessions(admin_, sessions).ok());
  sessions.clear_site();
  sessions.set_module("organizations/acme/trainingModules/m1");
  sessions.set_show_cancelled(true);
  ASSERT_TRUE(curriculum.ListTrainingSessions(admin_, sessions).ok());
  pb::ListEnrolmentsRequest enrolments;
  enrolments.set_parent("organizations/acme/trainingSessions/s1");
  auto first_enrolments = curriculum.ListEnrolments(admin_, enrolments);
  ASSERT_TRUE(first_enrolments.ok());
  enrolments.set_page_token(first_enrolments->next_page_token());
  ASSERT_TRUE(curriculum.ListEnrolments(admin_, enrolments).ok());
  enrolments.set_page_token("");
  enrolments.set_parent("organizations/acme/trainingSessions/-");
  enrolments.set_person("organizations/acme/people/p2");
  ASSERT_TRUE(curriculum.ListEnrolments(admin_, enrolments).ok());
  enrolments.set_state(pb::ENROLMENT_STATE_ENROLLED);
  ASSERT_TRUE(curriculum.ListEnrolments(admin_, enrolments).ok());
  clock_.Advance(absl::Hours(25));
  pb::RecordTrainingOutcomeRequest outcome;
  outcome.set_name("organizations/acme/trainingSessions/s1/enrolments/p2");
  outcome.set_attended(true);
  outcome.set_passed(true);
  ASSERT_TRUE(curriculum.RecordTrainingOutcome(admin_, outcome).ok());
  pb::CancelTrainingSessionRequest off;
  off.set_name("organizations/acme/trainingSessions/s1");
  ASSERT_TRUE(curriculum.CancelTrainingSession(admin_, off).ok());
  // Development plans: the plan, items through their statuses, the lists.
  kpo::people::DevelopmentPlans plans(commands, tokens_, {.default_size = 2});
  pb::UpdateDevelopmentPlanRequest plan;
  plan.mutable_development_plan()->set_name("organizations/acme/people/p1/developmentPlan");
  plan.mutable_development_plan()->set_aspiration("Lead improvement");
  plan.mutable_development_plan()->add_focus_competencies("organizations/acme/competencies/pdca");
  plan.mutable_update_mask()->add_paths("aspiration");
  plan.mutable_update_mask()->add_paths("focus_competencies");
  ASSERT_TRUE(plans.UpdateDevelopmentPlan(leader, plan).ok());
  for (int i = 0; i < 3; ++i) {
    pb::CreateStudyItemRequest item;
    item.set_parent("organizations/acme/people/p1");
    item.set_study_item_id("i" + std::to_string(i));
    item.mutable_study_item()->set_kind(pb::STUDY_ITEM_KIND_COURSE);
    item.mutable_study_item()->set_title("Course");
    item.mutable_study_item()->set_training_module("organizations/acme/trainingModules/m1");
    ASSERT_TRUE(plans.CreateStudyItem(leader, item).ok());
  }
  pb::UpdateStudyItemRequest done;
  done.mutable_study_item()->set_name("organizations/acme/people/p1/studyItems/i0");
  done.mutable_study_item()->set_status(pb::STUDY_ITEM_STATUS_DONE);
  done.mutable_update_mask()->add_paths("status");
  ASSERT_TRUE(plans.UpdateStudyItem(leader, done).ok());
  pb::GetDevelopmentPlanRequest get_plan;
  get_plan.set_name("organizations/acme/people/p1/developmentPlan");
  ASSERT_TRUE(plans.GetDevelopmentPlan(admin_, get_plan).ok());
  pb::ListStudyItemsRequest items;
  items.set_parent("organizations/acme/people/p1");
  auto first_items = plans.ListStudyItems(admin_, items);
  ASSERT_TRUE(first_items.ok());
  items.set_page_token(first_items->next_page_token());
  ASSERT_TRUE(plans.ListStudyItems(admin_, items).ok());
  items.set_page_token("");
  items.set_status(pb::STUDY_ITEM_STATUS_PLANNED);
  ASSERT_TRUE(plans.ListStudyItems(admin_, items).ok());
  items.set_status(pb::STUDY_ITEM_STATUS_UNSPECIFIED);
  items.set_kind(pb::STUDY_ITEM_KIND_COURSE);
  ASSERT_TRUE(plans.ListStudyItems(admin_, items).ok());
  clock_.Advance(absl::Hours(24 * 365 * 3));  // past the warning and the expiry
  auto published = certification.PublishDue();
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(*published, 1);
  ExpectEveryStatementUsesAnIndex();
}

}  // namespace
}  // namespace kpo
