#include "development_store.h"

#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "kpo/people/v1/resources.pb.h"

namespace kpo::reporting::store {
namespace {

using kpo::storage::Transaction;
using kpo::storage::Value;

// Role numbers of r_people.roles (",2,5,").
std::vector<int> ParseRoles(const std::string& roles) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(roles, ',', absl::SkipEmpty())) {
    int role = 0;
    if (absl::SimpleAtoi(part, &role)) out.push_back(role);
  }
  return out;
}

// "competency=level" lines of r_target_profiles.targets.
std::map<std::string, int> ParseTargets(const std::string& text) {
  std::map<std::string, int> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const size_t eq = line.rfind('=');
    int level = 0;
    if (eq == absl::string_view::npos || !absl::SimpleAtoi(line.substr(eq + 1), &level)) continue;
    out[std::string(line.substr(0, eq))] = level;
  }
  return out;
}

// " AND p.create_us < ? AND (p.deactivate_us IS NULL OR p.deactivate_us >= ?)": the
// people of r_people `p` active at `at`.
std::string ActiveAt(int64_t at, std::vector<Value>& params) {
  params.emplace_back(at);
  params.emplace_back(at);
  return " AND p.create_us < ? AND (p.deactivate_us IS NULL OR p.deactivate_us >= ?)";
}

absl::Status CountCertificates(Transaction& tx, const std::string& org, const std::string& site,
                               const std::string& area, const SiteSpan& span,
                               domain::DevelopmentCounts& c) {
  std::vector<Value> params = {org, site, span.last_day};
  const std::string area_sql = AreaFilter("area", area, params);
  auto rows = tx.Query(absl::StrCat("SELECT person, level, award_day, expire_day, renews, "
                                    "renewed_day, warning_us FROM r_certificates WHERE org = ? "
                                    "AND site = ? AND award_day <= ?",
                                    area_sql),
                       params);
  if (!rows.ok()) return rows.status();
  std::vector<domain::CertificateRow> certificates;
  certificates.reserve(rows->size());
  for (const auto& r : *rows) {
    domain::CertificateRow row;
    row.person = r.Text(0);
    row.level = static_cast<int>(r.Int(1));
    row.award_day = r.Int(2);
    row.expire_day = r.Int(3);
    row.renewal = !r.Text(4).empty();
    row.renewed_day = r.Int(5);
    if (!r.IsNull(6)) row.warning_us = r.Int(6);
    certificates.push_back(std::move(row));
  }
  c.certifications = domain::CountCertificates(certificates, span.first_day, span.last_day,
                                               span.end_day, absl::ToUnixMicros(span.as_of));
  return absl::OkStatus();
}

absl::Status CountTraining(Transaction& tx, const std::string& org, const std::string& site,
                           const std::string& area, const SiteSpan& span,
                           domain::DevelopmentCounts& c) {
  std::vector<Value> params = {org, site, absl::ToUnixMicros(span.window.begin),
                               absl::ToUnixMicros(span.window.end)};
  const std::string area_sql = AreaFilter("area", area, params);
  auto rows = tx.Query(absl::StrCat("SELECT person, minutes FROM r_trainings WHERE org = ? AND "
                                    "site = ? AND complete_us >= ? AND complete_us < ?",
                                    area_sql),
                       params);
  if (!rows.ok()) return rows.status();
  absl::flat_hash_set<std::string> people;
  for (const auto& r : *rows) {
    ++c.training_completions;
    c.training_minutes += r.Int(1);
    people.insert(r.Text(0));
  }
  c.people_trained = static_cast<int64_t>(people.size());
  return absl::OkStatus();
}

