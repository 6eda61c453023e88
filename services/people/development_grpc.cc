#include "development_grpc.h"

#include "kpo/rpc/unary.h"

namespace kpo::people {
namespace {

namespace pb = kpo::people::v1;

#define KPO_DEVELOPMENT_MODEL(Exec, Method, Req, Resp) \
  KPO_DEVELOPMENT_CALL(Exec, model_, Method, Req, Resp)
#define KPO_DEVELOPMENT_ASSESSMENTS(Exec, Method, Req, Resp) \
  KPO_DEVELOPMENT_CALL(Exec, assessments_, Method, Req, Resp)
#define KPO_DEVELOPMENT_PORTFOLIO(Exec, Method, Req, Resp) \
  KPO_DEVELOPMENT_CALL(Exec, portfolio_, Method, Req, Resp)
#define KPO_DEVELOPMENT_KPO(Exec, Method, Req, Resp) \
  KPO_DEVELOPMENT_CALL(Exec, kpo_office_, Method, Req, Resp)
#define KPO_DEVELOPMENT_CERTIFICATION(Exec, Method, Req, Resp) \
  KPO_DEVELOPMENT_CALL(Exec, certification_, Method, Req, Resp)
#define KPO_DEVELOPMENT_CURRICULUM(Exec, Method, Req, Resp) \
  KPO_DEVELOPMENT_CALL(Exec, curriculum_, Method, Req, Resp)
#define KPO_DEVELOPMENT_PLANS(Exec, Method, Req, Resp) \
  KPO_DEVELOPMENT_CALL(Exec, plans_, Method, Req, Resp)
#define KPO_DEVELOPMENT_CALL(Exec, App, Method, Req, Resp) \
  KPO_RPC_UNARY("kpo.people.v1.PeopleDevelopmentService", Exec, App, Method, pb::Req, pb::Resp)

class DevelopmentServiceImpl final : public pb::PeopleDevelopmentService::CallbackService {
 public:
  DevelopmentServiceImpl(kpo::rpc::Server& server, const DevelopmentApplication& app)
      : server_(server),
        model_(app.model),
        assessments_(app.assessments),
        portfolio_(app.portfolio),
        kpo_office_(app.kpo_office),
        certification_(app.certification),
        curriculum_(app.curriculum),
        plans_(app.plans) {}

