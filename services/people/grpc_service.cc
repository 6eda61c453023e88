#include "grpc_service.h"

#include "kpo/rpc/unary.h"

namespace kpo::people {
namespace {

namespace pb = kpo::people::v1;

#define KPO_PEOPLE_UNARY(Exec, Method, Req, Resp) \
  KPO_RPC_UNARY("kpo.people.v1.PeopleService", Exec, directory_, Method, pb::Req, pb::Resp)

class PeopleServiceImpl final : public pb::PeopleService::CallbackService {
 public:
  PeopleServiceImpl(kpo::rpc::Server& server, Directory& directory)
      : server_(server), directory_(directory) {}

  KPO_PEOPLE_UNARY(kWorkerPool, CreateOrganization, CreateOrganizationRequest, Organization)
  KPO_PEOPLE_UNARY(kInline, GetOrganization, GetOrganizationRequest, Organization)
  KPO_PEOPLE_UNARY(kWorkerPool, UpdateOrganization, UpdateOrganizationRequest, Organization)
  KPO_PEOPLE_UNARY(kWorkerPool, CreateSite, CreateSiteRequest, Site)
  KPO_PEOPLE_UNARY(kInline, GetSite, GetSiteRequest, Site)
  KPO_PEOPLE_UNARY(kInline, ListSites, ListSitesRequest, ListSitesResponse)
  KPO_PEOPLE_UNARY(kWorkerPool, UpdateSite, UpdateSiteRequest, Site)
  KPO_PEOPLE_UNARY(kWorkerPool, DeactivateSite, DeactivateSiteRequest, Site)
  KPO_PEOPLE_UNARY(kWorkerPool, CreateArea, CreateAreaRequest, Area)
  KPO_PEOPLE_UNARY(kInline, GetArea, GetAreaRequest, Area)
  KPO_PEOPLE_UNARY(kInline, ListAreas, ListAreasRequest, ListAreasResponse)
  KPO_PEOPLE_UNARY(kWorkerPool, UpdateArea, UpdateAreaRequest, Area)
  KPO_PEOPLE_UNARY(kWorkerPool, DeactivateArea, DeactivateAreaRequest, Area)
  KPO_PEOPLE_UNARY(kWorkerPool, CreatePerson, CreatePersonRequest, Person)
  KPO_PEOPLE_UNARY(kWorkerPool, BatchCreatePeople, BatchCreatePeopleRequest,
                   BatchCreatePeopleResponse)
  KPO_PEOPLE_UNARY(kInline, GetPerson, GetPersonRequest, Person)
  KPO_PEOPLE_UNARY(kInline, ListPeople, ListPeopleRequest, ListPeopleResponse)
  KPO_PEOPLE_UNARY(kWorkerPool, UpdatePerson, UpdatePersonRequest, Person)
  KPO_PEOPLE_UNARY(kWorkerPool, DeactivatePerson, DeactivatePersonRequest, Person)
  KPO_PEOPLE_UNARY(kWorkerPool, CreateCoachingRelationship, CreateCoachingRelationshipRequest,
                   CoachingRelationship)
  KPO_PEOPLE_UNARY(kInline, GetCoachingRelationship, GetCoachingRelationshipRequest,
                   CoachingRelationship)
  KPO_PEOPLE_UNARY(kInline, ListCoachingRelationships, ListCoachingRelationshipsRequest,
                   ListCoachingRelationshipsResponse)
  KPO_PEOPLE_UNARY(kWorkerPool, UpdateCoachingRelationship, UpdateCoachingRelationshipRequest,
                   CoachingRelationship)
  KPO_PEOPLE_UNARY(kWorkerPool, DeactivateCoachingRelationship,
                   DeactivateCoachingRelationshipRequest, CoachingRelationship)

 private:
  kpo::rpc::Server& server_;
  Directory& directory_;
};

#undef KPO_PEOPLE_UNARY

}  // namespace

kpo::auth::PermissionTable& AddPeoplePermissions(kpo::auth::PermissionTable& table) {
  using namespace kpo::auth;  // NOLINT: role names
  const std::string m = "/kpo.people.v1.PeopleService/";
  const std::set<std::string> admins = {kOrgAdmin};
  const std::set<std::string> directory_editors = {kOrgAdmin, kKpoSpecialist, kService};
  const std::set<std::string> coaching_editors = {kOrgAdmin,      kKpoSpecialist, kSeniorLeader,
                                                  kMiddleManager, kTeamLeader,    kService};
  for (const char* read :
       {"GetOrganization", "GetSite", "ListSites", "GetArea", "ListAreas", "GetPerson",
        "ListPeople", "GetCoachingRelationship", "ListCoachingRelationships"}) {
    table.Allow(m + read, AnyRole());
  }
  table.Allow(m + "CreateOrganization", admins).Allow(m + "UpdateOrganization", admins);
  for (const char* write :
       {"CreateSite", "UpdateSite", "DeactivateSite", "CreateArea", "UpdateArea", "DeactivateArea",
        "CreatePerson", "BatchCreatePeople", "UpdatePerson", "DeactivatePerson"}) {
    table.Allow(m + write, directory_editors);
  }
  for (const char* write : {"CreateCoachingRelationship", "UpdateCoachingRelationship",
                            "DeactivateCoachingRelationship"}) {
    table.Allow(m + write, coaching_editors);
  }
  return table;
}

std::unique_ptr<grpc::Service> NewPeopleService(kpo::rpc::Server& server, Directory& directory) {
  return std::make_unique<PeopleServiceImpl>(server, directory);
}

}  // namespace kpo::people
