#pragma once

// gRPC adapter of kpo.people.v1.PeopleService: proto in, Directory call, proto/status out.

#include "directory.h"
#include "kpo/auth/auth.h"
#include "kpo/people/v1/people_service.grpc.pb.h"
#include "kpo/rpc/server.h"

namespace kpo::people {

inline constexpr char kPeopleServiceName[] = "kpo.people.v1.PeopleService";

// Which roles may call which method of PeopleService.
kpo::auth::PermissionTable& AddPeoplePermissions(kpo::auth::PermissionTable& table);

// Creates the callback service; `server` and `directory` must outlive it.
std::unique_ptr<grpc::Service> NewPeopleService(kpo::rpc::Server& server, Directory& directory);

}  // namespace kpo::people
