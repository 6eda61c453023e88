#include "grpc_service.h"

#include "kpo/rpc/unary.h"

namespace kpo::daily {
namespace {

namespace pb = kpo::daily::v1;

#define KPO_DAILY_UNARY(Exec, Method, Req, Resp) KPO_DAILY_CALL(Exec, ideas_, Method, Req, Resp)
#define KPO_DAILY_CIRCLES(Exec, Method, Req, Resp) KPO_DAILY_CALL(Exec, circles_, Method, Req, Resp)
#define KPO_DAILY_SETTINGS(Exec, Method, Req, Resp) \
  KPO_DAILY_CALL(Exec, settings_, Method, Req, Resp)
#define KPO_DAILY_KATA(Exec, Method, Req, Resp) \
  KPO_DAILY_CALL(Exec, storyboards_, Method, Req, Resp)
#define KPO_DAILY_COACHING(Exec, Method, Req, Resp) \
  KPO_DAILY_CALL(Exec, coaching_, Method, Req, Resp)
#define KPO_DAILY_GEMBA(Exec, Method, Req, Resp) KPO_DAILY_CALL(Exec, gemba_, Method, Req, Resp)
#define KPO_DAILY_YOKOTEN(Exec, Method, Req, Resp) KPO_DAILY_CALL(Exec, yokoten_, Method, Req, Resp)
#define KPO_DAILY_CALL(Exec, App, Method, Req, Resp) \
  KPO_RPC_UNARY("kpo.daily.v1.DailyKaizenService", Exec, App, Method, pb::Req, pb::Resp)

class DailyKaizenServiceImpl final : public pb::DailyKaizenService::CallbackService {
 public:
  DailyKaizenServiceImpl(kpo::rpc::Server& server, const DailyApplication& app)
      : server_(server),
        ideas_(app.ideas),
        circles_(app.circles),
        settings_(app.settings),
        storyboards_(app.storyboards),
        coaching_(app.coaching),
        gemba_(app.gemba),
        yokoten_(app.yokoten) {}

