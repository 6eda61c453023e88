#pragma once

// The organization directory's application layer: tenancy, validation (domain/),
// references, idempotency (request_id), optimistic concurrency (etag), persistence and
// the outbox, in one transaction per command. Knows nothing of gRPC. Thread-safe.
//
// Every method takes the caller's Principal; names outside its organization are
// refused with PERMISSION_DENIED before anything is read.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "kpo/auth/auth.h"
#include "kpo/command/command.h"
#include "kpo/core/clock.h"
#include "kpo/core/pagination.h"
#include "kpo/events/outbox.h"
#include "kpo/people/v1/people_service.pb.h"
#include "kpo/storage/database.h"

namespace kpo::people {

// Read-through cache of single resources (libs/cache behind it in production). Misses
// and failures fall back to the database. Entries carry the row's revision so that a
// reader that loaded a row before a concurrent change can never put the old row back
// over the change. Implementations must be thread-safe.
class ResourceCache {
 public:
  virtual ~ResourceCache() = default;
  virtual std::optional<std::string> Get(const std::string& org, const std::string& name) = 0;
  // Stores the resource as read at `revision`; refused when the cache holds a newer
  // revision or the invalidation of one.
  virtual void Put(const std::string& org, const std::string& name, int64_t revision,
                   const std::string& data) = 0;
  // `name` was committed at `revision`: copies of older revisions must not be served.
  virtual void Invalidate(const std::string& org, const std::string& name, int64_t revision) = 0;
};

// The migrations of component "people".
const std::vector<kpo::storage::Migration>& Migrations();

struct DirectoryOptions {
  kpo::core::PageOptions pages;
  int max_batch_size = 10000;
};

class Directory {
 public:
  // All references must outlive the Directory. `cache` may be null. Every mutation
  // runs through `commands` (request_id replay, outbox, relay wake-up).
  Directory(const kpo::command::Runner& commands, const kpo::core::PageTokenCodec& tokens,
            ResourceCache* cache, DirectoryOptions options = {});
  ~Directory();

  using Principal = kpo::auth::Principal;

  absl::StatusOr<v1::Organization> CreateOrganization(const Principal& p,
                                                      const v1::CreateOrganizationRequest& r);
  absl::StatusOr<v1::Organization> GetOrganization(const Principal& p,
                                                   const v1::GetOrganizationRequest& r);
  absl::StatusOr<v1::Organization> UpdateOrganization(const Principal& p,
                                                      const v1::UpdateOrganizationRequest& r);

  absl::StatusOr<v1::Site> CreateSite(const Principal& p, const v1::CreateSiteRequest& r);
  absl::StatusOr<v1::Site> GetSite(const Principal& p, const v1::GetSiteRequest& r);
  absl::StatusOr<v1::ListSitesResponse> ListSites(const Principal& p,
                                                  const v1::ListSitesRequest& r);
  absl::StatusOr<v1::Site> UpdateSite(const Principal& p, const v1::UpdateSiteRequest& r);
  absl::StatusOr<v1::Site> DeactivateSite(const Principal& p, const v1::DeactivateSiteRequest& r);

  absl::StatusOr<v1::Area> CreateArea(const Principal& p, const v1::CreateAreaRequest& r);
  absl::StatusOr<v1::Area> GetArea(const Principal& p, const v1::GetAreaRequest& r);
  absl::StatusOr<v1::ListAreasResponse> ListAreas(const Principal& p,
                                                  const v1::ListAreasRequest& r);
  absl::StatusOr<v1::Area> UpdateArea(const Principal& p, const v1::UpdateAreaRequest& r);
  absl::StatusOr<v1::Area> DeactivateArea(const Principal& p, const v1::DeactivateAreaRequest& r);

  absl::StatusOr<v1::Person> CreatePerson(const Principal& p, const v1::CreatePersonRequest& r);
  absl::StatusOr<v1::BatchCreatePeopleResponse> BatchCreatePeople(
      const Principal& p, const v1::BatchCreatePeopleRequest& r);
  absl::StatusOr<v1::Person> GetPerson(const Principal& p, const v1::GetPersonRequest& r);
  absl::StatusOr<v1::ListPeopleResponse> ListPeople(const Principal& p,
                                                    const v1::ListPeopleRequest& r);
  absl::StatusOr<v1::Person> UpdatePerson(const Principal& p, const v1::UpdatePersonRequest& r);
  absl::StatusOr<v1::Person> DeactivatePerson(const Principal& p,
                                              const v1::DeactivatePersonRequest& r);

  absl::StatusOr<v1::CoachingRelationship> CreateCoachingRelationship(
      const Principal& p, const v1::CreateCoachingRelationshipRequest& r);
  absl::StatusOr<v1::CoachingRelationship> GetCoachingRelationship(
      const Principal& p, const v1::GetCoachingRelationshipRequest& r);
  absl::StatusOr<v1::ListCoachingRelationshipsResponse> ListCoachingRelationships(
      const Principal& p, const v1::ListCoachingRelationshipsRequest& r);
  absl::StatusOr<v1::CoachingRelationship> UpdateCoachingRelationship(
      const Principal& p, const v1::UpdateCoachingRelationshipRequest& r);
  absl::StatusOr<v1::CoachingRelationship> DeactivateCoachingRelationship(
      const Principal& p, const v1::DeactivateCoachingRelationshipRequest& r);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kpo::people
