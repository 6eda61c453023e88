#pragma once

// The gRPC adapters of kpo.reporting.v1.ReportingService and ProjectionService: proto
// in, application call (Scorecards, Rankings, Generations), proto/status out.

#include <memory>

#include "generations.h"
#include "kpo/auth/auth.h"
#include "kpo/reporting/v1/projection_service.grpc.pb.h"
#include "kpo/reporting/v1/reporting_service.grpc.pb.h"
#include "kpo/rpc/server.h"
#include "rankings.h"
#include "scorecards.h"

namespace kpo::reporting {

inline constexpr char kReportingServiceName[] = "kpo.reporting.v1.ReportingService";
inline constexpr char kProjectionServiceName[] = "kpo.reporting.v1.ProjectionService";

// Which roles may call which method of ReportingService: every member of the
// organization reads its figures (visual management: the figures are everybody's);
// ProjectionService: platform operators only.
kpo::auth::PermissionTable& AddReportingPermissions(kpo::auth::PermissionTable& table);

// `server`, `scorecards` and `rankings` must outlive the service.
std::unique_ptr<grpc::Service> NewReportingService(kpo::rpc::Server& server,
                                                   const Scorecards& scorecards,
                                                   const Rankings& rankings);

// `server` and `generations` must outlive the service.
std::unique_ptr<grpc::Service> NewProjectionService(kpo::rpc::Server& server,
                                                    Generations& generations);

}  // namespace kpo::reporting
