#pragma once

// The counts of a scope's sites for a period, from Redis when cached, from the
// database otherwise (then cached). A site's counts are cached under a key made of
// the generation of the projections (generation.h), the site's and the organization's
// versions (r_versions, bumped by the projection in
// the transaction of every change it makes), the area, the period's days and, for a
// period not over, the minute they were computed at. So a cached answer is never older
// than the events the projection has applied: an event changes the key, and the next
// read recomputes that site only. Figures that depend on the time alone (the age of
// open ideas, "today") may be up to a minute old in a period not over.
//
// When Redis is down or empty every site is counted from the database: correct and
// slower; kpo_reporting_site_counts_total{source} and the cache's own metrics
// (kpo_cache_available, kpo_cache_requests_total{service="reporting"}) say so.
// Thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "development_store.h"
#include "domain/periods.h"
#include "domain/site_counts.h"
#include "kpo/storage/database.h"
#include "query.h"
#include "scorecard_store.h"

namespace kpo::cache {
class RedisCache;
}
namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace kpo::reporting {

class CountsReader {
 public:
  // `redis` may be null (no cache); it and `registry` (may be null) must outlive this.
  CountsReader(kpo::cache::RedisCache* redis, absl::Duration ttl, prometheus::Registry* registry);

  // What one request reads once: the organization's targets, objectives and versions,
  // the scope's area, and the instant it is answered at.
  struct Request {
    int64_t generation = 0;
    std::string org;   // id
    std::string area;  // resource name, empty for a site or the organization
    absl::Time now;
    store::OrgTargets targets;
    std::vector<domain::Objective> objectives;
    int64_t org_version = 0;
    absl::flat_hash_map<std::string, int64_t> site_versions;
  };
  absl::StatusOr<Request> Begin(kpo::storage::Transaction& tx, int64_t generation,
                                const std::string& org, const std::string& area,
                                absl::Time now) const;

  // The counts of each of `sites` over `period`, in the order of `sites`.
  absl::StatusOr<std::vector<domain::SiteCounts>> Count(kpo::storage::Transaction& tx,
                                                        const Request& request,
                                                        const std::vector<store::SiteZone>& sites,
                                                        const domain::CivilPeriod& period) const;

  // The period at one site: its window in the site's zone, its days, and the instant its
  // end-of-period states are read at (its end, or `now` for a period not over yet).
  static store::SiteSpan SpanAt(const domain::CivilPeriod& period, absl::TimeZone zone,
                                absl::Time now);

 private:
  kpo::cache::RedisCache* redis_;
  absl::Duration ttl_;
  prometheus::Counter* from_cache_ = nullptr;
  prometheus::Counter* from_database_ = nullptr;
};

// What one query reads in its transaction, each at most once and only when asked for:
// the sites its scope adds up (NOT_FOUND for a site or area reporting has not heard
// of), the counting request (CountsReader::Begin) and the organization's change
// counter. A query whose answer is cached reads only the counter.
class ScopeReading {
 public:
  // Everything must outlive this.
  ScopeReading(kpo::storage::Transaction& tx, const CountsReader& counts, int64_t generation,
               const Scope& scope, absl::Time now);

  absl::StatusOr<const std::vector<store::SiteZone>*> Sites();
  absl::StatusOr<const CountsReader::Request*> Request();
  absl::StatusOr<int64_t> Changes();
  kpo::storage::Transaction& tx() { return tx_; }
  const CountsReader& counts() const { return counts_; }

 private:
  kpo::storage::Transaction& tx_;
  const CountsReader& counts_;
  int64_t generation_;
  const Scope& scope_;
  absl::Time now_;
  std::optional<std::vector<store::SiteZone>> sites_;
  std::optional<CountsReader::Request> request_;
  std::optional<int64_t> changes_;
};

}  // namespace kpo::reporting
