#include "counts_reader.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "kpo/cache/redis_cache.h"
#include "kpo/core/date.h"
#include "office_store.h"
#include "spread_store.h"

namespace kpo::reporting {
namespace {

using kpo::storage::Transaction;

// The last segment of a resource name ("organizations/a/sites/lyon" -> "lyon").
std::string IdOf(const std::string& name) {
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// Counts one site (restricted to the request's area) over `span` from the database.
absl::StatusOr<domain::SiteCounts> CountFromDatabase(Transaction& tx,
                                                     const CountsReader::Request& r,
                                                     const store::SiteZone& site,
                                                     const store::SiteSpan& span) {
  domain::SiteCounts c;
  auto ideas = store::CountIdeas(tx, r.org, site.name, r.area, span);
  if (!ideas.ok()) return ideas.status();
  c.ideas = *std::move(ideas);
  auto kaizen = store::CountKaizenEvents(tx, r.org, site.name, r.area, span);
  if (!kaizen.ok()) return kaizen.status();
  c.kaizen = *kaizen;
  auto coaching = store::CountCoaching(tx, r.org, site.name, r.area, span);
  if (!coaching.ok()) return coaching.status();
  c.coaching = *coaching;
  auto development = store::CountDevelopment(tx, r.org, site.name, r.area, span, r.targets);
  if (!development.ok()) return development.status();
  c.development = *std::move(development);
  auto money = store::CountSavings(tx, r.org, site.name, r.area, span);
  if (!money.ok()) return money.status();
  c.money = *std::move(money);
  auto members = store::KpoMembers(tx, r.org, site.name, r.area, site.zone);
  if (!members.ok()) return members.status();
  domain::AddKpoCost(c.money, *members, span.first_day, span.end_day);
  domain::AddKpoMembers(c.footprint, *members, span.end_day);
  auto alignment = store::CountAlignment(tx, r.org, site.name, r.area, span);
  if (!alignment.ok()) return alignment.status();
  c.alignment = *std::move(alignment);
  auto yokoten = store::CountYokoten(tx, r.org, site.name, r.area, span);
  if (!yokoten.ok()) return yokoten.status();
  c.yokoten = *yokoten;
  return c;
}

}  // namespace

CountsReader::CountsReader(kpo::cache::RedisCache* redis, absl::Duration ttl,
                           prometheus::Registry* registry)
    : redis_(redis), ttl_(ttl) {
  if (registry == nullptr) return;
  auto& family = prometheus::BuildCounter()
                     .Name("kpo_reporting_site_counts_total")
                     .Help(
                         "A site's counts for one period, by where they came from: cache "
                         "(Redis) or database (not cached yet, changed since, or Redis down)")
                     .Register(*registry);
  from_cache_ = &family.Add({{"source", "cache"}});
  from_database_ = &family.Add({{"source", "database"}});
}

absl::StatusOr<CountsReader::Request> CountsReader::Begin(Transaction& tx, int64_t generation,
                                                          const std::string& org,
                                                          const std::string& area,
                                                          absl::Time now) const {
  Request r;
  r.generation = generation;
  r.org = org;
  r.area = area;
  r.now = now;
  auto targets = store::ReadTargets(tx, org);
  if (!targets.ok()) return targets.status();
  r.targets = *std::move(targets);
  auto objectives = store::Objectives(tx, org);
  if (!objectives.ok()) return objectives.status();
  r.objectives = *std::move(objectives);
  auto versions = store::ReadVersions(tx, org);
  if (!versions.ok()) return versions.status();
  r.org_version = versions->org;
  for (auto& [site, version] : versions->sites) r.site_versions[site] = version;
  return r;
}

store::SiteSpan CountsReader::SpanAt(const domain::CivilPeriod& period, absl::TimeZone zone,
                                     absl::Time now) {
  store::SiteSpan span;
  span.window = domain::InZone(period, zone);
  span.first_day = kpo::core::DateKey(kpo::core::FromCivil(period.first));
  span.last_day = kpo::core::DateKey(kpo::core::FromCivil(period.last));
  span.as_of = std::min(now, span.window.end);
  span.as_of_day = kpo::core::DateKey(kpo::core::FromCivil(absl::ToCivilDay(span.as_of, zone)));
  const absl::CivilDay last_before = absl::ToCivilDay(span.as_of - absl::Nanoseconds(1), zone);
  span.end_day = kpo::core::DateKey(kpo::core::FromCivil(last_before));
  span.recent_first_day = kpo::core::DateKey(kpo::core::FromCivil(last_before - 6));
  return span;
}

absl::StatusOr<std::vector<domain::SiteCounts>> CountsReader::Count(
    Transaction& tx, const Request& r, const std::vector<store::SiteZone>& sites,
    const domain::CivilPeriod& period) const {
  std::vector<store::SiteSpan> spans;
  std::vector<std::string> keys;
  spans.reserve(sites.size());
  keys.reserve(sites.size());
  for (const store::SiteZone& site : sites) {
    spans.push_back(SpanAt(period, site.zone, r.now));
    const store::SiteSpan& span = spans.back();
    const auto version = r.site_versions.find(site.name);
    // A period over reads its end; one not over reads now, to the minute.
    const std::string as_of = span.as_of == span.window.end
                                  ? std::string("end")
                                  : absl::StrCat(absl::ToUnixSeconds(span.as_of) / 60);
    keys.push_back(kpo::cache::Key(
        r.org, absl::StrCat("reporting:counts:", domain::kCountsFormat, ":g", r.generation, ":",
                            r.org_version, ":", IdOf(site.name), ":",
                            version == r.site_versions.end() ? 0 : version->second, ":",
                            r.area.empty() ? "-" : IdOf(r.area), ":", span.first_day, "-",
                            span.last_day, ":", as_of)));
  }
  std::optional<std::vector<std::optional<std::string>>> cached;
  if (redis_ != nullptr && !keys.empty()) cached = redis_->MGet(keys);

  std::vector<domain::SiteCounts> out(sites.size());
  std::vector<std::pair<std::string, std::string>> fresh;
  for (size_t i = 0; i < sites.size(); ++i) {
    if (cached && (*cached)[i]) {
      if (auto decoded = domain::Decode(*(*cached)[i])) {
        out[i] = *std::move(decoded);
        if (from_cache_ != nullptr) from_cache_->Increment();
        continue;
      }
    }
    auto counts = CountFromDatabase(tx, r, sites[i], spans[i]);
    if (!counts.ok()) return counts.status();
    out[i] = *std::move(counts);
    if (from_database_ != nullptr) from_database_->Increment();
    if (redis_ != nullptr && cached) fresh.emplace_back(keys[i], domain::Encode(out[i]));
  }
  // Only while Redis answers: a down Redis is not written to on every read.
  if (!fresh.empty()) redis_->SetMany(fresh, ttl_);
  return out;
}

ScopeReading::ScopeReading(Transaction& tx, const CountsReader& counts, int64_t generation,
                           const Scope& scope, absl::Time now)
    : tx_(tx), counts_(counts), generation_(generation), scope_(scope), now_(now) {}

absl::StatusOr<const std::vector<store::SiteZone>*> ScopeReading::Sites() {
  if (!sites_) {
    auto sites = SitesOf(tx_, scope_);
    if (!sites.ok()) return sites.status();
    sites_ = *std::move(sites);
  }
  return &*sites_;
}

absl::StatusOr<const CountsReader::Request*> ScopeReading::Request() {
  if (!request_) {
    auto request = counts_.Begin(tx_, generation_, scope_.org, scope_.area, now_);
    if (!request.ok()) return request.status();
    request_ = *std::move(request);
  }
  return &*request_;
}

absl::StatusOr<int64_t> ScopeReading::Changes() {
  if (!changes_) {
    auto changes = store::ReadChanges(tx_, scope_.org);
    if (!changes.ok()) return changes.status();
    changes_ = *changes;
  }
  return *changes_;
}

}  // namespace kpo::reporting
