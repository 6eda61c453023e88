#include "office_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"

namespace kpo::reporting::store {

using kpo::storage::Transaction;
using kpo::storage::Value;

absl::StatusOr<domain::MoneyCounts> CountSavings(Transaction& tx, const std::string& org,
                                                 const std::string& site, const std::string& area,
                                                 const SiteSpan& span) {
  std::vector<Value> params = {org, site, absl::ToUnixMicros(span.window.begin),
                               absl::ToUnixMicros(span.as_of)};
  const std::string area_sql = AreaFilter("area", area, params);
  auto rows = tx.Query(absl::StrCat("SELECT currency, minor_units, recurrence, kind, from_event "
                                    "FROM r_savings WHERE org = ? AND site = ? AND "
                                    "validate_us >= ? AND validate_us < ?",
                                    area_sql),
                       params);
  if (!rows.ok()) return rows.status();
  domain::MoneyCounts c;
  for (const auto& r : *rows) {
    domain::AddSaving(c, {r.Text(0), r.Int(1), static_cast<int>(r.Int(2)),
                          static_cast<int>(r.Int(3)), r.Int(4) != 0});
  }
  return c;
}

absl::StatusOr<std::vector<domain::MemberRow>> KpoMembers(Transaction& tx, const std::string& org,
                                                          const std::string& site,
                                                          const std::string& area,
                                                          absl::TimeZone zone) {
  std::vector<Value> params = {org, site};
  std::string area_sql;
  if (!area.empty()) {
    params.insert(params.end(), {org, site, area});
    area_sql = " AND person IN (SELECT name FROM r_people WHERE org = ? AND site = ? AND area = ?)";
  }
  auto rows = tx.Query(absl::StrCat("SELECT person, start_day, end_day, deactivate_us, "
                                    "time_share, kaizen_pool, currency, cost_minor FROM "
                                    "r_kpo_members WHERE org = ? AND site = ?",
                                    area_sql),
                       params);
  if (!rows.ok()) return rows.status();
  std::vector<domain::MemberRow> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) {
    domain::MemberRow m;
    m.person = r.Text(0);
    m.first_day = r.Int(1);
    m.last_day = r.Int(2);
    if (!r.IsNull(3)) {
      const absl::CivilDay deactivated = absl::ToCivilDay(absl::FromUnixMicros(r.Int(3)), zone);
      const int64_t before = kpo::core::DateKey(kpo::core::FromCivil(deactivated - 1));
      m.last_day = m.last_day == 0 ? before : std::min(m.last_day, before);
    }
    m.time_share_percent = static_cast<int>(r.Int(4));
    m.kaizen_pool = r.Int(5) != 0;
    m.currency = r.Text(6);
    m.cost_per_month = r.Int(7);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace kpo::reporting::store
