#include "spread_store.h"

#include "absl/strings/str_cat.h"
#include "kpo/daily/v1/resources.pb.h"
#include "kpo/people/v1/resources.pb.h"

namespace kpo::reporting::store {

using kpo::storage::Transaction;
using kpo::storage::Value;

absl::StatusOr<std::vector<domain::Objective>> Objectives(Transaction& tx, const std::string& org) {
  auto rows = tx.Query(
      "SELECT data FROM directory_replica WHERE org = ? AND name = ? AND kind = 'organization'",
      {org, absl::StrCat("organizations/", org)});
  if (!rows.ok()) return rows.status();
  std::vector<domain::Objective> out;
  kpo::people::v1::Organization organization;
  if (rows->empty() || !organization.ParseFromString((*rows)[0].Text(0))) return out;
  for (const auto& o : organization.strategic_objectives()) out.push_back({o.id(), o.title()});
  return out;
}

absl::StatusOr<domain::AlignmentCounts> CountAlignment(Transaction& tx, const std::string& org,
                                                       const std::string& site,
                                                       const std::string& area,
                                                       const SiteSpan& span) {
  const int64_t begin = absl::ToUnixMicros(span.window.begin);
  const int64_t end = absl::ToUnixMicros(span.window.end);
  domain::AlignmentCounts c;
  struct Source {
    const char* sql;
    bool open_during;  // (end, begin) rather than (begin, end)
    int64_t domain::ObjectiveLinks::*counter;
  };
  for (const Source& source :
       {Source{"SELECT objective FROM r_ideas WHERE org = ? AND site = ? AND submit_us >= ? AND "
               "submit_us < ?",
               false, &domain::ObjectiveLinks::ideas},
        Source{"SELECT objective FROM r_storyboards WHERE org = ? AND site = ? AND create_us < ? "
               "AND (close_us IS NULL OR close_us >= ?)",
               true, &domain::ObjectiveLinks::storyboards},
        Source{"SELECT objective FROM r_kaizen_events WHERE org = ? AND site = ? AND "
               "create_us >= ? AND create_us < ?",
               false, &domain::ObjectiveLinks::kaizen_events}}) {
    std::vector<Value> params = {org, site, source.open_during ? end : begin,
                                 source.open_during ? begin : end};
    const std::string area_sql = AreaFilter("area", area, params);
    auto rows = tx.Query(absl::StrCat(source.sql, area_sql), params);
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) ++(c.objectives[r.Text(0)].*source.counter);
  }
  return c;
}

absl::StatusOr<domain::YokotenCounts> CountYokoten(Transaction& tx, const std::string& org,
                                                   const std::string& site, const std::string& area,
                                                   const SiteSpan& span) {
  namespace daily = kpo::daily::v1;
  const int64_t begin = absl::ToUnixMicros(span.window.begin);
  const int64_t end = absl::ToUnixMicros(span.window.end);
  const int64_t at = absl::ToUnixMicros(span.as_of);
  domain::YokotenCounts c;

  std::vector<Value> params = {org, site, begin, end};
  std::string area_sql = AreaFilter("origin_area", area, params);
  auto shared = tx.Query(absl::StrCat("SELECT COUNT(*) FROM r_practices WHERE org = ? AND "
                                      "origin_site = ? AND create_us >= ? AND create_us < ?",
                                      area_sql),
                         params);
  if (!shared.ok()) return shared.status();
  c.practices_shared = (*shared)[0].Int(0);

  params = {org, site, begin, end};
  area_sql = AreaFilter("area", area, params);
  auto resolved = tx.Query(absl::StrCat("SELECT state FROM r_deployment_tasks WHERE org = ? AND "
                                        "site = ? AND resolve_us >= ? AND resolve_us < ?",
                                        area_sql),
                           params);
  if (!resolved.ok()) return resolved.status();
  for (const auto& r : *resolved) {
    switch (r.Int(0)) {
      case daily::DEPLOYMENT_STATE_ADOPTED:
        ++c.adopted;
        break;
      case daily::DEPLOYMENT_STATE_ADAPTED:
        ++c.adapted;
        break;
      case daily::DEPLOYMENT_STATE_NOT_APPLICABLE:
        ++c.not_applicable;
        break;
      default:
        break;
    }
  }

  // Open at the end: not resolved, or resolved after it.
  params = {org, site, at};
  area_sql = AreaFilter("area", area, params);
  std::vector<Value> later = {org, site, at, at};
  const std::string area_sql2 = AreaFilter("area", area, later);
  params.insert(params.end(), later.begin(), later.end());
  auto open = tx.Query(absl::StrCat("SELECT due_day FROM r_deployment_tasks WHERE org = ? AND "
                                    "site = ? AND resolve_us IS NULL AND create_us < ?",
                                    area_sql,
                                    " UNION ALL SELECT due_day FROM r_deployment_tasks WHERE "
                                    "org = ? AND site = ? AND resolve_us >= ? AND create_us < ?",
                                    area_sql2),
                       params);
  if (!open.ok()) return open.status();
  for (const auto& r : *open) {
    ++c.open_tasks;
    c.overdue_tasks += r.Int(0) > 0 && r.Int(0) < span.as_of_day;
  }

  // The scope's practices adopted or adapted elsewhere; an area's through its practices.
  params = {org,
            site,
            begin,
            end,
            int64_t{daily::DEPLOYMENT_STATE_ADOPTED},
            int64_t{daily::DEPLOYMENT_STATE_ADAPTED}};
  area_sql.clear();
  if (!area.empty()) {
    params.insert(params.end(), {org, site, area});
    area_sql =
        " AND practice IN (SELECT name FROM r_practices WHERE org = ? AND origin_site = ? AND "
        "origin_area = ?)";
  }
  auto elsewhere = tx.Query(absl::StrCat("SELECT COUNT(*) FROM r_deployment_tasks WHERE org = ? "
                                         "AND origin_site = ? AND resolve_us >= ? AND "
                                         "resolve_us < ? AND state IN (?, ?)",
                                         area_sql),
                            params);
  if (!elsewhere.ok()) return elsewhere.status();
  c.adoptions_elsewhere = (*elsewhere)[0].Int(0);
  return c;
}

}  // namespace kpo::reporting::store