  KPO_DAILY_UNARY(kWorkerPool, CreateIdea, CreateIdeaRequest, Idea)
  KPO_DAILY_UNARY(kInline, GetIdea, GetIdeaRequest, Idea)
  KPO_DAILY_UNARY(kInline, ListIdeas, ListIdeasRequest, ListIdeasResponse)
  KPO_DAILY_UNARY(kWorkerPool, UpdateIdea, UpdateIdeaRequest, Idea)
  KPO_DAILY_UNARY(kWorkerPool, ReassignIdeaReviewer, ReassignIdeaReviewerRequest, Idea)
  KPO_DAILY_UNARY(kWorkerPool, AcceptIdea, AcceptIdeaRequest, Idea)
  KPO_DAILY_UNARY(kWorkerPool, RejectIdea, RejectIdeaRequest, Idea)
  KPO_DAILY_UNARY(kWorkerPool, StartIdea, StartIdeaRequest, Idea)
  KPO_DAILY_UNARY(kWorkerPool, ImplementIdea, ImplementIdeaRequest, Idea)
  KPO_DAILY_UNARY(kWorkerPool, StandardizeIdea, StandardizeIdeaRequest, Idea)
  KPO_DAILY_UNARY(kWorkerPool, WithdrawIdea, WithdrawIdeaRequest, Idea)
  KPO_DAILY_UNARY(kWorkerPool, ValidateIdeaImpact, ValidateIdeaImpactRequest, Idea)
  KPO_DAILY_UNARY(kInline, ListReviewBacklog, ListReviewBacklogRequest, ListReviewBacklogResponse)
  KPO_DAILY_CIRCLES(kWorkerPool, CreateCircle, CreateCircleRequest, Circle)
  KPO_DAILY_CIRCLES(kInline, GetCircle, GetCircleRequest, Circle)
  KPO_DAILY_CIRCLES(kInline, ListCircles, ListCirclesRequest, ListCirclesResponse)
  KPO_DAILY_CIRCLES(kWorkerPool, UpdateCircle, UpdateCircleRequest, Circle)
  KPO_DAILY_CIRCLES(kWorkerPool, DeactivateCircle, DeactivateCircleRequest, Circle)
  KPO_DAILY_SETTINGS(kInline, GetDailySettings, GetDailySettingsRequest, DailySettings)
  KPO_DAILY_SETTINGS(kWorkerPool, UpdateDailySettings, UpdateDailySettingsRequest, DailySettings)
  KPO_DAILY_KATA(kWorkerPool, CreateStoryboard, CreateStoryboardRequest, Storyboard)
  KPO_DAILY_KATA(kInline, GetStoryboard, GetStoryboardRequest, Storyboard)
  KPO_DAILY_KATA(kInline, ListStoryboards, ListStoryboardsRequest, ListStoryboardsResponse)
  KPO_DAILY_KATA(kWorkerPool, UpdateStoryboard, UpdateStoryboardRequest, Storyboard)
  KPO_DAILY_KATA(kWorkerPool, CloseStoryboard, CloseStoryboardRequest, Storyboard)
  KPO_DAILY_KATA(kWorkerPool, CreateExperiment, CreateExperimentRequest, Experiment)
  KPO_DAILY_KATA(kInline, GetExperiment, GetExperimentRequest, Experiment)
  KPO_DAILY_KATA(kInline, ListExperiments, ListExperimentsRequest, ListExperimentsResponse)
  KPO_DAILY_KATA(kWorkerPool, UpdateExperiment, UpdateExperimentRequest, Experiment)
  KPO_DAILY_COACHING(kWorkerPool, CreateCoachingCycle, CreateCoachingCycleRequest, CoachingCycle)
  KPO_DAILY_COACHING(kInline, GetCoachingCycle, GetCoachingCycleRequest, CoachingCycle)
  KPO_DAILY_COACHING(kInline, ListCoachingCycles, ListCoachingCyclesRequest,
                     ListCoachingCyclesResponse)
  KPO_DAILY_COACHING(kInline, ListLearnerCadences, ListLearnerCadencesRequest,
                     ListLearnerCadencesResponse)
  KPO_DAILY_GEMBA(kWorkerPool, CreateGembaWalk, CreateGembaWalkRequest, GembaWalk)
  KPO_DAILY_GEMBA(kInline, GetGembaWalk, GetGembaWalkRequest, GembaWalk)
  KPO_DAILY_GEMBA(kInline, ListGembaWalks, ListGembaWalksRequest, ListGembaWalksResponse)
  KPO_DAILY_GEMBA(kWorkerPool, UpdateGembaWalk, UpdateGembaWalkRequest, GembaWalk)
  KPO_DAILY_GEMBA(kWorkerPool, CreateGembaFollowUp, CreateGembaFollowUpRequest, GembaFollowUp)
  KPO_DAILY_GEMBA(kInline, GetGembaFollowUp, GetGembaFollowUpRequest, GembaFollowUp)
  KPO_DAILY_GEMBA(kInline, ListGembaFollowUps, ListGembaFollowUpsRequest,
                  ListGembaFollowUpsResponse)
  KPO_DAILY_GEMBA(kWorkerPool, UpdateGembaFollowUp, UpdateGembaFollowUpRequest, GembaFollowUp)
  KPO_DAILY_YOKOTEN(kWorkerPool, SharePractice, SharePracticeRequest, Practice)
  KPO_DAILY_YOKOTEN(kInline, GetPractice, GetPracticeRequest, Practice)
  KPO_DAILY_YOKOTEN(kInline, ListPractices, ListPracticesRequest, ListPracticesResponse)
  KPO_DAILY_YOKOTEN(kWorkerPool, CreateDeploymentTask, CreateDeploymentTaskRequest, DeploymentTask)
  KPO_DAILY_YOKOTEN(kInline, GetDeploymentTask, GetDeploymentTaskRequest, DeploymentTask)
  KPO_DAILY_YOKOTEN(kInline, ListDeploymentTasks, ListDeploymentTasksRequest,
                    ListDeploymentTasksResponse)
  KPO_DAILY_YOKOTEN(kWorkerPool, UpdateDeploymentTask, UpdateDeploymentTaskRequest, DeploymentTask)
  KPO_DAILY_YOKOTEN(kWorkerPool, ResolveDeploymentTask, ResolveDeploymentTaskRequest,
                    DeploymentTask)