  KPO_DEVELOPMENT_MODEL(kInline, ListCompetencies, ListCompetenciesRequest,
                        ListCompetenciesResponse)
  KPO_DEVELOPMENT_MODEL(kInline, GetCompetency, GetCompetencyRequest, Competency)
  KPO_DEVELOPMENT_MODEL(kWorkerPool, CreateCompetency, CreateCompetencyRequest, Competency)
  KPO_DEVELOPMENT_MODEL(kWorkerPool, UpdateCompetency, UpdateCompetencyRequest, Competency)
  KPO_DEVELOPMENT_MODEL(kWorkerPool, DeactivateCompetency, DeactivateCompetencyRequest, Competency)
  KPO_DEVELOPMENT_MODEL(kWorkerPool, CreateTargetProfile, CreateTargetProfileRequest, TargetProfile)
  KPO_DEVELOPMENT_MODEL(kInline, GetTargetProfile, GetTargetProfileRequest, TargetProfile)
  KPO_DEVELOPMENT_MODEL(kInline, ListTargetProfiles, ListTargetProfilesRequest,
                        ListTargetProfilesResponse)
  KPO_DEVELOPMENT_MODEL(kWorkerPool, UpdateTargetProfile, UpdateTargetProfileRequest, TargetProfile)
  KPO_DEVELOPMENT_MODEL(kWorkerPool, DeactivateTargetProfile, DeactivateTargetProfileRequest,
                        TargetProfile)
  KPO_DEVELOPMENT_ASSESSMENTS(kWorkerPool, CreateAssessment, CreateAssessmentRequest, Assessment)
  KPO_DEVELOPMENT_ASSESSMENTS(kInline, GetAssessment, GetAssessmentRequest, Assessment)
  KPO_DEVELOPMENT_ASSESSMENTS(kInline, ListAssessments, ListAssessmentsRequest,
                              ListAssessmentsResponse)
  KPO_DEVELOPMENT_ASSESSMENTS(kInline, GetCompetencyProfile, GetCompetencyProfileRequest,
                              CompetencyProfile)
  KPO_DEVELOPMENT_ASSESSMENTS(kWorkerPool, QuerySkillsMatrix, QuerySkillsMatrixRequest,
                              QuerySkillsMatrixResponse)
  KPO_DEVELOPMENT_PORTFOLIO(kWorkerPool, CreateEvidence, CreateEvidenceRequest, Evidence)
  KPO_DEVELOPMENT_PORTFOLIO(kInline, GetEvidence, GetEvidenceRequest, Evidence)
  KPO_DEVELOPMENT_PORTFOLIO(kInline, ListEvidence, ListEvidenceRequest, ListEvidenceResponse)
  KPO_DEVELOPMENT_PORTFOLIO(kWorkerPool, ApproveEvidence, ApproveEvidenceRequest, Evidence)
  KPO_DEVELOPMENT_PORTFOLIO(kWorkerPool, RejectEvidence, RejectEvidenceRequest, Evidence)
  KPO_DEVELOPMENT_KPO(kWorkerPool, CreateKpoMember, CreateKpoMemberRequest, KpoMember)
  KPO_DEVELOPMENT_KPO(kInline, GetKpoMember, GetKpoMemberRequest, KpoMember)
  KPO_DEVELOPMENT_KPO(kInline, ListKpoMembers, ListKpoMembersRequest, ListKpoMembersResponse)
  KPO_DEVELOPMENT_KPO(kWorkerPool, UpdateKpoMember, UpdateKpoMemberRequest, KpoMember)
  KPO_DEVELOPMENT_KPO(kWorkerPool, DeactivateKpoMember, DeactivateKpoMemberRequest, KpoMember)
  KPO_DEVELOPMENT_CERTIFICATION(kInline, ListCertificationRequirements,
                                ListCertificationRequirementsRequest,
                                ListCertificationRequirementsResponse)
  KPO_DEVELOPMENT_CERTIFICATION(kInline, GetCertificationRequirements,
                                GetCertificationRequirementsRequest, CertificationRequirements)
  KPO_DEVELOPMENT_CERTIFICATION(kWorkerPool, UpdateCertificationRequirements,
                                UpdateCertificationRequirementsRequest, CertificationRequirements)
  KPO_DEVELOPMENT_CERTIFICATION(kWorkerPool, RecordKnowledgeExam, RecordKnowledgeExamRequest,
                                Certificate)
  KPO_DEVELOPMENT_CERTIFICATION(kInline, GetCertificate, GetCertificateRequest, Certificate)
  KPO_DEVELOPMENT_CERTIFICATION(kInline, ListCertificates, ListCertificatesRequest,
                                ListCertificatesResponse)
  KPO_DEVELOPMENT_CERTIFICATION(kWorkerPool, GetCertificationProgress,
                                GetCertificationProgressRequest, CertificationProgress)
  KPO_DEVELOPMENT_CERTIFICATION(kWorkerPool, CreateCertificationApplication,
                                CreateCertificationApplicationRequest, CertificationApplication)
  KPO_DEVELOPMENT_CERTIFICATION(kInline, GetCertificationApplication,
                                GetCertificationApplicationRequest, CertificationApplication)
  KPO_DEVELOPMENT_CERTIFICATION(kInline, ListCertificationApplications,
                                ListCertificationApplicationsRequest,
                                ListCertificationApplicationsResponse)
  KPO_DEVELOPMENT_CERTIFICATION(kWorkerPool, AwardCertification, AwardCertificationRequest,
                                CertificationApplication)
  KPO_DEVELOPMENT_CERTIFICATION(kWorkerPool, ReturnCertificationApplication,
                                ReturnCertificationApplicationRequest, CertificationApplication)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, CreateTrainingModule, CreateTrainingModuleRequest,
                             TrainingModule)
  KPO_DEVELOPMENT_CURRICULUM(kInline, GetTrainingModule, GetTrainingModuleRequest, TrainingModule)
  KPO_DEVELOPMENT_CURRICULUM(kInline, ListTrainingModules, ListTrainingModulesRequest,
                             ListTrainingModulesResponse)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, UpdateTrainingModule, UpdateTrainingModuleRequest,
                             TrainingModule)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, DeactivateTrainingModule, DeactivateTrainingModuleRequest,
                             TrainingModule)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, CreateLearningPath, CreateLearningPathRequest,
                             LearningPath)
  KPO_DEVELOPMENT_CURRICULUM(kInline, GetLearningPath, GetLearningPathRequest, LearningPath)
  KPO_DEVELOPMENT_CURRICULUM(kInline, ListLearningPaths, ListLearningPathsRequest,
                             ListLearningPathsResponse)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, UpdateLearningPath, UpdateLearningPathRequest,
                             LearningPath)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, DeactivateLearningPath, DeactivateLearningPathRequest,
                             LearningPath)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, CreateTrainingSession, CreateTrainingSessionRequest,
                             TrainingSession)
  KPO_DEVELOPMENT_CURRICULUM(kInline, GetTrainingSession, GetTrainingSessionRequest,
                             TrainingSession)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, ListTrainingSessions, ListTrainingSessionsRequest,
                             ListTrainingSessionsResponse)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, UpdateTrainingSession, UpdateTrainingSessionRequest,
                             TrainingSession)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, CancelTrainingSession, CancelTrainingSessionRequest,
                             TrainingSession)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, CreateEnrolment, CreateEnrolmentRequest, Enrolment)
  KPO_DEVELOPMENT_CURRICULUM(kInline, GetEnrolment, GetEnrolmentRequest, Enrolment)
  KPO_DEVELOPMENT_CURRICULUM(kInline, ListEnrolments, ListEnrolmentsRequest, ListEnrolmentsResponse)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, CancelEnrolment, CancelEnrolmentRequest, Enrolment)
  KPO_DEVELOPMENT_CURRICULUM(kWorkerPool, RecordTrainingOutcome, RecordTrainingOutcomeRequest,
                             Enrolment)
  KPO_DEVELOPMENT_PLANS(kWorkerPool, GetDevelopmentPlan, GetDevelopmentPlanRequest, DevelopmentPlan)
  KPO_DEVELOPMENT_PLANS(kWorkerPool, UpdateDevelopmentPlan, UpdateDevelopmentPlanRequest,
                        DevelopmentPlan)
  KPO_DEVELOPMENT_PLANS(kWorkerPool, CreateStudyItem, CreateStudyItemRequest, StudyItem)
  KPO_DEVELOPMENT_PLANS(kInline, GetStudyItem, GetStudyItemRequest, StudyItem)
  KPO_DEVELOPMENT_PLANS(kInline, ListStudyItems, ListStudyItemsRequest, ListStudyItemsResponse)
  KPO_DEVELOPMENT_PLANS(kWorkerPool, UpdateStudyItem, UpdateStudyItemRequest, StudyItem)

 private:
  kpo::rpc::Server& server_;
  const CompetencyModel& model_;
  const Assessments& assessments_;
  const Portfolio& portfolio_;
  const KpoOffice& kpo_office_;
  const Certification& certification_;
  const Curriculum& curriculum_;
  const DevelopmentPlans& plans_;
};

