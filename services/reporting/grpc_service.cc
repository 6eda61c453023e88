#include "grpc_service.h"

#include "kpo/rpc/unary.h"

namespace kpo::reporting {
namespace {

namespace pb = kpo::reporting::v1;

#define KPO_REPORTING_UNARY(Exec, Method, Req, Resp) \
  KPO_RPC_UNARY("kpo.reporting.v1.ReportingService", Exec, scorecards_, Method, pb::Req, pb::Resp)

class ReportingServiceImpl final : public pb::ReportingService::CallbackService {
 public:
  ReportingServiceImpl(kpo::rpc::Server& server, const Scorecards& scorecards,
                       const Rankings& rankings)
      : server_(server), scorecards_(scorecards), rankings_(rankings) {}

  // Reads that compute over many rows run on the worker pool, off the gRPC threads.
  KPO_REPORTING_UNARY(kWorkerPool, GetScorecard, GetScorecardRequest, Scorecard)
  KPO_REPORTING_UNARY(kWorkerPool, QueryScorecardTrend, QueryScorecardTrendRequest,
                      QueryScorecardTrendResponse)
  KPO_RPC_UNARY("kpo.reporting.v1.ReportingService", kWorkerPool, rankings_, RankSites,
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
};

#undef KPO_REPORTING_UNARY

}  // namespace

kpo::auth::PermissionTable& AddReportingPermissions(kpo::auth::PermissionTable& table) {
  const std::string m = "/kpo.reporting.v1.ReportingService/";
  for (const char* read :
       {"GetScorecard", "QueryScorecardTrend", "RankSites", "ExportScorecards"}) {
    table.Allow(m + read, kpo::auth::AnyRole());
  }
  return table;
}

std::unique_ptr<grpc::Service> NewReportingService(kpo::rpc::Server& server,
                                                   const Scorecards& scorecards,
                                                   const Rankings& rankings) {
  return std::make_unique<ReportingServiceImpl>(server, scorecards, rankings);
}

}  // namespace kpo::reporting
