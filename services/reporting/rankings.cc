#include "rankings.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "domain/figure_path.h"
#include "domain/site_counts.h"
#include "kpo/cache/redis_cache.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/rpc/server.h"
#include "query.h"

namespace kpo::reporting {
namespace {

namespace pb = kpo::reporting::v1;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

// A whole ranking: the ranked sites in order, and the sites without a value.
struct Ranking {
  std::vector<std::pair<std::string, double>> ranked;
  std::vector<std::string> unranked;
};

// Best first: by value (highest first unless ascending), ties by site name in the order
// Redis gives them (descending when highest first).
void Sort(std::vector<std::pair<std::string, double>>& ranked, bool ascending) {
  std::sort(ranked.begin(), ranked.end(), [ascending](const auto& a, const auto& b) {
    if (a.second != b.second) return ascending ? a.second < b.second : a.second > b.second;
    return ascending ? a.first < b.first : a.first > b.first;
  });
}

// "<ranked count>\n<unranked site>\n...": what the marker of a cached ranking holds.
std::string Marker(const Ranking& r) {
  std::string out = absl::StrCat(r.ranked.size());
  for (const std::string& site : r.unranked) absl::StrAppend(&out, "\n", site);
  return out;
}

bool ParseMarker(const std::string& marker, int64_t& total, std::vector<std::string>& unranked) {
  std::vector<std::string> lines = absl::StrSplit(marker, '\n');
  if (lines.empty() || !absl::SimpleAtoi(lines[0], &total)) return false;
  unranked.assign(lines.begin() + 1, lines.end());
  return true;
}

}  // namespace

Rankings::Rankings(kpo::storage::Database& db, const kpo::core::Clock& clock,
                   const CountsReader& counts, kpo::cache::RedisCache* redis, absl::Duration ttl,
                   const kpo::core::PageTokenCodec& page_tokens, std::string consumer_name,
                   std::function<int64_t()> pending_records, AnswerCache* answers)
    : Rankings(FixedGeneration(db, std::move(consumer_name), std::move(pending_records)), clock,
               counts, redis, ttl, page_tokens, answers) {}

Rankings::Rankings(ServingGeneration serving, const kpo::core::Clock& clock,
                   const CountsReader& counts, kpo::cache::RedisCache* redis, absl::Duration ttl,
                   const kpo::core::PageTokenCodec& page_tokens, AnswerCache* answers)
    : serving_(std::move(serving)),
      clock_(clock),
      counts_(counts),
      redis_(redis),
      ttl_(ttl),
      page_tokens_(page_tokens),
      answers_(answers) {}

absl::StatusOr<pb::RankSitesResponse> Rankings::RankSites(const kpo::auth::Principal& p,
                                                          const pb::RankSitesRequest& r) const {
  pb::RankSitesResponse out;
  if (absl::Status s = RankSites(p, r, out); !s.ok()) return s;
  return out;
}

absl::Status Rankings::RankSites(const kpo::auth::Principal& p, const pb::RankSitesRequest& r,
                                 pb::RankSitesResponse& out) const {
  out.Clear();
  FieldViolations v;
  auto q = CheckQuery(p, r.name(), r.period(), v);
  if (!q.ok()) return q.status();
  if (!q->scope.site.empty()) {
    v.Add("name", "must be an organization's scorecard: organizations/{organization}/scorecard");
  }
  if (r.figure().empty()) {
    v.Add("figure", "is required, e.g. daily_kaizen.participation_rate");
  } else if (absl::Status s = domain::CheckFigurePath(r.figure()); !s.ok()) {
    v.Add("figure", std::string(s.message()));
  }
  if (r.page_size() < 0 || r.page_size() > kMaxPageSize) {
    v.Add("page_size", absl::StrCat("must be 1-", kMaxPageSize, " (0: ", kDefaultPageSize, ")"));
  }
  if (!v.empty()) return v.ToStatus();
  const int page_size = r.page_size() == 0 ? kDefaultPageSize : r.page_size();
  const absl::Time now = clock_.Now();
  const domain::CivilPeriod period = PeriodOf(*q, {}, now);
  // A token is good for the same organization, period, figure and order.
  const std::string token_scope =
      absl::StrCat(q->scope.org, "|rankSites|", q->granularity, "|",
                   kpo::core::DateKey(kpo::core::FromCivil(period.first)), "|", r.figure(), "|",
                   r.ascending() ? "asc" : "desc");
  int64_t offset = 0;
  if (!r.page_token().empty()) {
    auto cursor = page_tokens_.Open(r.page_token(), token_scope);
    if (!cursor.ok()) return cursor.status();
    if (!absl::SimpleAtoi(cursor->last_key, &offset) || offset < 0) {
      v.Add("page_token", "is not a token this method issued");
      return v.ToStatus();
    }
  }

  const std::shared_ptr<const Generation> g = serving_();
  absl::Status s = g->db->Read([&](Transaction& tx) -> absl::Status {
    ScopeReading reading(tx, counts_, g->number, q->scope, now);
    auto changes = reading.Changes();
    if (!changes.ok()) return changes.status();
    const std::string as_of = AnswerCache::AsOfTag(period, now);
    const std::string base = AnswerCache::Key(
        q->scope.org, g->number, *changes,
        absl::StrCat("rank:", kpo::core::DateKey(kpo::core::FromCivil(period.first)), "-",
                     kpo::core::DateKey(kpo::core::FromCivil(period.last)), ":", as_of, ":",
                     r.figure()));
    const bool descending = !r.ascending();
    // The whole page (its token is sealed afresh: tokens are not shared through caches).
    const std::string page_key =
        absl::StrCat(base, ":", descending ? "desc" : "asc", ":", offset, "+", page_size);
    if (answers_ != nullptr) {
      if (std::optional<std::string> cached = answers_->Get(page_key)) {
        if (out.ParseFromString(*cached)) {
          return ReadFreshness(tx, *g, *out.mutable_freshness());
        }
        out.Clear();
      }
    }
    // Ranking is the long way: never on a gRPC thread.
    if (kpo::rpc::OnGrpcThread()) return kpo::rpc::ContinueOnWorkerPool();
    const std::string set_key = base + ":z";
    const std::string marker_key = base + ":m";

    int64_t total = 0;
    std::vector<std::string> unranked;
    std::vector<std::pair<std::string, double>> page;
    int64_t better_than_first = 0;  // sites strictly better than the page's first
    bool served = false;
    if (redis_ != nullptr) {
      const std::optional<std::string> marker = redis_->Get(marker_key);
      if (marker && ParseMarker(*marker, total, unranked)) {
        auto range = redis_->SortedRange(set_key, offset, page_size, descending);
        std::optional<int64_t> beyond = 0;
        if (range && !range->empty())
          beyond = redis_->CountBeyond(set_key, range->front().second, descending);
        if (range && beyond) {
          page = *std::move(range);
          better_than_first = *beyond;
          served = true;
        }
      }
    }
    if (!served) {
      auto sites = reading.Sites();
      if (!sites.ok()) return sites.status();
      auto request = reading.Request();
      if (!request.ok()) return request.status();
      auto per_site = counts_.Count(tx, **request, **sites, period);
      if (!per_site.ok()) return per_site.status();
      Ranking ranking;
      for (size_t i = 0; i < (*sites)->size(); ++i) {
        const pb::Scorecard card =
            domain::Figures((*per_site)[i], period.last - period.first + 1, (*request)->objectives);
        if (auto value = domain::FigureValue(card, r.figure())) {
          ranking.ranked.emplace_back((**sites)[i].name, *value);
        } else {
          ranking.unranked.push_back((**sites)[i].name);
        }
      }
      Sort(ranking.ranked, r.ascending());
      std::sort(ranking.unranked.begin(), ranking.unranked.end());
      if (redis_ != nullptr) {
        redis_->PutSortedSet(set_key, ranking.ranked, marker_key, Marker(ranking), ttl_);
      }
      total = static_cast<int64_t>(ranking.ranked.size());
      unranked = std::move(ranking.unranked);
      for (int64_t i = offset; i < total && i < offset + page_size; ++i) {
        page.push_back(ranking.ranked[static_cast<size_t>(i)]);
      }
      if (!page.empty()) {
        const double first = page.front().second;
        for (const auto& [site, value] : ranking.ranked) {
          better_than_first += descending ? value > first : value < first;
        }
      }
    }

    // Competition ranks: a site's rank is 1 + how many sites are strictly better.
    int64_t rank = better_than_first + 1;
    for (size_t i = 0; i < page.size(); ++i) {
      if (i > 0 && page[i].second != page[i - 1].second)
        rank = offset + static_cast<int64_t>(i) + 1;
      auto* entry = out.add_sites();
      entry->set_site(page[i].first);
      entry->set_rank(static_cast<int32_t>(rank));
      entry->set_value(page[i].second);
    }
    if (offset == 0) {
      for (std::string& site : unranked) out.add_unranked_sites(std::move(site));
    }
    out.set_total_size(static_cast<int32_t>(total));
    if (answers_ != nullptr) answers_->Put(page_key, out.SerializeAsString(), as_of != "end");
    return ReadFreshness(tx, *g, *out.mutable_freshness());
  });
  if (!s.ok()) return s;
  *out.mutable_period() = ToProto(period, q->granularity);
  out.set_figure(r.figure());
  if (offset + page_size < out.total_size()) {
    out.set_next_page_token(page_tokens_.Seal({token_scope, absl::StrCat(offset + page_size)}));
  }
  return absl::OkStatus();
}

}  // namespace kpo::reporting
