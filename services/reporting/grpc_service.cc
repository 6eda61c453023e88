#include "grpc_service.h"

#include "kpo/rpc/arena_allocator.h"
#include "kpo/rpc/unary.h"

namespace kpo::reporting {
namespace {

namespace pb = kpo::reporting::v1;

#define KPO_REPORTING_UNARY(Exec, Method, Req, Resp)                                          \
  KPO_RPC_UNARY_INTO("kpo.reporting.v1.ReportingService", Exec, scorecards_, Method, pb::Req, \
                     pb::Resp)

class ReportingServiceImpl final : public pb::ReportingService::CallbackService {
 public:
  ReportingServiceImpl(kpo::rpc::Server& server, const Scorecards& scorecards,
                       const Rankings& rankings)
      : server_(server), scorecards_(scorecards), rankings_(rankings) {
    // Each call's request and response on one arena: a scorecard and its freshness are
    // hundreds of small messages, copied and released at once.
    SetMessageAllocatorFor_GetScorecard(&get_scorecard_allocator_);
    SetMessageAllocatorFor_QueryScorecardTrend(&trend_allocator_);
    SetMessageAllocatorFor_RankSites(&rank_sites_allocator_);
  }

  // Answers found cached are served on the gRPC thread; one that must be computed over
  // many rows continues on the worker pool (kpo::rpc::ContinueOnWorkerPool).
  KPO_REPORTING_UNARY(kInline, GetScorecard, GetScorecardRequest, Scorecard)
  KPO_REPORTING_UNARY(kInline, QueryScorecardTrend, QueryScorecardTrendRequest,
                      QueryScorecardTrendResponse)
  KPO_RPC_UNARY_INTO("kpo.reporting.v1.ReportingService", kInline, rankings_, RankSites,
                     pb::RankSitesRequest, pb::RankSitesResponse)

  // CSV, a chunk per period; the first chunk says it is CSV.
  grpc::ServerWriteReactor<google::api::HttpBody>* ExportScorecards(
      grpc::CallbackServerContext* ctx, const pb::ExportScorecardsRequest* request) override {
    return server_.ServerStream<pb::ExportScorecardsRequest, google::api::HttpBody>(
        ctx, request, "/kpo.reporting.v1.ReportingService/ExportScorecards",
        [this](const kpo::auth::Principal& p, const pb::ExportScorecardsRequest& r,
               kpo::rpc::Server::StreamWriter<google::api::HttpBody>& out) -> absl::Status {
          bool first = true;
          return scorecards_.ExportScorecards(p, r, [&](std::string chunk) {
            google::api::HttpBody body;
            if (first) body.set_content_type("text/csv; charset=utf-8");
            first = false;
            body.set_data(std::move(chunk));
            return out.Write(body);
          });
        });
  }

 private:
  kpo::rpc::Server& server_;
  const Scorecards& scorecards_;
  const Rankings& rankings_;
  kpo::rpc::ArenaAllocator<pb::GetScorecardRequest, pb::Scorecard> get_scorecard_allocator_;
  kpo::rpc::ArenaAllocator<pb::QueryScorecardTrendRequest, pb::QueryScorecardTrendResponse>
      trend_allocator_;
  kpo::rpc::ArenaAllocator<pb::RankSitesRequest, pb::RankSitesResponse> rank_sites_allocator_;
};

#undef KPO_REPORTING_UNARY

// Service-wide: the caller's organization plays no part (platform_operator only).
class ProjectionServiceImpl final : public pb::ProjectionService::CallbackService {
 public:
  ProjectionServiceImpl(kpo::rpc::Server& server, Generations& generations)
      : server_(server), generations_(generations) {}

  grpc::ServerUnaryReactor* StartProjectionRebuild(grpc::CallbackServerContext* ctx,
                                                   const pb::StartProjectionRebuildRequest* req,
                                                   pb::ProjectionGeneration* resp) override {
    return server_.Unary<pb::StartProjectionRebuildRequest, pb::ProjectionGeneration>(
        ctx, req, resp, "/kpo.reporting.v1.ProjectionService/StartProjectionRebuild",
        [this](const kpo::auth::Principal&, const pb::StartProjectionRebuildRequest&,
               pb::ProjectionGeneration& out) -> absl::Status {
          auto started = generations_.StartRebuild();
          if (!started.ok()) return started.status();
          out = *std::move(started);
          return absl::OkStatus();
        },
        kpo::rpc::Execution::kWorkerPool);
  }

  grpc::ServerUnaryReactor* ListProjectionGenerations(
      grpc::CallbackServerContext* ctx, const pb::ListProjectionGenerationsRequest* req,
      pb::ListProjectionGenerationsResponse* resp) override {
    return server_
        .Unary<pb::ListProjectionGenerationsRequest, pb::ListProjectionGenerationsResponse>(
            ctx, req, resp, "/kpo.reporting.v1.ProjectionService/ListProjectionGenerations",
            [this](const kpo::auth::Principal&, const pb::ListProjectionGenerationsRequest&,
                   pb::ListProjectionGenerationsResponse& out) -> absl::Status {
              auto list = generations_.List();
              if (!list.ok()) return list.status();
              for (auto& g : *list) *out.add_generations() = std::move(g);
              return absl::OkStatus();
            },
            kpo::rpc::Execution::kWorkerPool);
  }

 private:
  kpo::rpc::Server& server_;
  Generations& generations_;
};

}  // namespace

kpo::auth::PermissionTable& AddReportingPermissions(kpo::auth::PermissionTable& table) {
  const std::string m = "/kpo.reporting.v1.ReportingService/";
  for (const char* read :
       {"GetScorecard", "QueryScorecardTrend", "RankSites", "ExportScorecards"}) {
    table.Allow(m + read, kpo::auth::AnyRole());
  }
  const std::string ops = "/kpo.reporting.v1.ProjectionService/";
  for (const char* method : {"StartProjectionRebuild", "ListProjectionGenerations"}) {
    table.Allow(ops + method, {kpo::auth::kPlatformOperator});
  }
  return table;
}

std::unique_ptr<grpc::Service> NewReportingService(kpo::rpc::Server& server,
                                                   const Scorecards& scorecards,
                                                   const Rankings& rankings) {
  return std::make_unique<ReportingServiceImpl>(server, scorecards, rankings);
}

std::unique_ptr<grpc::Service> NewProjectionService(kpo::rpc::Server& server,
                                                    Generations& generations) {
  return std::make_unique<ProjectionServiceImpl>(server, generations);
}

}  // namespace kpo::reporting