absl::Status CountSkills(Transaction& tx, const std::string& org, const std::string& site,
                         const std::string& area, const SiteSpan& span, const OrgTargets& targets,
                         domain::DevelopmentCounts& c) {
  if (targets.profiles.empty()) return absl::OkStatus();
  const int64_t at = absl::ToUnixMicros(span.as_of);

  // The scope's people at the end, with their roles.
  std::vector<Value> params = {org, site};
  std::string scope_sql = AreaFilter("p.area", area, params);
  scope_sql += ActiveAt(at, params);
  auto people =
      tx.Query(absl::StrCat("SELECT p.name, p.roles FROM r_people p WHERE p.org = ? AND p.site = ?",
                            scope_sql),
               params);
  if (!people.ok()) return people.status();
  if (people->empty()) return absl::OkStatus();

  // Their KPO levels at the end, when a profile depends on one.
  std::map<std::string, int> kpo_levels;
  if (targets.any_kpo_level) {
    params = {org, site};
    scope_sql = AreaFilter("p.area", area, params);
    scope_sql += ActiveAt(at, params);
    params.insert(params.end(), {span.end_day, span.end_day, at});
    auto members =
        tx.Query(absl::StrCat("SELECT m.person, m.level FROM r_people p JOIN r_kpo_members m ON "
                              "m.org = p.org AND m.person = p.name WHERE p.org = ? AND p.site = ?",
                              scope_sql,
                              " AND m.start_day <= ? AND (m.end_day = 0 OR m.end_day >= ?) AND "
                              "(m.deactivate_us IS NULL OR m.deactivate_us > ?)"),
                 params);
    if (!members.ok()) return members.status();
    for (const auto& r : *members) kpo_levels[r.Text(0)] = static_cast<int>(r.Int(1));
  }

  // Their latest assessment per competency dated up to the end (then by when recorded).
  params = {org, site};
  scope_sql = AreaFilter("p.area", area, params);
  scope_sql += ActiveAt(at, params);
  params.emplace_back(span.end_day);
  auto assessed = tx.Query(
      absl::StrCat("SELECT a.person, a.competency, a.level, a.day, a.create_us FROM r_people p "
                   "JOIN r_assessments a ON a.org = p.org AND a.person = p.name WHERE "
                   "p.org = ? AND p.site = ?",
                   scope_sql, " AND a.day <= ?"),
      params);
  if (!assessed.ok()) return assessed.status();
  struct Latest {
    int level = 0;
    std::pair<int64_t, int64_t> when;  // (day, create_us)
  };
  std::map<std::string, std::map<std::string, Latest>> latest;
  for (const auto& r : *assessed) {
    Latest& l = latest[r.Text(0)][r.Text(1)];
    const std::pair<int64_t, int64_t> when = {r.Int(3), r.Int(4)};
    if (l.when <= when) l = {static_cast<int>(r.Int(2)), when};
  }

  // Targets depend only on roles and KPO level: computed once per combination.
  std::map<std::pair<std::string, int>, std::map<std::string, int>> targets_of;
  for (const auto& r : *people) {
    const std::string person = r.Text(0);
    const auto level_it = kpo_levels.find(person);
    const int kpo_level = level_it == kpo_levels.end() ? 0 : level_it->second;
    auto [it, inserted] = targets_of.try_emplace({r.Text(1), kpo_level});
    if (inserted) {
      it->second =
          domain::TargetsOf(targets.profiles, ParseRoles(r.Text(1)), kpo_level, targets.retired);
    }
    std::map<std::string, int> levels;
    if (auto l = latest.find(person); l != latest.end()) {
      for (const auto& [competency, entry] : l->second) levels[competency] = entry.level;
    }
    c.skills.AddPerson(it->second, levels);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<OrgTargets> ReadTargets(Transaction& tx, const std::string& org) {
  OrgTargets out;
  auto profiles = tx.Query(
      "SELECT role, kpo_level, targets FROM r_target_profiles WHERE org = ? AND active = 1", {org});
  if (!profiles.ok()) return profiles.status();
  for (const auto& r : *profiles) {
    domain::Profile p;
    p.role = static_cast<int>(r.Int(0));
    p.kpo_level = static_cast<int>(r.Int(1));
    p.targets = ParseTargets(r.Text(2));
    out.any_kpo_level = out.any_kpo_level || p.kpo_level != 0;
    out.profiles.push_back(std::move(p));
  }
  auto retired = tx.Query("SELECT name FROM r_competencies WHERE org = ? AND active = 0", {org});
  if (!retired.ok()) return retired.status();
  for (const auto& r : *retired) out.retired.insert(r.Text(0));
  return out;
}

absl::StatusOr<domain::DevelopmentCounts> CountDevelopment(Transaction& tx, const std::string& org,
                                                           const std::string& site,
                                                           const std::string& area,
                                                           const SiteSpan& span,
                                                           const OrgTargets& targets) {
  domain::DevelopmentCounts c;
  if (absl::Status s = CountCertificates(tx, org, site, area, span, c); !s.ok()) return s;
  if (absl::Status s = CountTraining(tx, org, site, area, span, c); !s.ok()) return s;
  if (absl::Status s = CountSkills(tx, org, site, area, span, targets, c); !s.ok()) return s;
  return c;
}

}  // namespace kpo::reporting::store
