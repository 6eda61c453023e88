#pragma once

// The KPO office, application layer: memberships (level, time share, kaizen pool,
// cost) of the directory's people. Through the command shell; knows nothing of gRPC.
// Thread-safe.

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/pagination.h"
#include "kpo/people/v1/development_service.pb.h"

namespace kpo::people {

class KpoOffice {
 public:
  using Principal = kpo::auth::Principal;

  // References must outlive the object.
  KpoOffice(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
            kpo::core::PageOptions pages = {})
      : commands_(commands), tokens_(tokens), pages_(pages) {}

  absl::StatusOr<v1::KpoMember> CreateKpoMember(const Principal& p,
                                                const v1::CreateKpoMemberRequest& r) const;
  absl::StatusOr<v1::KpoMember> GetKpoMember(const Principal& p,
                                             const v1::GetKpoMemberRequest& r) const;
  absl::StatusOr<v1::ListKpoMembersResponse> ListKpoMembers(
      const Principal& p, const v1::ListKpoMembersRequest& r) const;
  absl::StatusOr<v1::KpoMember> UpdateKpoMember(const Principal& p,
                                                const v1::UpdateKpoMemberRequest& r) const;
  absl::StatusOr<v1::KpoMember> DeactivateKpoMember(const Principal& p,
                                                    const v1::DeactivateKpoMemberRequest& r) const;

 private:
  const kpo::command::Runner& commands_;
  const kpo::core::PageTokenCodec& tokens_;
  kpo::core::PageOptions pages_;
};

// Whether the caller sees what memberships cost.
bool SeesKpoCosts(const kpo::auth::Principal& p);

}  // namespace kpo::people