#undef KPO_DEVELOPMENT_MODEL
#undef KPO_DEVELOPMENT_ASSESSMENTS
#undef KPO_DEVELOPMENT_PORTFOLIO
#undef KPO_DEVELOPMENT_KPO
#undef KPO_DEVELOPMENT_CERTIFICATION
#undef KPO_DEVELOPMENT_CURRICULUM
#undef KPO_DEVELOPMENT_PLANS
#undef KPO_DEVELOPMENT_CALL

}  // namespace

kpo::auth::PermissionTable& AddDevelopmentPermissions(kpo::auth::PermissionTable& table) {
  using namespace kpo::auth;  // NOLINT: role names
  const std::string m = "/kpo.people.v1.PeopleDevelopmentService/";
  // Everyone sees the model, the profiles, the assessments and the matrices: a team's
  // skills matrix hangs on its board.
  for (const char* read : {"ListCompetencies",
                           "GetCompetency",
                           "GetTargetProfile",
                           "ListTargetProfiles",
                           "GetAssessment",
                           "ListAssessments",
                           "GetCompetencyProfile",
                           "QuerySkillsMatrix",
                           "GetEvidence",
                           "ListEvidence",
                           "GetKpoMember",
                           "ListKpoMembers",
                           "ListCertificationRequirements",
                           "GetCertificationRequirements",
                           "GetCertificate",
                           "ListCertificates",
                           "GetCertificationProgress",
                           "GetCertificationApplication",
                           "ListCertificationApplications",
                           "GetTrainingModule",
                           "ListTrainingModules",
                           "GetLearningPath",
                           "ListLearningPaths",
                           "GetTrainingSession",
                           "ListTrainingSessions",
                           "GetEnrolment",
                           "ListEnrolments"}) {
    table.Allow(m + read, AnyRole());
  }
  // The KPO and the admins shape the model and the curriculum and staff the office.
  for (const char* write :
       {"CreateCompetency", "UpdateCompetency", "DeactivateCompetency", "CreateTargetProfile",
        "UpdateTargetProfile", "DeactivateTargetProfile", "CreateKpoMember", "UpdateKpoMember",
        "DeactivateKpoMember", "UpdateCertificationRequirements", "CreateTrainingModule",
        "UpdateTrainingModule", "DeactivateTrainingModule", "CreateLearningPath",
        "UpdateLearningPath", "DeactivateLearningPath", "CreateTrainingSession",
        "UpdateTrainingSession", "CancelTrainingSession"}) {
    table.Allow(m + write, {kOrgAdmin, kKpoSpecialist});
  }
  // Assessors; whether the caller may assess this person (a manager above them, the
  // KPO, a sensei, an admin) is checked on the person.
  table.Allow(m + "CreateAssessment", {kOrgAdmin, kKpoSpecialist, kExternalSensei, kSeniorLeader,
                                       kMiddleManager, kTeamLeader});
  // Anyone enters evidence (for themselves; for someone else when a manager above them
  // or a certifier, checked on the person); certifiers decide.
  table.Allow(m + "CreateEvidence", AnyRole());
  // Anyone applies (for themselves; for someone else when a manager above them or a
  // certifier, checked on the person); certifiers record exams and decide.
  table.Allow(m + "CreateCertificationApplication", AnyRole());
  // Anyone enrols (themselves; someone else when a manager above them, the KPO, a sensei
  // or an admin); the trainer, the KPO or an admin records outcomes — checked on the
  // person and the session.
  // Development plans: anyone calls; the person, their managers (write and read), the
  // KPO and admins (read) are checked on the person.
  for (const char* own : {"CreateEnrolment", "CancelEnrolment", "RecordTrainingOutcome",
                          "GetDevelopmentPlan", "UpdateDevelopmentPlan", "CreateStudyItem",
                          "GetStudyItem", "ListStudyItems", "UpdateStudyItem"}) {
    table.Allow(m + own, AnyRole());
  }
  for (const char* review : {"ApproveEvidence", "RejectEvidence", "RecordKnowledgeExam",
                             "AwardCertification", "ReturnCertificationApplication"}) {
    table.Allow(m + review, {kOrgAdmin, kKpoSpecialist, kExternalSensei});
  }
  return table;
}

std::unique_ptr<grpc::Service> NewDevelopmentService(kpo::rpc::Server& server,
                                                     const DevelopmentApplication& app) {
  return std::make_unique<DevelopmentServiceImpl>(server, app);
}

}  // namespace kpo::people
