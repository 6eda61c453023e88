#pragma once

// RankSites: an organization's sites ranked by one figure of their scorecards for a
// period. The ranking is a Redis sorted set (site -> value) with a marker holding how
// many sites are ranked and which have no value, written together and keyed by the
// organization's change counter (AnswerCache::Key): any event applied to any site
// changes the key, so a cached ranking is never older than the events processed. Each
// page answered is also cached whole (AnswerCache). Without Redis (or when it is down)
// the ranking is computed from the sites' counts (CountsReader) once per change and
// kept in this process only. Reads only; thread-safe.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "answer_cache.h"
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
           std::function<int64_t()> pending_records, AnswerCache* answers = nullptr);
  // Reads whichever generation `serving` gives at each call.
  Rankings(ServingGeneration serving, const kpo::core::Clock& clock, const CountsReader& counts,
           kpo::cache::RedisCache* redis, absl::Duration ttl,
           const kpo::core::PageTokenCodec& page_tokens, AnswerCache* answers = nullptr);

  absl::StatusOr<kpo::reporting::v1::RankSitesResponse> RankSites(
      const kpo::auth::Principal& p, const kpo::reporting::v1::RankSitesRequest& r) const;
  // The same, into `out` (cleared first; it may be on the call's arena, ArenaAllocator).
  absl::Status RankSites(const kpo::auth::Principal& p,
                         const kpo::reporting::v1::RankSitesRequest& r,
                         kpo::reporting::v1::RankSitesResponse& out) const;

 private:
  ServingGeneration serving_;
  const kpo::core::Clock& clock_;
  const CountsReader& counts_;
  kpo::cache::RedisCache* redis_;
  absl::Duration ttl_;
  const kpo::core::PageTokenCodec& page_tokens_;
  AnswerCache* answers_;
};

}  // namespace kpo::reporting
