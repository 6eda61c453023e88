#include "answer_cache.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "kpo/cache/redis_cache.h"

namespace kpo::reporting {

AnswerCache::AnswerCache(kpo::cache::RedisCache* redis, absl::Duration ttl, size_t capacity,
                         prometheus::Registry* registry)
    : redis_(redis), ttl_(ttl), capacity_(capacity) {
  if (registry == nullptr) return;
  auto& family = prometheus::BuildCounter()
                     .Name("kpo_reporting_answers_total")
                     .Help(
                         "Scorecards and ranking pages answered, by where they came from: "
                         "memory (this process), redis, or computed (not cached yet, changed "
                         "since, or the caches unavailable)")
                     .Register(*registry);
  from_memory_ = &family.Add({{"source", "memory"}});
  from_redis_ = &family.Add({{"source", "redis"}});
  computed_ = &family.Add({{"source", "computed"}});
}

std::string AnswerCache::Key(const std::string& org, int64_t generation, int64_t changes,
                             const std::string& question) {
  return kpo::cache::Key(org, absl::StrCat("reporting:answer:", kAnswersFormat, ":g", generation,
                                           ":", changes, ":", question));
}

std::string AnswerCache::AsOfTag(const domain::CivilPeriod& period, absl::Time now) {
  const absl::Time over_everywhere =
      absl::FromCivil(absl::CivilSecond(period.last + 1), absl::FixedTimeZone(-12 * 3600));
  if (now >= over_everywhere) return "end";
  return absl::StrCat(absl::ToUnixSeconds(now) / 60);
}

std::optional<std::string> AnswerCache::Get(const std::string& key) {
  {
    absl::MutexLock lock(&mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      entries_.splice(entries_.begin(), entries_, it->second);
      if (from_memory_ != nullptr) from_memory_->Increment();
      return it->second->second;
    }
  }
  if (redis_ != nullptr) {
    if (std::optional<std::string> value = redis_->Get(key)) {
      Remember(key, *value);
      if (from_redis_ != nullptr) from_redis_->Increment();
      return value;
    }
  }
  if (computed_ != nullptr) computed_->Increment();
  return std::nullopt;
}

void AnswerCache::Put(const std::string& key, const std::string& value, bool for_a_minute) {
  Remember(key, value);
  if (redis_ != nullptr)
    redis_->Set(key, value, for_a_minute ? std::min(ttl_, absl::Minutes(2)) : ttl_);
}

void AnswerCache::Remember(const std::string& key, const std::string& value) {
  if (capacity_ == 0) return;
  absl::MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    it->second->second = value;
    entries_.splice(entries_.begin(), entries_, it->second);
    return;
  }
  entries_.emplace_front(key, value);
  index_[key] = entries_.begin();
  while (entries_.size() > capacity_) {
    index_.erase(entries_.back().first);
    entries_.pop_back();
  }
}

}  // namespace kpo::reporting