 private:
  kpo::rpc::Server& server_;
  const Ideas& ideas_;
  const Circles& circles_;
  const Settings& settings_;
  const Storyboards& storyboards_;
  const Coaching& coaching_;
  const Gemba& gemba_;
  const Yokoten& yokoten_;
};

#undef KPO_DAILY_UNARY
#undef KPO_DAILY_SETTINGS
#undef KPO_DAILY_CIRCLES
#undef KPO_DAILY_KATA
#undef KPO_DAILY_COACHING
#undef KPO_DAILY_GEMBA
#undef KPO_DAILY_YOKOTEN
#undef KPO_DAILY_CALL

}  // namespace

kpo::auth::PermissionTable& AddDailyPermissions(kpo::auth::PermissionTable& table) {
  using namespace kpo::auth;  // NOLINT: role names
  const std::string m = "/kpo.daily.v1.DailyKaizenService/";
  // Improvement is everybody's: every role submits, reads and moves ideas along. Who
  // reviews (the reviewer) and who withdraws (a submitter) is checked on the idea.
  for (const char* method : {"CreateIdea", "GetIdea", "ListIdeas", "UpdateIdea", "AcceptIdea",
                             "RejectIdea", "StartIdea", "ImplementIdea", "StandardizeIdea",
                             "WithdrawIdea", "ListReviewBacklog", "GetDailySettings"}) {
    table.Allow(m + method, AnyRole());
  }
  // Routing the review backlog is management's and the KPO's.
  table.Allow(m + "ReassignIdeaReviewer",
              {kOrgAdmin, kKpoSpecialist, kSeniorLeader, kMiddleManager, kTeamLeader, kService});
  table.Allow(m + "UpdateDailySettings", {kOrgAdmin, kKpoSpecialist});
  // Circles are set up by the line's managers and the KPO; everyone sees them.
  table.Allow(m + "GetCircle", AnyRole()).Allow(m + "ListCircles", AnyRole());
  for (const char* method : {"CreateCircle", "UpdateCircle", "DeactivateCircle"}) {
    table.Allow(m + method,
                {kOrgAdmin, kKpoSpecialist, kSeniorLeader, kMiddleManager, kTeamLeader, kService});
  }
  // Kata: anyone reads; who writes (the learner, the coach) is checked on the storyboard.
  for (const char* method :
       {"CreateStoryboard", "GetStoryboard", "ListStoryboards", "UpdateStoryboard",
        "CloseStoryboard", "CreateExperiment", "GetExperiment", "ListExperiments",
        "UpdateExperiment", "CreateCoachingCycle", "GetCoachingCycle", "ListCoachingCycles",
        "ListLearnerCadences"}) {
    table.Allow(m + method, AnyRole());
  }
  // Gemba walks: anyone walks and reads; who changes a walk (its leader) and a follow-up
  // (the leader, its owner) is checked on the walk.
  for (const char* method :
       {"CreateGembaWalk", "GetGembaWalk", "ListGembaWalks", "UpdateGembaWalk",
        "CreateGembaFollowUp", "GetGembaFollowUp", "ListGembaFollowUps", "UpdateGembaFollowUp"}) {
    table.Allow(m + method, AnyRole());
  }
  // Yokoten: the line's managers and the KPO share practices and add places; everyone
  // reads; who changes or resolves a task (its owner, the sharer) is checked on it.
  for (const char* method : {"SharePractice", "CreateDeploymentTask"}) {
    table.Allow(m + method,
                {kOrgAdmin, kKpoSpecialist, kSeniorLeader, kMiddleManager, kTeamLeader, kService});
  }
  for (const char* method :
       {"GetPractice", "ListPractices", "GetDeploymentTask", "ListDeploymentTasks",
        "UpdateDeploymentTask", "ResolveDeploymentTask"}) {
    table.Allow(m + method, AnyRole());
  }
  // Impact counts once finance validated it.
  table.Allow(m + "ValidateIdeaImpact", {kFinance, kOrgAdmin, kService});
  return table;
}

std::unique_ptr<grpc::Service> NewDailyKaizenService(kpo::rpc::Server& server,
                                                     const DailyApplication& app) {
  return std::make_unique<DailyKaizenServiceImpl>(server, app);
}

}  // namespace kpo::daily
