#include "scorecard_store.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "kpo/daily/v1/resources.pb.h"
#include "kpo/kaizen/v1/resources.pb.h"
#include "kpo/people/v1/resources.pb.h"

namespace kpo::reporting::store {
namespace {

using kpo::storage::Transaction;
using kpo::storage::Value;

absl::TimeZone ZoneOf(const std::string& data) {
  kpo::people::v1::Site site;
  absl::TimeZone zone = absl::UTCTimeZone();
  if (site.ParseFromString(data) && !site.time_zone().empty()) {
    if (!absl::LoadTimeZone(site.time_zone(), &zone)) zone = absl::UTCTimeZone();
  }
  return zone;
}

}  // namespace

std::string AreaFilter(const char* column, const std::string& area, std::vector<Value>& params) {
  if (area.empty()) return "";
  params.emplace_back(area);
  return absl::StrCat(" AND ", column, " = ?");
}

absl::StatusOr<std::vector<SiteZone>> Sites(Transaction& tx, const std::string& org) {
  auto rows =
      tx.Query("SELECT name, data FROM directory_replica WHERE org = ? AND kind = 'site'", {org});
  if (!rows.ok()) return rows.status();
  std::vector<SiteZone> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back({r.Text(0), ZoneOf(r.Text(1))});
  return out;
}

absl::StatusOr<std::optional<SiteZone>> Site(Transaction& tx, const std::string& org,
                                             const std::string& site) {
  auto rows = tx.Query(
      "SELECT name, data FROM directory_replica WHERE org = ? AND name = ? AND kind = 'site'",
      {org, site});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<SiteZone>();
  return std::optional<SiteZone>(SiteZone{(*rows)[0].Text(0), ZoneOf((*rows)[0].Text(1))});
}

absl::StatusOr<Versions> ReadVersions(Transaction& tx, const std::string& org) {
  auto rows = tx.Query("SELECT scope, version FROM r_versions WHERE org = ?", {org});
  if (!rows.ok()) return rows.status();
  Versions out;
  for (const auto& r : *rows) {
    if (r.Text(0).empty()) {
      out.org = r.Int(1);
    } else if (r.Text(0) != kChangesScope) {
      out.sites.emplace_back(r.Text(0), r.Int(1));
    }
  }
  return out;
}

absl::Status BumpVersion(Transaction& tx, const std::string& org, const std::string& scope) {
  return tx
      .Exec(
          "INSERT INTO r_versions (org, scope, version) VALUES (?, ?, 1) ON CONFLICT (org, scope) "
          "DO UPDATE SET version = r_versions.version + 1",
          {org, scope})
      .status();
}

absl::StatusOr<int64_t> ReadChanges(Transaction& tx, const std::string& org) {
  auto rows = tx.Query("SELECT version FROM r_versions WHERE org = ? AND scope = ?",
                       {org, std::string(kChangesScope)});
  if (!rows.ok()) return rows.status();
  return rows->empty() ? 0 : (*rows)[0].Int(0);
}

absl::StatusOr<bool> AreaKnown(Transaction& tx, const std::string& org, const std::string& area) {
  auto rows = tx.Query(
      "SELECT 1 FROM directory_replica WHERE org = ? AND name = ? AND kind = 'area'", {org, area});
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

absl::StatusOr<domain::IdeaCounts> CountIdeas(Transaction& tx, const std::string& org,
                                              const std::string& site, const std::string& area,
                                              const SiteSpan& span) {
  const int64_t begin = absl::ToUnixMicros(span.window.begin);
  const int64_t end = absl::ToUnixMicros(span.window.end);
  const int64_t at = absl::ToUnixMicros(span.as_of);
  domain::IdeaCounts c;

  // The cohort submitted in the window: how many, how many kept, how many implemented.
  std::vector<Value> params = {org, site, begin, end};
  std::string area_sql = AreaFilter("area", area, params);
  auto cohort =
      tx.Query(absl::StrCat("SELECT COUNT(*), COUNT(*) FILTER (WHERE withdraw_us IS NULL), "
                            "COUNT(*) FILTER (WHERE implement_us IS NOT NULL) FROM r_ideas "
                            "WHERE org = ? AND site = ? AND submit_us >= ? AND "
                            "submit_us < ?",
                            area_sql),
               params);
  if (!cohort.ok()) return cohort.status();
  c.submitted = (*cohort)[0].Int(0);
  c.submitted_kept = (*cohort)[0].Int(1);
  c.submitted_implemented = (*cohort)[0].Int(2);

  // Implemented in the window, with their times to implement.
  params = {org, site, begin, end};
  area_sql = AreaFilter("area", area, params);
  auto implemented = tx.Query(absl::StrCat("SELECT implement_seconds FROM r_ideas WHERE org = ? "
                                           "AND site = ? AND implement_us >= ? AND "
                                           "implement_us < ?",
                                           area_sql),
                              params);
  if (!implemented.ok()) return implemented.status();
  c.implemented = static_cast<int64_t>(implemented->size());
  c.implement_seconds.reserve(implemented->size());
  for (const auto& r : *implemented) c.implement_seconds.push_back(r.Int(0));

  // Rejected in the window.
  params = {org, site, begin, end, int64_t{kpo::daily::v1::IDEA_STATE_REJECTED}};
  area_sql = AreaFilter("area", area, params);
  auto rejected = tx.Query(absl::StrCat("SELECT COUNT(*) FROM r_ideas WHERE org = ? AND site = ? "
                                        "AND review_us >= ? AND review_us < ? AND state = ?",
                                        area_sql),
                           params);
  if (!rejected.ok()) return rejected.status();
  c.rejected = (*rejected)[0].Int(0);

  // Open at the end of the window or now (open then: still open, or closed after), by age;
  // those not reviewed by then are the review backlog.
  params = {org, site, at};
  area_sql = AreaFilter("area", area, params);
  std::vector<Value> closed_later = {org, site, at, at};
  const std::string area_sql2 = AreaFilter("area", area, closed_later);
  params.insert(params.end(), closed_later.begin(), closed_later.end());
  auto open = tx.Query(
      absl::StrCat("SELECT submit_us, review_us FROM r_ideas WHERE org = ? AND site = ? AND "
                   "closed_us IS NULL AND submit_us < ?",
                   area_sql,
                   " UNION ALL SELECT submit_us, review_us FROM r_ideas WHERE org = ? AND "
                   "site = ? AND closed_us >= ? AND submit_us < ?",
                   area_sql2),
      params);
  if (!open.ok()) return open.status();
  for (const auto& r : *open) {
    ++c.open_by_age[domain::AgeBucket(absl::Microseconds(at - r.Int(0)))];
    if (r.IsNull(1) || r.Int(1) >= at) ++c.review_backlog;
  }

  // Headcount at the end (or now), and those of them who submitted an idea in the window.
  params = {begin, end, org, site};
  area_sql = AreaFilter("p.area", area, params);
  params.push_back(at);
  params.push_back(at);
  auto people = tx.Query(
      absl::StrCat(
          "SELECT COUNT(*), COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM r_idea_submitters s "
          "WHERE s.org = p.org AND s.person = p.name AND s.submit_us >= ? AND "
          "s.submit_us < ?)) FROM r_people p WHERE p.org = ? AND p.site = ?",
          area_sql, " AND p.create_us < ? AND (p.deactivate_us IS NULL OR p.deactivate_us >= ?)"),
      params);
  if (!people.ok()) return people.status();
  c.headcount = (*people)[0].Int(0);
  c.participants = (*people)[0].Int(1);
  return c;
}

absl::StatusOr<domain::KaizenCounts> CountKaizenEvents(Transaction& tx, const std::string& org,
                                                       const std::string& site,
                                                       const std::string& area,
                                                       const SiteSpan& span) {
  namespace kz = kpo::kaizen::v1;
  const int64_t begin = absl::ToUnixMicros(span.window.begin);
  const int64_t end = absl::ToUnixMicros(span.window.end);
  const int64_t at = absl::ToUnixMicros(span.as_of);
  domain::KaizenCounts c;

  std::vector<Value> params = {org, site, begin, end};
  std::string area_sql = AreaFilter("area", area, params);
  auto proposed = tx.Query(absl::StrCat("SELECT COUNT(*) FROM r_kaizen_events WHERE org = ? AND "
                                        "site = ? AND create_us >= ? AND create_us < ?",
                                        area_sql),
                           params);
  if (!proposed.ok()) return proposed.status();
  c.proposed = (*proposed)[0].Int(0);

  params = {int64_t{kz::LINE}, int64_t{kz::KPO}, org, site, span.first_day, span.last_day};
  area_sql = AreaFilter("area", area, params);
  auto completed = tx.Query(
      absl::StrCat(
          "SELECT COUNT(*), COUNT(*) FILTER (WHERE facilitator_kind = ?), "
          "COUNT(*) FILTER (WHERE facilitator_kind = ?) FROM r_kaizen_events WHERE org = ? AND "
          "site = ? AND completion_day >= ? AND completion_day <= ?",
          area_sql),
      params);
  if (!completed.ok()) return completed.status();
  c.completed = (*completed)[0].Int(0);
  c.completed_by_line = (*completed)[0].Int(1);
  c.completed_by_kpo = (*completed)[0].Int(2);

  // In follow-up at the end: the state of the latest transition before it.
  params = {at, int64_t{kz::FOLLOW_UP}, org, site};
  area_sql = AreaFilter("e.area", area, params);
  auto following =
      tx.Query(absl::StrCat("SELECT COUNT(*) FROM r_kaizen_events e WHERE (SELECT t.state FROM "
                            "r_kaizen_transitions t WHERE t.org = e.org AND t.event = e.name AND "
                            "t.at_us < ? ORDER BY t.revision DESC LIMIT 1) = ? AND e.org = ? AND "
                            "e.site = ? AND e.completion_day > 0",
                            area_sql),
               params);
  if (!following.ok()) return following.status();
  c.in_follow_up = (*following)[0].Int(0);

  // Sustainment outcomes in the window; an area's through its events.
  std::string events_of_area;
  auto area_events = [&](std::vector<Value>& p) {
    if (area.empty()) return std::string();
    p.emplace_back(org);
    p.emplace_back(area);
    return std::string(
        " AND event IN (SELECT name FROM r_kaizen_events WHERE org = ? AND "
        "area = ?)");
  };
  for (auto [state, counter] :
       {std::pair{kz::SUSTAINED, &c.sustained}, std::pair{kz::BACKSLID, &c.backslid}}) {
    params = {org, site, int64_t{state}, begin, end};
    events_of_area = area_events(params);
    auto outcomes = tx.Query(absl::StrCat("SELECT COUNT(*) FROM r_kaizen_transitions WHERE org = ? "
                                          "AND site = ? AND state = ? AND at_us >= ? AND at_us < ?",
                                          events_of_area),
                             params);
    if (!outcomes.ok()) return outcomes.status();
    *counter = (*outcomes)[0].Int(0);
  }

  // Action items due in the period (not dropped), and those done.
  params = {int64_t{kz::DONE}, org, site, span.first_day, span.last_day, int64_t{kz::DROPPED}};
  events_of_area = area_events(params);
  auto due = tx.Query(absl::StrCat("SELECT COUNT(*), COUNT(*) FILTER (WHERE status = ?) FROM "
                                   "r_action_items WHERE org = ? AND site = ? AND due_day >= ? "
                                   "AND due_day <= ? AND status != ?",
                                   events_of_area),
                      params);
  if (!due.ok()) return due.status();
  c.items_due = (*due)[0].Int(0);
  c.items_done = (*due)[0].Int(1);

  // Overdue at the end: due before its day, not dropped, not done by then.
  params = {org, site, span.as_of_day, int64_t{kz::DROPPED}, int64_t{kz::DONE}, at};
  events_of_area = area_events(params);
  auto overdue = tx.Query(absl::StrCat("SELECT COUNT(*) FROM r_action_items WHERE org = ? AND "
                                       "site = ? AND due_day > 0 AND due_day < ? AND status != ? "
                                       "AND (status != ? OR done_us >= ?)",
                                       events_of_area),
                          params);
  if (!overdue.ok()) return overdue.status();
  c.items_overdue = (*overdue)[0].Int(0);
  return c;
}

absl::StatusOr<domain::CoachingCounts> CountCoaching(Transaction& tx, const std::string& org,
                                                     const std::string& site,
                                                     const std::string& area,
                                                     const SiteSpan& span) {
  namespace daily = kpo::daily::v1;
  domain::CoachingCounts c;
  // The cycles of the period, read and counted here (a window's rows, not the history).
  std::vector<Value> params = {org, site, span.first_day, span.last_day};
  std::string area_sql = AreaFilter("area", area, params);
  auto cycles = tx.Query(absl::StrCat("SELECT learner, coach_kind, second_coach FROM "
                                      "r_coaching_cycles WHERE org = ? AND site = ? AND day >= ? "
                                      "AND day <= ?",
                                      area_sql),
                         params);
  if (!cycles.ok()) return cycles.status();
  absl::flat_hash_set<std::string> learners;
  for (const auto& r : *cycles) {
    ++c.cycles;
    learners.insert(r.Text(0));
    c.line_cycles += r.Int(1) == daily::COACH_KIND_LINE;
    c.kpo_cycles += r.Int(1) == daily::COACH_KIND_KPO;
    c.coaching_the_coach += !r.Text(2).empty();
  }
  c.active_learners = static_cast<int64_t>(learners.size());

  // The scope's active coaching relationships (the learner's home site, and area), as the
  // directory replica has them now.
  auto learners_of_area = [&](std::vector<Value>& p) {
    if (area.empty()) return std::string();
    p.emplace_back(org);
    p.emplace_back(site);
    p.emplace_back(area);
    return std::string(
        " AND rc.learner IN (SELECT name FROM r_people WHERE org = ? AND site = ? AND area = ?)");
  };
  params = {org, site};
  area_sql = learners_of_area(params);
  auto relationships =
      tx.Query(absl::StrCat("SELECT COUNT(*), COALESCE(SUM(rc.sessions_per_week), 0) FROM "
                            "replica_coaching rc WHERE rc.org = ? AND rc.learner_site = ? AND "
                            "rc.active = 1",
                            area_sql),
               params);
  if (!relationships.ok()) return relationships.status();
  c.relationships = (*relationships)[0].Int(0);
  c.expected_per_week_total = (*relationships)[0].Int(1);

  params = {span.recent_first_day, span.end_day, org, site};
  area_sql = learners_of_area(params);
  auto without = tx.Query(
      absl::StrCat("SELECT COUNT(DISTINCT rc.learner) FROM replica_coaching rc WHERE NOT EXISTS "
                   "(SELECT 1 FROM r_coaching_cycles c WHERE c.org = rc.org AND c.learner = "
                   "rc.learner AND c.day >= ? AND c.day <= ?) AND rc.org = ? AND "
                   "rc.learner_site = ? AND rc.active = 1",
                   area_sql),
      params);
  if (!without.ok()) return without.status();
  c.learners_without_recent_cycle = (*without)[0].Int(0);
  return c;
}

}  // namespace kpo::reporting::store
