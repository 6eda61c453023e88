#include "domain/gemba.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/core/resource_name.h"

namespace kpo::daily::domain {

namespace pb = kpo::daily::v1;
using kpo::core::FieldViolations;

void ValidateGembaWalk(const pb::GembaWalk& w, absl::CivilDay today, FieldViolations& v) {
  if (!kpo::core::ParseName(w.leader(), {"organizations", "people"})) {
    v.Add("gemba_walk.leader", "must be a person name (organizations/{org}/people/{person})");
  }
  const bool site_ok = kpo::core::ParseName(w.site(), {"organizations", "sites"}).has_value();
  if (!site_ok) {
    v.Add("gemba_walk.site", "must be a site name (organizations/{org}/sites/{site})");
  }
  if (!w.area().empty()) {
    if (!kpo::core::ParseName(w.area(), {"organizations", "sites", "areas"})) {
      v.Add("gemba_walk.area",
            "must be an area name (organizations/{org}/sites/{site}/areas/{area})");
    } else if (site_ok && !absl::StartsWith(w.area(), w.site() + "/")) {
      v.Add("gemba_walk.area", absl::StrCat("must be an area of ", w.site()));
    }
  }
  if (!w.has_date()) {
    v.Add("gemba_walk.date", "is required");
  } else if (!kpo::core::IsValidDate(w.date())) {
    v.Add("gemba_walk.date", "must be a real calendar date");
  } else if (kpo::core::ToCivil(w.date()) > today) {
    v.Add("gemba_walk.date",
          absl::StrCat("is after today at the site (", absl::FormatCivilTime(today), ")"));
  } else if (today - kpo::core::ToCivil(w.date()) > kMaxRecordAgeDays) {
    v.Add("gemba_walk.date", absl::StrCat("at most ", kMaxRecordAgeDays, " days back"));
  }
  CheckText(w.questions().purpose(), "gemba_walk.questions.purpose", kMaxText, true, v);
  CheckText(w.questions().alignment(), "gemba_walk.questions.alignment", kMaxText, true, v);
  CheckText(w.questions().right_thing(), "gemba_walk.questions.right_thing", kMaxText, true, v);
  if (w.observations_size() > kMaxObservations) {
    v.Add("gemba_walk.observations", absl::StrCat("at most ", kMaxObservations));
  }
  for (int i = 0; i < w.observations_size(); ++i) {
    CheckText(w.observations(i), absl::StrCat("gemba_walk.observations[", i, "]"), kMaxText, true,
              v);
  }
}

void ValidateFollowUp(const pb::GembaFollowUp& f, FieldViolations& v) {
  CheckText(f.description(), "follow_up.description", kMaxText, true, v);
  if (f.owner().empty()) {
    v.Add("follow_up.owner", "is required");
  } else if (!kpo::core::ParseName(f.owner(), {"organizations", "people"})) {
    v.Add("follow_up.owner", "must be a person name (organizations/{org}/people/{person})");
  }
  if (!f.has_due_date()) {
    v.Add("follow_up.due_date", "is required");
  } else if (!kpo::core::IsValidDate(f.due_date())) {
    v.Add("follow_up.due_date", "must be a real calendar date");
  }
  if (f.status() == pb::FOLLOW_UP_STATUS_UNSPECIFIED || !pb::FollowUpStatus_IsValid(f.status())) {
    v.Add("follow_up.status", "must be OPEN, DONE or CANCELLED");
  }
}

bool IsOverdue(const pb::GembaFollowUp& f, absl::CivilDay today) {
  return f.status() == pb::FOLLOW_UP_STATUS_OPEN && f.has_due_date() &&
         kpo::core::ToCivil(f.due_date()) < today;
}

}  // namespace kpo::daily::domain
