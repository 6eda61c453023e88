#pragma once

// gRPC adapter of kpo.people.v1.PeopleDevelopmentService: proto in, application call
// (CompetencyModel, Assessments, Portfolio, KpoOffice, Certification, Curriculum,
// DevelopmentPlans), proto/status out. Nothing else.

#include <memory>

#include "assessments.h"
#include "certification.h"
#include "competencies.h"
#include "curriculum.h"
#include "development_plans.h"
#include "kpo/auth/auth.h"
#include "kpo/people/v1/development_service.grpc.pb.h"
#include "kpo/rpc/server.h"
#include "kpo_office.h"
#include "portfolio.h"

namespace kpo::people {

inline constexpr char kDevelopmentServiceName[] = "kpo.people.v1.PeopleDevelopmentService";

// Which roles may call which method of PeopleDevelopmentService.
kpo::auth::PermissionTable& AddDevelopmentPermissions(kpo::auth::PermissionTable& table);

// The application classes the adapter calls; all must outlive the service.
struct DevelopmentApplication {
  const CompetencyModel& model;
  const Assessments& assessments;
  const Portfolio& portfolio;
  const KpoOffice& kpo_office;
  const Certification& certification;
  const Curriculum& curriculum;
  const DevelopmentPlans& plans;
};

// `server` must outlive the service.
std::unique_ptr<grpc::Service> NewDevelopmentService(kpo::rpc::Server& server,
                                                     const DevelopmentApplication& app);

}  // namespace kpo::people
