#include "assessments.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "competencies.h"
#include "competency_store.h"
#include "directory_reads.h"
#include "domain/competencies.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/command/reads.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/events.pb.h"
#include "kpo_office_store.h"
#include "store.h"

namespace kpo::people {

namespace pb = kpo::people::v1;
using kpo::command::Context;
using kpo::core::FieldViolations;
using kpo::storage::Transaction;

namespace {

constexpr kpo::core::Collections kPersonName = {"organizations", "people"};
constexpr kpo::core::Collections kAssessmentName = {"organizations", "people", "assessments"};
constexpr int kMaxColumns = 50;

// Who may assess `person`: the KPO, a sensei, an org admin, or a manager above them;
// never the person themselves.
absl::Status CheckAssessor(Transaction& tx, const kpo::auth::Principal& p,
                           const pb::Person& person) {
  const std::string assessor = p.person_name();
  if (assessor == person.name()) {
    return kpo::core::Error(absl::StatusCode::kPermissionDenied, "SELF_ASSESSMENT",
                            "nobody assesses themselves; ask your manager or the KPO");
  }
  if (p.HasRole(kpo::auth::kKpoSpecialist) || p.HasRole(kpo::auth::kExternalSensei) ||
      p.HasRole(kpo::auth::kOrgAdmin)) {
    return absl::OkStatus();
  }
  auto manages = ManagesPerson(tx, p.organization_id, person, assessor);
  if (!manages.ok()) return manages.status();
  if (*manages) return absl::OkStatus();
  return kpo::core::Error(
      absl::StatusCode::kPermissionDenied, "NOT_AN_ASSESSOR",
      absl::StrCat(assessor, " may not assess ", person.name(),
                   ": assessors are the person's managers, the KPO, external senseis and "
                   "org admins"));
}

// The person's latest level per competency name.
absl::StatusOr<std::map<std::string, store::Level>> LevelsOf(Transaction& tx,
                                                             const std::string& org,
                                                             const std::string& person) {
  auto levels = store::Levels(tx, org, person);
  if (!levels.ok()) return levels.status();
  std::map<std::string, store::Level> out;
  for (auto& l : *levels) {
    std::string competency = l.competency;
    out.emplace(std::move(competency), std::move(l));
  }
  return out;
}

// The matrix's columns: the asked-for competencies (each active), or by default the
// targeted active ones, then the others, the first kMaxColumns.
absl::StatusOr<std::vector<pb::SkillsMatrixColumn>> Columns(
    const std::map<std::string, pb::Competency>& active,
    const std::vector<pb::TargetProfile>& profiles, const pb::QuerySkillsMatrixRequest& r,
    FieldViolations& v) {
  std::vector<std::string> names;
  if (r.competencies().empty()) {
    std::set<std::string> targeted;
    for (const auto& profile : profiles) {
      for (const auto& t : profile.targets()) targeted.insert(t.competency());
    }
    for (const auto& [name, c] : active) {
      if (targeted.contains(name)) names.push_back(name);
    }
    for (const auto& [name, c] : active) {
      if (!targeted.contains(name)) names.push_back(name);
    }
    if (names.size() > kMaxColumns) names.resize(kMaxColumns);
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < r.competencies_size(); ++i) {
      const std::string field = absl::StrCat("competencies[", i, "]");
      if (!active.contains(r.competencies(i))) {
        v.Add(field,
              absl::StrCat(r.competencies(i), " is not an active competency of the organization"));
      } else if (!seen.insert(r.competencies(i)).second) {
        v.Add(field, absl::StrCat(r.competencies(i), " is named twice"));
      } else {
        names.push_back(r.competencies(i));
      }
    }
  }
  std::vector<pb::SkillsMatrixColumn> columns;
  for (const auto& name : names) {
    const pb::Competency& c = active.at(name);
    pb::SkillsMatrixColumn& column = columns.emplace_back();
    column.set_competency(name);
    column.set_display_name(c.display_name());
    column.set_kind(c.kind());
  }
  return columns;
}

// The level of a KPO specialist's active membership, when some profile is for a KPO
// level (otherwise it changes nothing and is not read).
absl::StatusOr<pb::KpoLevel> KpoLevelOf(Transaction& tx, const std::string& org,
                                        const pb::Person& person,
                                        const std::vector<pb::TargetProfile>& profiles) {
  const bool kpo = std::find(person.roles().begin(), person.roles().end(), pb::KPO_SPECIALIST) !=
                   person.roles().end();
  if (!kpo || !domain::AnyKpoLevelProfile(profiles)) return pb::KPO_LEVEL_UNSPECIFIED;
  return store::ActiveKpoLevel(tx, org, person.name());
}

}  // namespace

