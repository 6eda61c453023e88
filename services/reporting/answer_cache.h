#pragma once

// Whole answers (a scope's scorecard for a period, a page of a site ranking), cached
// under keys that name everything they were computed from: the generation of the
// projections, the organization's change counter (r_versions, kChangesScope: bumped in
// the transaction of every change to the organization's projections), the question
// and, for a period not over everywhere, the minute. A key is never reused for another
// answer, so nothing is ever invalidated: an event applied moves the counter and the
// next query computes afresh (from the sites' cached counts, CountsReader), and a
// query that finds its answer cached reads one row besides the answer's freshness.
//
// Two tiers: the most recent answers in this process (a least-recently-used list of
// `capacity` entries), then Redis (shared by the replicas, entries expire after `ttl`).
// Without Redis, or while it is down, the process tier alone. Thread-safe.

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "domain/periods.h"

namespace kpo::cache {
class RedisCache;
}
namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace kpo::reporting {

// The format of cached answers: bumped whenever a figure's formula or an answer's shape
// changes, so that a new release never serves an older one's answers.
inline constexpr int kAnswersFormat = 1;

class AnswerCache {
 public:
  // `redis` (may be null) and `registry` (may be null) must outlive this.
  AnswerCache(kpo::cache::RedisCache* redis, absl::Duration ttl, size_t capacity,
              prometheus::Registry* registry);

  // The key of an answer of organization `org` (id) at generation `generation` and change
  // counter `changes`; `question` names the rest (scope, period, as-of, ...).
  static std::string Key(const std::string& org, int64_t generation, int64_t changes,
                         const std::string& question);

  // "end" once `period` is over in every time zone (a day ends last at UTC-12), else the
  // minute of `now`: the part of a key that moves with the clock for a period not over.
  static std::string AsOfTag(const domain::CivilPeriod& period, absl::Time now);

  std::optional<std::string> Get(const std::string& key);
  // `for_a_minute`: the key holds a minute (AsOfTag), so the answer is not asked for
  // after it; Redis keeps it two minutes instead of the ttl.
  void Put(const std::string& key, const std::string& value, bool for_a_minute);

 private:
  void Remember(const std::string& key, const std::string& value) ABSL_LOCKS_EXCLUDED(mu_);

  kpo::cache::RedisCache* redis_;
  absl::Duration ttl_;
  size_t capacity_;
  prometheus::Counter* from_memory_ = nullptr;
  prometheus::Counter* from_redis_ = nullptr;
  prometheus::Counter* computed_ = nullptr;

  absl::Mutex mu_;
  // Most recently used first.
  std::list<std::pair<std::string, std::string>> entries_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::list<std::pair<std::string, std::string>>::iterator> index_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace kpo::reporting
