#pragma once

// RankSites: an organization's sites ranked by one figure of their scorecards for a
// period. The ranking is a Redis sorted set (site -> value) with a marker holding how
// many sites are ranked and which have no value, written together and keyed by a digest
// of the organization's projection versions: any event applied to any site changes the
// key, so a cached ranking is never older than the events processed. Without Redis (or
// when it is down) the ranking is computed from the sites' counts (CountsReader) on
// every call. Reads only; thread-safe.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "counts_reader.h"
#include "generation.h"
#include "kpo/auth/auth.h"
#include "kpo/core/clock.h"
#include "kpo/core/page_token.h"
#include "kpo/reporting/v1/reporting_service.pb.h"
#include "kpo/storage/database.h"

namespace kpo::cache {
class RedisCache;
}

namespace kpo::reporting {

class Rankings {
 public:
  // `redis` may be null; everything must outlive this.
  Rankings(kpo::storage::Database& db, const kpo::core::Clock& clock, const CountsReader& counts,
           kpo::cache::RedisCache* redis, absl::Duration ttl,
           const kpo::core::PageTokenCodec& page_tokens, std::string consumer_name,
           std::function<int64_t()> pending_records);
  // Reads whichever generation `serving` gives at each call.
  Rankings(ServingGeneration serving, const kpo::core::Clock& clock, const CountsReader& counts,
           kpo::cache::RedisCache* redis, absl::Duration ttl,
           const kpo::core::PageTokenCodec& page_tokens);

  absl::StatusOr<kpo::reporting::v1::RankSitesResponse> RankSites(
      const kpo::auth::Principal& p, const kpo::reporting::v1::RankSitesRequest& r) const;

 private:
  ServingGeneration serving_;
  const kpo::core::Clock& clock_;
  const CountsReader& counts_;
  kpo::cache::RedisCache* redis_;
  absl::Duration ttl_;
  const kpo::core::PageTokenCodec& page_tokens_;
};

}  // namespace kpo::reporting
