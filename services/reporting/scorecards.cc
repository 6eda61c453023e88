#include "scorecards.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "development_store.h"
#include "domain/development.h"
#include "domain/figures.h"
#include "domain/office.h"
#include "domain/periods.h"
#include "domain/spread.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/core/resource_name.h"
#include "kpo/events/consumer.h"
#include "office_store.h"
#include "scorecard_store.h"
#include "spread_store.h"

namespace kpo::reporting {
namespace {

namespace pb = kpo::reporting::v1;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

constexpr absl::string_view kSuffix = "/scorecard";
constexpr int kDefaultPeriods = 12;
constexpr int kMaxPeriods = 120;

// An organization, one of its sites, or one of a site's areas.
struct Scope {
  std::string name;  // the scorecard's name
  std::string org;   // id
  std::string site;  // resource name, empty for the organization
  std::string area;  // resource name, empty unless an area
};

// The scope of a scorecard name, or a violation of `name`.
std::optional<Scope> ParseScope(const std::string& name) {
  if (!absl::EndsWith(name, kSuffix)) return std::nullopt;
  const std::string resource = name.substr(0, name.size() - kSuffix.size());
  if (auto ids = kpo::core::ParseName(resource, {"organizations", "sites", "areas"})) {
    const std::string site = absl::StrCat("organizations/", (*ids)[0], "/sites/", (*ids)[1]);
    return Scope{name, (*ids)[0], site, resource};
  }
  if (auto ids = kpo::core::ParseName(resource, {"organizations", "sites"})) {
    return Scope{name, (*ids)[0], resource, ""};
  }
  if (auto ids = kpo::core::ParseName(resource, {"organizations"})) {
    return Scope{name, (*ids)[0], "", ""};
  }
  return std::nullopt;
}

std::optional<domain::Granularity> GranularityOf(pb::Granularity g) {
  switch (g) {
    case pb::GRANULARITY_WEEK:
      return domain::Granularity::kWeek;
    case pb::GRANULARITY_MONTH:
      return domain::Granularity::kMonth;
    case pb::GRANULARITY_QUARTER:
      return domain::Granularity::kQuarter;
    case pb::GRANULARITY_YEAR:
      return domain::Granularity::kYear;
    default:
      return std::nullopt;
  }
}

pb::Period ToProto(const domain::CivilPeriod& p, pb::Granularity g) {
  pb::Period out;
  out.set_granularity(g);
  *out.mutable_start_date() = kpo::core::FromCivil(p.first);
  *out.mutable_end_date() = kpo::core::FromCivil(p.last);
  return out;
}

// A checked request: the scope's name shape and tenancy, the period.
struct Query {
  Scope scope;
  pb::Granularity granularity = pb::GRANULARITY_UNSPECIFIED;
  std::optional<absl::CivilDay> day;  // nullopt: today at the scope
};

absl::StatusOr<Query> CheckQuery(const kpo::auth::Principal& p, const std::string& name,
                                 const pb::Period& period, FieldViolations& v) {
  Query q;
  auto scope = ParseScope(name);
  if (!scope) {
    v.Add("name", absl::StrCat("must be a scorecard name: organizations/{organization}/scorecard, "
                               ".../sites/{site}/scorecard or .../sites/{site}/areas/{area}/"
                               "scorecard"));
  } else {
    if (absl::Status s =
            kpo::auth::CheckOrganization(p, absl::StrCat("organizations/", scope->org), "name");
        !s.ok()) {
      return s;
    }
    q.scope = *std::move(scope);
  }
  if (!GranularityOf(period.granularity())) {
    v.Add("period.granularity", "is required: WEEK, MONTH, QUARTER or YEAR");
  }
  q.granularity = period.granularity();
  if (period.has_start_date()) {
    if (!kpo::core::IsValidDate(period.start_date())) {
      v.Add("period.start_date", "must be a real calendar date");
    } else {
      q.day = kpo::core::ToCivil(period.start_date());
    }
  }
  return q;
}

}  // namespace

Scorecards::Scorecards(kpo::storage::Database& db, const kpo::core::Clock& clock,
                       std::string consumer_name, std::function<int64_t()> pending_records)
    : db_(db),
      clock_(clock),
      consumer_name_(std::move(consumer_name)),
      pending_records_(std::move(pending_records)) {}

namespace {

// The sites a scope adds up, NOT_FOUND for a site or area reporting has not heard of.
absl::StatusOr<std::vector<store::SiteZone>> SitesOf(Transaction& tx, const Scope& scope) {
  if (scope.site.empty()) return store::Sites(tx, scope.org);
  auto site = store::Site(tx, scope.org, scope.site);
  if (!site.ok()) return site.status();
  if (!site->has_value()) {
    return kpo::core::Error(absl::StatusCode::kNotFound, "SCOPE_NOT_FOUND",
                            absl::StrCat(scope.site, " is not known to reporting (yet)"));
  }
  if (!scope.area.empty()) {
    auto known = store::AreaKnown(tx, scope.org, scope.area);
    if (!known.ok()) return known.status();
    if (!*known) {
      return kpo::core::Error(absl::StatusCode::kNotFound, "SCOPE_NOT_FOUND",
                              absl::StrCat(scope.area, " is not known to reporting (yet)"));
    }
  }
  return std::vector<store::SiteZone>{**site};
}

// The period the query names: the one containing its day, or today at the scope (the
// site's zone; UTC for an organization).
domain::CivilPeriod PeriodOf(const Query& q, const std::vector<store::SiteZone>& sites,
                             absl::Time now) {
  const auto g = *GranularityOf(q.granularity);
  if (q.day) return domain::PeriodContaining(g, *q.day);
  const absl::TimeZone zone =
      q.scope.site.empty() || sites.empty() ? absl::UTCTimeZone() : sites.front().zone;
  return domain::PeriodContaining(g, absl::ToCivilDay(now, zone));
}

// The period at one site: its window in the site's zone, its days, and the instant its
// end-of-period states are read at (its end, or now for a period not over yet).
store::SiteSpan SpanAt(const domain::CivilPeriod& period, absl::TimeZone zone, absl::Time now) {
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

// What every period of a request reads about the organization as it is now.
struct OrgContext {
  store::OrgTargets targets;
  std::vector<domain::Objective> objectives;
};

absl::StatusOr<OrgContext> ReadContext(Transaction& tx, const std::string& org) {
  OrgContext ctx;
  auto targets = store::ReadTargets(tx, org);
  if (!targets.ok()) return targets.status();
  ctx.targets = *std::move(targets);
  auto objectives = store::Objectives(tx, org);
  if (!objectives.ok()) return objectives.status();
  ctx.objectives = *std::move(objectives);
  return ctx;
}

// Every section's counts, added up over the sites.
struct Counts {
  domain::IdeaCounts ideas;
  domain::KaizenCounts kaizen;
  domain::CoachingCounts coaching;
  domain::DevelopmentCounts development;
  domain::MoneyCounts money;
  domain::FootprintCounts footprint;
  domain::AlignmentCounts alignment;
  domain::YokotenCounts yokoten;
};

// Adds `site`'s counts (restricted to the query's area) over `span` to `c`.
absl::Status CountSite(Transaction& tx, const Query& q, const OrgContext& ctx,
                       const store::SiteZone& site, const store::SiteSpan& span, Counts& c) {
  const std::string& org = q.scope.org;
  const std::string& area = q.scope.area;
  auto ideas = store::CountIdeas(tx, org, site.name, area, span);
  if (!ideas.ok()) return ideas.status();
  c.ideas.Add(*ideas);
  auto kaizen = store::CountKaizenEvents(tx, org, site.name, area, span);
  if (!kaizen.ok()) return kaizen.status();
  c.kaizen.Add(*kaizen);
  auto coaching = store::CountCoaching(tx, org, site.name, area, span);
  if (!coaching.ok()) return coaching.status();
  c.coaching.Add(*coaching);
  auto development = store::CountDevelopment(tx, org, site.name, area, span, ctx.targets);
  if (!development.ok()) return development.status();
  c.development.Add(*development);
  auto money = store::CountSavings(tx, org, site.name, area, span);
  if (!money.ok()) return money.status();
  auto members = store::KpoMembers(tx, org, site.name, area, site.zone);
  if (!members.ok()) return members.status();
  domain::AddKpoCost(*money, *members, span.first_day, span.end_day);
  c.money.Add(*money);
  domain::AddKpoMembers(c.footprint, *members, span.end_day);
  auto alignment = store::CountAlignment(tx, org, site.name, area, span);
  if (!alignment.ok()) return alignment.status();
  c.alignment.Add(*alignment);
  auto yokoten = store::CountYokoten(tx, org, site.name, area, span);
  if (!yokoten.ok()) return yokoten.status();
  c.yokoten.Add(*yokoten);
  return absl::OkStatus();
}

absl::StatusOr<pb::Scorecard> Compute(Transaction& tx, const Query& q, const OrgContext& ctx,
                                      const std::vector<store::SiteZone>& sites,
                                      const domain::CivilPeriod& period, absl::Time now) {
  Counts c;
  for (const store::SiteZone& site : sites) {
    if (absl::Status s = CountSite(tx, q, ctx, site, SpanAt(period, site.zone, now), c); !s.ok()) {
      return s;
    }
  }
  c.footprint.headcount = c.ideas.headcount;
  c.footprint.line_led = c.kaizen.completed_by_line + c.coaching.line_cycles;
  c.footprint.kpo_led = c.kaizen.completed_by_kpo + c.coaching.kpo_cycles;
  pb::Scorecard card;
  card.set_name(q.scope.name);
  *card.mutable_period() = ToProto(period, q.granularity);
  *card.mutable_daily_kaizen() = domain::DailyKaizenFigures(c.ideas);
  *card.mutable_kaizen_events() = domain::KaizenEventFigures(c.kaizen);
  *card.mutable_coaching() = domain::CoachingFigures(c.coaching, period.last - period.first + 1);
  *card.mutable_people_development() = domain::PeopleDevelopmentFigures(c.development);
  *card.mutable_money() = domain::MoneyFigures(c.money);
  *card.mutable_kpo_footprint() = domain::KpoFootprintFigures(c.footprint);
  *card.mutable_alignment() = domain::AlignmentFigures(c.alignment, ctx.objectives);
  *card.mutable_yokoten() = domain::YokotenFigures(c.yokoten);
  return card;
}

}  // namespace

absl::StatusOr<pb::Scorecard> Scorecards::GetScorecard(const kpo::auth::Principal& p,
                                                       const pb::GetScorecardRequest& r) const {
  FieldViolations v;
  auto q = CheckQuery(p, r.name(), r.period(), v);
  if (!q.ok()) return q.status();
  if (!v.empty()) return v.ToStatus();
  pb::Scorecard out;
  absl::Status s = db_.Read([&](Transaction& tx) -> absl::Status {
    auto sites = SitesOf(tx, q->scope);
    if (!sites.ok()) return sites.status();
    auto ctx = ReadContext(tx, q->scope.org);
    if (!ctx.ok()) return ctx.status();
    const absl::Time now = clock_.Now();
    auto card = Compute(tx, *q, *ctx, *sites, PeriodOf(*q, *sites, now), now);
    if (!card.ok()) return card.status();
    out = *std::move(card);
    return ReadFreshness(tx, *out.mutable_freshness());
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::QueryScorecardTrendResponse> Scorecards::QueryScorecardTrend(
    const kpo::auth::Principal& p, const pb::QueryScorecardTrendRequest& r) const {
  FieldViolations v;
  auto q = CheckQuery(p, r.name(), r.period(), v);
  if (!q.ok()) return q.status();
  if (r.periods() < 0 || r.periods() > kMaxPeriods) {
    v.Add("periods", absl::StrCat("must be 1-", kMaxPeriods, " (0: ", kDefaultPeriods, ")"));
  }
  if (!v.empty()) return v.ToStatus();
  const int count = r.periods() == 0 ? kDefaultPeriods : r.periods();
  pb::QueryScorecardTrendResponse out;
  absl::Status s = db_.Read([&](Transaction& tx) -> absl::Status {
    auto sites = SitesOf(tx, q->scope);
    if (!sites.ok()) return sites.status();
    auto ctx = ReadContext(tx, q->scope.org);
    if (!ctx.ok()) return ctx.status();
    const absl::Time now = clock_.Now();
    std::vector<domain::CivilPeriod> periods = {PeriodOf(*q, *sites, now)};
    while (static_cast<int>(periods.size()) < count) {
      periods.push_back(domain::Previous(periods.back()));
    }
    std::reverse(periods.begin(), periods.end());
    for (const domain::CivilPeriod& period : periods) {
      auto card = Compute(tx, *q, *ctx, *sites, period, now);
      if (!card.ok()) return card.status();
      *out.add_scorecards() = *std::move(card);
    }
    return ReadFreshness(tx, *out.mutable_freshness());
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status Scorecards::ReadFreshness(Transaction& tx, pb::Freshness& out) const {
  auto positions = kpo::events::ReadPositions(tx, consumer_name_);
  if (!positions.ok()) return positions.status();
  std::optional<absl::Time> oldest;
  for (const auto& position : *positions) {
    auto* p = out.add_positions();
    p->set_topic(position.topic);
    p->set_partition(position.partition);
    p->set_offset(position.last_offset);
    *p->mutable_event_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        absl::ToUnixMicros(position.event_time));
    *p->mutable_apply_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        absl::ToUnixMicros(position.applied_time));
    if (!oldest || position.event_time < *oldest) oldest = position.event_time;
  }
  if (oldest) {
    *out.mutable_complete_through() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(*oldest));
  }
  out.set_pending_records(pending_records_ ? pending_records_() : 0);
  return absl::OkStatus();
}

}  // namespace kpo::reporting