absl::StatusOr<pb::Assessment> Assessments::CreateAssessment(
    const Principal& p, const pb::CreateAssessmentRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPersonName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.assessment_id().empty() && !kpo::core::IsValidResourceId(r.assessment_id())) {
    v.Add("assessment_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  pb::Assessment assessment;
  assessment.set_person(r.parent());
  assessment.set_competency(r.assessment().competency());
  assessment.set_level(r.assessment().level());
  if (r.assessment().has_assess_date()) {
    *assessment.mutable_assess_date() = r.assessment().assess_date();
  }
  assessment.set_evidence(r.assessment().evidence());
  assessment.set_assessor(p.person_name());
  domain::ValidateAssessment(assessment, "assessment.", v);
  if (v.Has("assessment_id") || v.Has("request_id")) return v.ToStatus();
  assessment.set_name(
      absl::StrCat(r.parent(), "/assessments/",
                   r.assessment_id().empty() ? kpo::core::NewUuid() : r.assessment_id()));
  return commands_.Run<pb::Assessment>(
      {p.organization_id, "CreateAssessment", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::Assessment> {
        auto person = LoadDirectory<pb::Person>(c.tx(), c.organization_id(), "person", r.parent());
        if (!person.ok()) return person.status();
        if (!person->has_value()) {
          v.Add("parent", absl::StrCat(r.parent(), " does not exist"));
          return v.ToStatus();
        }
        if ((*person)->state() != pb::ACTIVE) {
          v.Add("parent", absl::StrCat(r.parent(), " is inactive"));
          return v.ToStatus();
        }
        if (absl::Status s = CheckAssessor(c.tx(), p, **person); !s.ok()) return s;
        if (!v.Has("assessment.competency")) {
          auto competency =
              LoadEffectiveCompetency(c.tx(), c.organization_id(), assessment.competency());
          if (!competency.ok()) return competency.status();
          if (!competency->has_value()) {
            v.Add("assessment.competency", absl::StrCat(assessment.competency(),
                                                        " is not a competency of the "
                                                        "organization"));
          } else if ((*competency)->competency.state() != pb::ACTIVE) {
            v.Add("assessment.competency", absl::StrCat(assessment.competency(), " is inactive"));
          }
        }
        if (!v.Has("assessment.assess_date")) {
          auto today = TodayAt(c.tx(), c.organization_id(), (*person)->home_site(), c.now());
          if (!today.ok()) return today.status();
          if (kpo::core::ToCivil(assessment.assess_date()) > *today) {
            v.Add("assessment.assess_date",
                  absl::StrCat("is after today at ", (*person)->home_site()));
          }
        }
        if (!v.empty()) return v.ToStatus();
        auto existing = store::LoadAssessment(c.tx(), c.organization_id(), assessment.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(assessment.name());
        pb::Assessment recorded = assessment;
        recorded.set_site((*person)->home_site());
        recorded.set_area((*person)->area());
        *recorded.mutable_roles() = (*person)->roles();
        *recorded.mutable_create_time() =
            google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(c.now()));
        if (absl::Status s = store::InsertAssessment(c.tx(), c.organization_id(), recorded);
            !s.ok()) {
          return s;
        }
        auto change = store::RecordLevel(c.tx(), c.organization_id(), recorded,
                                         kpo::core::DateKey(recorded.assess_date()));
        if (!change.ok()) return change.status();
        pb::AssessmentRecorded e;
        *e.mutable_assessment() = recorded;
        e.set_revision(1);
        e.set_previous_level(change->previous.value_or(0));
        e.set_latest(change->latest);
        if (absl::Status s = c.Publish(recorded.person(), e); !s.ok()) return s;
        return recorded;
      });
}

absl::StatusOr<pb::Assessment> Assessments::GetAssessment(const Principal& p,
                                                          const pb::GetAssessmentRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kAssessmentName); !ids.ok()) {
    return ids.status();
  }
  return kpo::command::ReadOne<pb::Assessment>(commands_.db(), r.name(), [&](Transaction& tx) {
    return store::LoadAssessment(tx, p.organization_id, r.name());
  });
}

