#include "resource_cache.h"

#include <vector>

namespace kpo::people {
namespace {
std::string CacheKey(const std::string& org, const std::string& name) {
  return kpo::cache::Key(org, "people:" + name);
}
}  // namespace

bool RedisResourceCache::Clean() {
  std::vector<std::string> keys;
  {
    absl::MutexLock lock(&mu_);
    if (clock_.Now() < bypass_until_) return false;
    if (pending_.empty()) return true;
    keys.assign(pending_.begin(), pending_.end());
  }
  if (!cache_.Delete(keys)) return false;
  absl::MutexLock lock(&mu_);
  for (const auto& k : keys) pending_.erase(k);
  return pending_.empty();
}

std::optional<std::string> RedisResourceCache::Get(const std::string& org,
                                                   const std::string& name) {
  if (!Clean()) return std::nullopt;
  auto stored = cache_.Get(CacheKey(org, name));
  if (!stored.has_value()) return std::nullopt;
  auto entry = kpo::cache::RedisCache::ParseVersioned(*stored);
  if (!entry.has_value()) return std::nullopt;  // a tombstone
  return std::move(entry->second);
}

void RedisResourceCache::Put(const std::string& org, const std::string& name, int64_t revision,
                             const std::string& data) {
  if (!Clean()) return;
  (void)cache_.SetIfNewer(CacheKey(org, name), revision, data, ttl_);
}

void RedisResourceCache::Invalidate(const std::string& org, const std::string& name,
                                    int64_t revision) {
  const std::string key = CacheKey(org, name);
  if (cache_.Tombstone(key, revision, ttl_).has_value()) return;  // written, or newer there
  absl::MutexLock lock(&mu_);
  if (pending_.size() < kMaxPending) {
    pending_.insert(key);
  } else {
    pending_.clear();
    bypass_until_ = clock_.Now() + ttl_;
  }
}

}  // namespace kpo::people
