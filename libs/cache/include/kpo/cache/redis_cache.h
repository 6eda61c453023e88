#pragma once

// Redis as a cache, never the truth. A small pool of hiredis connections (a hiredis
// context is not thread-safe; each command borrows one), a timeout on connect and on
// every command, and a circuit breaker: when Redis is down the breaker opens and calls
// return at once (a miss / false) until a trial call succeeds. Callers then read from
// their database. Keys carry the organization as a hash tag, "kpo:{acme}:...", so one
// organization's keys stay on one Redis Cluster slot. Thread-safe.
// Constructing one sets SIGPIPE to be ignored process-wide: hiredis writes to sockets
// without MSG_NOSIGNAL, and a Redis that went away must not kill the service.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kpo/core/clock.h"

namespace prometheus {
class Registry;
}

namespace kpo::cache {

struct RedisOptions {
  // "host:port" or "unix:/path/to/socket".
  std::string address;
  int pool_size = 4;
  absl::Duration connect_timeout = absl::Milliseconds(200);
  absl::Duration command_timeout = absl::Milliseconds(50);
  int failure_threshold = 3;
  absl::Duration open_duration = absl::Seconds(2);
  // Metric label.
  std::string service;
};

// "kpo:{<org>}:<suffix>"
std::string Key(absl::string_view organization_id, absl::string_view suffix);

class RedisCache {
 public:
  // Connects lazily; never fails. `clock` must outlive it; `registry` may be null.
  RedisCache(RedisOptions options, const kpo::core::Clock& clock, prometheus::Registry* registry);
  ~RedisCache();
  RedisCache(const RedisCache&) = delete;
  RedisCache& operator=(const RedisCache&) = delete;

  // The value, or nullopt on a miss or any failure.
  std::optional<std::string> Get(const std::string& key);
  // False on failure; the cache is then stale-safe only because of the TTL.
  bool Set(const std::string& key, const std::string& value, absl::Duration ttl);
  bool Delete(const std::vector<std::string>& keys);

  // The values of `keys` in one round trip, nullopt for each miss; nullopt for all on any
  // failure.
  std::optional<std::vector<std::optional<std::string>>> MGet(const std::vector<std::string>& keys);
  // Sets every entry with `ttl` in one round trip (a pipeline). False on failure.
  bool SetMany(const std::vector<std::pair<std::string, std::string>>& entries, absl::Duration ttl);

  // Sorted sets. PutSortedSet replaces the set `key` with `members` (member, score) and
  // sets `marker_key` to `marker`, both with `ttl`, in one MULTI/EXEC transaction: a
  // reader that finds the marker finds the whole set (even an empty one, which Redis does
  // not keep). Both keys must share a hash tag (one Redis Cluster slot).
  bool PutSortedSet(const std::string& key,
                    const std::vector<std::pair<std::string, double>>& members,
                    const std::string& marker_key, const std::string& marker, absl::Duration ttl);
  // `count` members from `offset` by score (highest first when `descending`; ties by
  // member, reversed when descending), with their scores. nullopt on failure.
  std::optional<std::vector<std::pair<std::string, double>>> SortedRange(const std::string& key,
                                                                         int64_t offset,
                                                                         int64_t count,
                                                                         bool descending);
  // How many members score strictly higher (`descending`) or lower than `score`.
  std::optional<int64_t> CountBeyond(const std::string& key, double score, bool descending);

  // Versioned entries, for values that have a revision (a row's): "<revision>:<value>",
  // and tombstones "<revision>!" that say "revision N was committed; anything older is
  // stale". Both are written by one Lua script each, atomically:
  //   SetIfNewer(N) lands unless the key holds a value of revision >= N or a tombstone
  //     of revision > N (a tombstone of N is replaced by the value of N);
  //   Tombstone(N) lands unless the key holds anything of revision >= N.
  // So a reader that loaded an old row can never put it back over a newer change.
  // true: written; false: refused; nullopt: Redis failed.
  std::optional<bool> SetIfNewer(const std::string& key, int64_t revision, const std::string& value,
                                 absl::Duration ttl);
  std::optional<bool> Tombstone(const std::string& key, int64_t revision, absl::Duration ttl);
  // The value of a stored "<revision>:<value>"; nullopt for a tombstone or anything else.
  static std::optional<std::pair<int64_t, std::string>> ParseVersioned(const std::string& stored);

  // Whether the breaker lets calls through.
  bool available() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kpo::cache
