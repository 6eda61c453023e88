#include "grpc_service.h"

#include "kpo/rpc/unary.h"

namespace kpo::kaizen {
namespace {

namespace pb = kpo::kaizen::v1;

#define KPO_KAIZEN_UNARY(Exec, App, Method, Req, Resp) \
  KPO_RPC_UNARY("kpo.kaizen.v1.KaizenEventsService", Exec, app_.App, Method, pb::Req, pb::Resp)

class KaizenServiceImpl final : public pb::KaizenEventsService::CallbackService {
 public:
  KaizenServiceImpl(kpo::rpc::Server& server, KaizenApplication app) : server_(server), app_(app) {}

  KPO_KAIZEN_UNARY(kWorkerPool, events, CreateKaizenEvent, CreateKaizenEventRequest, KaizenEvent)
  KPO_KAIZEN_UNARY(kInline, events, GetKaizenEvent, GetKaizenEventRequest, KaizenEvent)
  KPO_KAIZEN_UNARY(kInline, events, ListKaizenEvents, ListKaizenEventsRequest,
                   ListKaizenEventsResponse)
  KPO_KAIZEN_UNARY(kWorkerPool, events, UpdateKaizenEvent, UpdateKaizenEventRequest, KaizenEvent)
  KPO_KAIZEN_UNARY(kWorkerPool, events, CharterKaizenEvent, TransitionRequest, KaizenEvent)
  KPO_KAIZEN_UNARY(kWorkerPool, events, StartKaizenEvent, TransitionRequest, KaizenEvent)
  KPO_KAIZEN_UNARY(kWorkerPool, events, CompleteKaizenEvent, CompleteKaizenEventRequest,
                   KaizenEvent)
  KPO_KAIZEN_UNARY(kWorkerPool, events, StartFollowUp, TransitionRequest, KaizenEvent)
  KPO_KAIZEN_UNARY(kWorkerPool, events, CloseKaizenEvent, TransitionRequest, KaizenEvent)
  KPO_KAIZEN_UNARY(kWorkerPool, events, CancelKaizenEvent, CancelKaizenEventRequest, KaizenEvent)
  KPO_KAIZEN_UNARY(kWorkerPool, events, CompleteChecklistItem, CompleteChecklistItemRequest,
                   KaizenEvent)
  KPO_KAIZEN_UNARY(kWorkerPool, events, ValidateSavings, ValidateSavingsRequest, KaizenEvent)
  KPO_KAIZEN_UNARY(kWorkerPool, action_items, CreateActionItem, CreateActionItemRequest, ActionItem)
  KPO_KAIZEN_UNARY(kWorkerPool, action_items, UpdateActionItem, UpdateActionItemRequest, ActionItem)
  KPO_KAIZEN_UNARY(kInline, action_items, ListActionItems, ListActionItemsRequest,
                   ListActionItemsResponse)
  KPO_KAIZEN_UNARY(kInline, audits, ListAudits, ListAuditsRequest, ListAuditsResponse)
  KPO_KAIZEN_UNARY(kWorkerPool, audits, RecordAudit, RecordAuditRequest, Audit)
  KPO_KAIZEN_UNARY(kInline, settings, GetKaizenSettings, GetKaizenSettingsRequest, KaizenSettings)
  KPO_KAIZEN_UNARY(kWorkerPool, settings, UpdateKaizenSettings, UpdateKaizenSettingsRequest,
                   KaizenSettings)

 private:
  kpo::rpc::Server& server_;
  KaizenApplication app_;
};

#undef KPO_KAIZEN_UNARY

}  // namespace

kpo::auth::PermissionTable& AddKaizenPermissions(kpo::auth::PermissionTable& table) {
  using namespace kpo::auth;  // NOLINT: role names
  const std::string m = "/kpo.kaizen.v1.KaizenEventsService/";
  // Line managers and the KPO run events; team members read and keep the newspaper.
  const std::set<std::string> runners = {kOrgAdmin,      kKpoSpecialist, kSeniorLeader,
                                         kMiddleManager, kTeamLeader,    kService};
  for (const char* read : {"GetKaizenEvent", "ListKaizenEvents", "ListActionItems", "ListAudits",
                           "GetKaizenSettings"}) {
    table.Allow(m + read, AnyRole());
  }
  for (const char* run :
       {"CreateKaizenEvent", "UpdateKaizenEvent", "CharterKaizenEvent", "StartKaizenEvent",
        "CompleteKaizenEvent", "StartFollowUp", "CloseKaizenEvent", "CancelKaizenEvent",
        "CompleteChecklistItem", "RecordAudit"}) {
    table.Allow(m + run, runners);
  }
  // Anyone on the floor may add to or tick off the newspaper.
  table.Allow(m + "CreateActionItem", AnyRole()).Allow(m + "UpdateActionItem", AnyRole());
  // Finance validates savings; senior leaders and org admins may too.
  table.Allow(m + "ValidateSavings", {kOrgAdmin, kFinance, kSeniorLeader, kService});
  table.Allow(m + "UpdateKaizenSettings", {kOrgAdmin, kKpoSpecialist});
  return table;
}

std::unique_ptr<grpc::Service> NewKaizenService(kpo::rpc::Server& server, KaizenApplication app) {
  return std::make_unique<KaizenServiceImpl>(server, app);
}

}  // namespace kpo::kaizen
