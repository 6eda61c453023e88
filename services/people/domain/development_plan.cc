#include "domain/development_plan.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"

namespace kpo::people::domain {

namespace pb = kpo::people::v1;

namespace {

void CheckDate(bool has, const kpo::common::v1::Date& d, const std::string& field,
               kpo::core::FieldViolations& v) {
  if (has && !kpo::core::IsValidDate(d)) v.Add(field, "is not a valid date");
}

}  // namespace

void ValidatePlan(const pb::DevelopmentPlan& plan, const std::string& prefix,
                  kpo::core::FieldViolations& v) {
  kpo::core::CheckText(plan.aspiration(), prefix + "aspiration", 2000, false, v);
  if (plan.focus_competencies_size() > kMaxFocusCompetencies) {
    v.Add(prefix + "focus_competencies",
          absl::StrCat("at most ", kMaxFocusCompetencies, " competencies"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < plan.focus_competencies_size(); ++i) {
    const std::string field = absl::StrCat(prefix, "focus_competencies[", i, "]");
    if (plan.focus_competencies(i).empty()) {
      v.Add(field, "is empty");
    } else if (!seen.insert(plan.focus_competencies(i)).second) {
      v.Add(field, absl::StrCat(plan.focus_competencies(i), " is named twice"));
    }
  }
  CheckDate(plan.has_review_date(), plan.review_date(), prefix + "review_date", v);
}

void ValidateStudyItem(const pb::StudyItem& item, const std::string& prefix,
                       kpo::core::FieldViolations& v) {
  if (item.kind() == pb::STUDY_ITEM_KIND_UNSPECIFIED || !pb::StudyItemKind_IsValid(item.kind())) {
    v.Add(prefix + "kind",
          "must be BOOK, COURSE, SITE_VISIT, CERTIFICATION_GOAL, CONFERENCE or OTHER");
  }
  kpo::core::CheckText(item.title(), prefix + "title", 200, true, v);
  kpo::core::CheckText(item.notes(), prefix + "notes", 4000, false, v);
  kpo::core::CheckText(item.reflection(), prefix + "reflection", 4000, false, v);
  if (!pb::StudyItemStatus_IsValid(item.status()) ||
      item.status() == pb::STUDY_ITEM_STATUS_UNSPECIFIED) {
    v.Add(prefix + "status", "must be PLANNED, IN_PROGRESS, DONE or DROPPED");
  }
  CheckDate(item.has_target_date(), item.target_date(), prefix + "target_date", v);
  CheckDate(item.has_start_date(), item.start_date(), prefix + "start_date", v);
  CheckDate(item.has_done_date(), item.done_date(), prefix + "done_date", v);
  const bool goal = item.kind() == pb::STUDY_ITEM_KIND_CERTIFICATION_GOAL;
  const bool level = item.certification_level() == pb::CERTIFICATION_LEVEL_BRONZE ||
                     item.certification_level() == pb::CERTIFICATION_LEVEL_SILVER ||
                     item.certification_level() == pb::CERTIFICATION_LEVEL_GOLD;
  if (goal && !level) {
    v.Add(prefix + "certification_level", "a certification goal names BRONZE, SILVER or GOLD");
  } else if (!goal && item.certification_level() != pb::CERTIFICATION_LEVEL_UNSPECIFIED) {
    v.Add(prefix + "certification_level", "only a CERTIFICATION_GOAL names a level");
  }
  if (!item.training_module().empty() && item.kind() != pb::STUDY_ITEM_KIND_COURSE) {
    v.Add(prefix + "training_module", "only a COURSE names a training module");
  }
}

void StampStatusDates(pb::StudyItem& item, absl::CivilDay today) {
  const bool started = item.status() == pb::STUDY_ITEM_STATUS_IN_PROGRESS ||
                       item.status() == pb::STUDY_ITEM_STATUS_DONE;
  if (started && !item.has_start_date()) *item.mutable_start_date() = kpo::core::FromCivil(today);
  if (item.status() == pb::STUDY_ITEM_STATUS_DONE && !item.has_done_date()) {
    *item.mutable_done_date() = kpo::core::FromCivil(today);
  }
}

}  // namespace kpo::people::domain
