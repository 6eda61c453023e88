#pragma once

// ResourceCache over Redis: single directory resources under
// kpo:{org}:people:<resource name>, with a TTL, stored as versioned entries of
// libs/cache. An invalidation writes a tombstone of the committed revision and a put
// only lands over older revisions (RedisCache::SetIfNewer), so a reader that loaded a row before a
// change cannot re-cache it after the change's invalidation. Invalidations that fail (Redis down)
// are remembered and retried (as deletes) before the next cached read is trusted, so a Redis that
// comes back never serves a value older than a committed change. Thread-safe.

#include <set>

#include "absl/synchronization/mutex.h"
#include "directory.h"
#include "kpo/cache/redis_cache.h"

namespace kpo::people {

class RedisResourceCache final : public ResourceCache {
 public:
  // `cache` must outlive this object.
  RedisResourceCache(kpo::cache::RedisCache& cache, absl::Duration ttl,
                     const kpo::core::Clock& clock)
      : cache_(cache), ttl_(ttl), clock_(clock) {}

  std::optional<std::string> Get(const std::string& org, const std::string& name) override;
  void Put(const std::string& org, const std::string& name, int64_t revision,
           const std::string& data) override;
  void Invalidate(const std::string& org, const std::string& name, int64_t revision) override;

 private:
  static constexpr size_t kMaxPending = 10000;
  // True when no remembered invalidation is outstanding (retrying them first).
  bool Clean();

  kpo::cache::RedisCache& cache_;
  const absl::Duration ttl_;
  const kpo::core::Clock& clock_;
  absl::Mutex mu_;
  std::set<std::string> pending_ ABSL_GUARDED_BY(mu_);
  // After too many lost invalidations, cached reads are ignored until every entry
  // written before then has expired.
  absl::Time bypass_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace kpo::people