absl::StatusOr<pb::ListAssessmentsResponse> Assessments::ListAssessments(
    const Principal& p, const pb::ListAssessmentsRequest& r) const {
  auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kPersonName, kpo::core::LastId::kOrAll);
  if (!ids.ok()) return ids.status();
  FieldViolations v;
  kpo::command::CheckNameFilter(r.competency(), {"organizations", "competencies"}, "competency",
                                "competency", v);
  kpo::command::CheckNameFilter(r.assessor(), kPersonName, "assessor", "person", v);
  if (!v.empty()) return v.ToStatus();
  store::AssessmentFilter filter;
  if (ids->back() != "-") filter.person = r.parent();
  filter.competency = r.competency();
  filter.assessor = r.assessor();
  pb::ListAssessmentsResponse out;
  absl::Status s = kpo::command::ReadPage<pb::Assessment>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|assessments|", r.parent(), "|", r.competency(), "|",
                   r.assessor()),
      {[&](Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListAssessments(tx, p.organization_id, filter, page);
       },
       [](const pb::Assessment& a) {
         return kpo::core::PagePosition{kpo::core::DateKey(a.assess_date()), a.name()};
       },
       [&](pb::Assessment& a) { *out.add_assessments() = std::move(a); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::CompetencyProfile> Assessments::GetCompetencyProfile(
    const Principal& p, const pb::GetCompetencyProfileRequest& r) const {
  // A singleton: the person's name and a fixed last segment.
  constexpr absl::string_view kSuffix = "/competencyProfile";
  if (!absl::EndsWith(r.name(), kSuffix)) {
    return kpo::core::InvalidField(
        "name", "must be organizations/{organization}/people/{person}/competencyProfile");
  }
  const std::string person_name(r.name().substr(0, r.name().size() - kSuffix.size()));
  if (auto ids = kpo::auth::CheckName(p, "name", person_name, kPersonName); !ids.ok()) {
    return ids.status();
  }
  pb::CompetencyProfile out;
  absl::Status s = commands_.db().Read([&](Transaction& tx) -> absl::Status {
    auto person = LoadDirectory<pb::Person>(tx, p.organization_id, "person", person_name);
    if (!person.ok()) return person.status();
    if (!person->has_value()) return kpo::core::NotFound(person_name);
    auto active = ActiveCompetencies(tx, p.organization_id);
    if (!active.ok()) return active.status();
    auto profiles = store::ActiveTargetProfiles(tx, p.organization_id);
    if (!profiles.ok()) return profiles.status();
    auto levels = LevelsOf(tx, p.organization_id, person_name);
    if (!levels.ok()) return levels.status();
    std::vector<std::string> applied;
    auto kpo_level = KpoLevelOf(tx, p.organization_id, **person, *profiles);
    if (!kpo_level.ok()) return kpo_level.status();
    const auto targets = domain::Targets(*profiles, (*person)->roles(), *kpo_level, &applied);
    out.set_name(r.name());
    out.set_person(person_name);
    *out.mutable_roles() = (*person)->roles();
    for (auto& name : applied) out.add_target_profiles(std::move(name));
    for (const auto& [name, competency] : *active) {
      auto level = levels->find(name);
      auto target = targets.find(name);
      if (level == levels->end() && target == targets.end()) continue;
      pb::CompetencyLevel* entry = out.add_competencies();
      entry->set_competency(name);
      entry->set_display_name(competency.display_name());
      entry->set_kind(competency.kind());
      if (level != levels->end()) {
        entry->set_level(level->second.level);
        entry->set_assessment(level->second.assessment);
        *entry->mutable_assess_date() =
            kpo::core::FromCivil(kpo::core::CivilFromKey(level->second.day));
      }
      entry->set_target_level(target != targets.end() ? target->second : 0);
      entry->set_gap(domain::Gap(entry->level(), entry->target_level()));
      out.set_total_gap(out.total_gap() + entry->gap());
      if (entry->gap() > 0) out.set_competencies_below_target(out.competencies_below_target() + 1);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::QuerySkillsMatrixResponse> Assessments::QuerySkillsMatrix(
    const Principal& p, const pb::QuerySkillsMatrixRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (r.site().empty() == r.area().empty()) {
    v.Add("site", "name exactly one of site and area");
  }
  kpo::command::CheckNameFilter(r.site(), {"organizations", "sites"}, "site", "site", v);
  kpo::command::CheckNameFilter(r.area(), {"organizations", "sites", "areas"}, "area", "area", v);
  for (const std::string* place : {&r.site(), &r.area()}) {
    if (!place->empty() && !v.Has(place == &r.site() ? "site" : "area")) {
      if (absl::Status s =
              kpo::auth::CheckOrganization(p, *place, place == &r.site() ? "site" : "area");
          !s.ok()) {
        return s;
      }
    }
  }
  if (r.competencies_size() > kMaxColumns) {
    v.Add("competencies", absl::StrCat("at most ", kMaxColumns));
  }
  if (!v.empty()) return v.ToStatus();
  auto page =
      kpo::core::OpenPage(tokens_, pages_, r.page_size(), r.page_token(),
                          absl::StrCat(p.organization_id, "|matrix|", r.site(), "|", r.area(), "|",
                                       absl::StrJoin(r.competencies(), ","), "|", r.gaps_only()));
  if (!page.ok()) return page.status();
  pb::QuerySkillsMatrixResponse out;
  absl::Status s = commands_.db().Read([&](Transaction& tx) -> absl::Status {
    const std::string& place = r.site().empty() ? r.area() : r.site();
    const char* kind = r.site().empty() ? "area" : "site";
    auto where = store::Load(tx, p.organization_id, kind, place);
    if (!where.ok()) return where.status();
    if (!where->has_value()) {
      v.Add(kind, absl::StrCat(place, " does not exist"));
      return v.ToStatus();
    }
    auto active = ActiveCompetencies(tx, p.organization_id);
    if (!active.ok()) return active.status();
    auto profiles = store::ActiveTargetProfiles(tx, p.organization_id);
    if (!profiles.ok()) return profiles.status();
    auto columns = Columns(*active, *profiles, r, v);
    if (!columns.ok()) return columns.status();
    if (!v.empty()) return v.ToStatus();
    for (auto& column : *columns) *out.add_columns() = std::move(column);

    store::ListQuery query;
    query.kind = "person";
    query.filters = {{kind, place}};
    kpo::storage::KeysetPage keyset;
    keyset.limit = page->limit;
    if (page->after.has_value()) keyset.after = {{0, page->after->name}};
    // Reads people in name order until the page is full and one more row is known to
    // exist (gaps_only skips people without a gap).
    while (true) {
      auto people = store::List(tx, p.organization_id, query, keyset);
      if (!people.ok()) return people.status();
      for (const auto& [name, data] : *people) {
        keyset.after = {{0, name}};
        if (out.rows_size() == page->limit) {
          out.set_next_page_token(kpo::core::NextPageToken(
              tokens_, *page, {0, out.rows(out.rows_size() - 1).person()}));
          return absl::OkStatus();
        }
        pb::Person person;
        if (!person.ParseFromString(data)) return absl::InternalError("corrupt person " + name);
        auto levels = LevelsOf(tx, p.organization_id, name);
        if (!levels.ok()) return levels.status();
        auto kpo_level = KpoLevelOf(tx, p.organization_id, person, *profiles);
        if (!kpo_level.ok()) return kpo_level.status();
        const auto targets = domain::Targets(*profiles, person.roles(), *kpo_level, nullptr);
        pb::SkillsMatrixRow row;
        row.set_person(name);
        row.set_display_name(person.display_name());
        *row.mutable_roles() = person.roles();
        bool any_gap = false;
        for (const auto& column : out.columns()) {
          pb::SkillsMatrixCell* cell = row.add_cells();
          if (auto l = levels->find(column.competency()); l != levels->end()) {
            cell->set_level(l->second.level);
            cell->set_assessed(true);
          }
          if (auto t = targets.find(column.competency()); t != targets.end()) {
            cell->set_target_level(t->second);
          }
          cell->set_gap(domain::Gap(cell->level(), cell->target_level()));
          any_gap = any_gap || cell->gap() > 0;
        }
        if (r.gaps_only() && !any_gap) continue;
        *out.add_rows() = std::move(row);
      }
      if (people->size() <= static_cast<size_t>(keyset.limit)) return absl::OkStatus();
    }
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace kpo::people
