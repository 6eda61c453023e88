#include "domain/yokoten.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "kpo/core/date.h"
#include "kpo/core/resource_name.h"

namespace kpo::daily::domain {

namespace pb = kpo::daily::v1;
using kpo::core::FieldViolations;

std::string DeploymentStateName(pb::DeploymentState state) {
  const std::string full = pb::DeploymentState_Name(state);
  constexpr absl::string_view kPrefix = "DEPLOYMENT_STATE_";
  if (state != pb::DEPLOYMENT_STATE_UNSPECIFIED && absl::StartsWith(full, kPrefix)) {
    return full.substr(kPrefix.size());
  }
  return full.empty() ? "DEPLOYMENT_STATE_UNSPECIFIED" : full;
}

bool IsAllowed(pb::DeploymentState from, pb::DeploymentState to) {
  return from == pb::DEPLOYMENT_STATE_OPEN &&
         (to == pb::DEPLOYMENT_STATE_ADOPTED || to == pb::DEPLOYMENT_STATE_ADAPTED ||
          to == pb::DEPLOYMENT_STATE_NOT_APPLICABLE);
}

absl::Status CheckTransition(pb::DeploymentState from, pb::DeploymentState to) {
  if (IsAllowed(from, to)) return absl::OkStatus();
  const std::string why =
      from == to ? absl::StrCat("the task is already ", DeploymentStateName(from))
      : from != pb::DEPLOYMENT_STATE_OPEN ? absl::StrCat(DeploymentStateName(from), " is final")
                                          : "a task ends ADOPTED, ADAPTED or NOT_APPLICABLE";
  return kpo::core::FailedPrecondition(
      "INVALID_TRANSITION",
      absl::StrCat("cannot go from ", DeploymentStateName(from), " to ", DeploymentStateName(to),
                   ": ", why),
      {{"current_state", DeploymentStateName(from)}, {"requested_state", DeploymentStateName(to)}});
}

void ValidateResolution(pb::DeploymentState outcome, const std::string& reason,
                        FieldViolations& v) {
  if (!IsAllowed(pb::DEPLOYMENT_STATE_OPEN, outcome)) {
    v.Add("outcome", "must be ADOPTED, ADAPTED or NOT_APPLICABLE");
  }
  // What was changed, or why it does not apply: the next place learns from it.
  const bool needs_reason =
      outcome == pb::DEPLOYMENT_STATE_ADAPTED || outcome == pb::DEPLOYMENT_STATE_NOT_APPLICABLE;
  CheckText(reason, "reason", kMaxText, needs_reason, v);
}

void ValidatePlace(const std::string& site, const std::string& area, const std::string& owner,
                   const kpo::common::v1::Date* due_date, const std::string& origin_site,
                   const std::string& origin_area, const std::string& prefix, FieldViolations& v) {
  const bool site_ok = kpo::core::ParseName(site, {"organizations", "sites"}).has_value();
  if (!site_ok) v.Add(prefix + ".site", "must be a site name (organizations/{org}/sites/{site})");
  if (!area.empty()) {
    if (!kpo::core::ParseName(area, {"organizations", "sites", "areas"})) {
      v.Add(prefix + ".area",
            "must be an area name (organizations/{org}/sites/{site}/areas/{area})");
    } else if (site_ok && !absl::StartsWith(area, site + "/")) {
      v.Add(prefix + ".area", absl::StrCat("must be an area of ", site));
    }
  }
  if (site_ok && site == origin_site && (area.empty() || area == origin_area)) {
    v.Add(prefix + ".site", "is where the practice comes from: name another site or area");
  }
  if (!kpo::core::ParseName(owner, {"organizations", "people"})) {
    v.Add(prefix + ".owner", "must be a person name (organizations/{org}/people/{person})");
  }
  if (due_date == nullptr) {
    v.Add(prefix + ".due_date", "is required");
  } else if (!kpo::core::IsValidDate(*due_date)) {
    v.Add(prefix + ".due_date", "must be a real calendar date");
  }
}

bool IsOverdue(const pb::DeploymentTask& t, absl::CivilDay today) {
  return t.state() == pb::DEPLOYMENT_STATE_OPEN && t.has_due_date() &&
         kpo::core::ToCivil(t.due_date()) < today;
}

}  // namespace kpo::daily::domain
