#include "domain/ideas.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "domain/fields.h"
#include "kpo/core/enums.h"
#include "kpo/core/ids.h"
#include "kpo/core/money.h"
#include "kpo/core/resource_name.h"

namespace kpo::daily::domain {

namespace pb = kpo::daily::v1;
using pb::IdeaState;

namespace {

struct Edge {
  IdeaState from;
  IdeaState to;
};

constexpr Edge kEdges[] = {
    {pb::IDEA_STATE_SUBMITTED, pb::IDEA_STATE_ACCEPTED},
    {pb::IDEA_STATE_SUBMITTED, pb::IDEA_STATE_REJECTED},
    {pb::IDEA_STATE_SUBMITTED, pb::IDEA_STATE_WITHDRAWN},
    {pb::IDEA_STATE_ACCEPTED, pb::IDEA_STATE_IN_PROGRESS},
    {pb::IDEA_STATE_ACCEPTED, pb::IDEA_STATE_IMPLEMENTED},
    {pb::IDEA_STATE_IN_PROGRESS, pb::IDEA_STATE_IMPLEMENTED},
    {pb::IDEA_STATE_IMPLEMENTED, pb::IDEA_STATE_STANDARDIZED},
};

bool IsFinal(IdeaState s) {
  return s == pb::IDEA_STATE_REJECTED || s == pb::IDEA_STATE_STANDARDIZED ||
         s == pb::IDEA_STATE_WITHDRAWN;
}

std::string Why(IdeaState from, IdeaState to) {
  if (from == to) return absl::StrCat("the idea is already ", StateName(from));
  if (IsFinal(from)) return absl::StrCat(StateName(from), " is final");
  if (to == pb::IDEA_STATE_WITHDRAWN) return "only an idea not yet reviewed can be withdrawn";
  if (to == pb::IDEA_STATE_ACCEPTED || to == pb::IDEA_STATE_REJECTED) {
    return "the idea was already reviewed";
  }
  if (from == pb::IDEA_STATE_SUBMITTED) return "the idea must be accepted first";
  if (to == pb::IDEA_STATE_STANDARDIZED) return "only an implemented idea becomes standard";
  return "the lifecycle does not go that way";
}

}  // namespace

std::string StateName(IdeaState state) {
  const std::string full = pb::IdeaState_Name(state);
  constexpr absl::string_view kPrefix = "IDEA_STATE_";
  if (full.empty()) return "IDEA_STATE_UNSPECIFIED";
  if (state != pb::IDEA_STATE_UNSPECIFIED && absl::StartsWith(full, kPrefix)) {
    return full.substr(kPrefix.size());
  }
  return full;
}

bool IsAllowed(IdeaState from, IdeaState to) {
  return std::any_of(std::begin(kEdges), std::end(kEdges),
                     [&](const Edge& e) { return e.from == from && e.to == to; });
}

absl::Status CheckTransition(IdeaState from, IdeaState to) {
  if (IsAllowed(from, to)) return absl::OkStatus();
  return kpo::core::FailedPrecondition(
      "INVALID_TRANSITION",
      absl::StrCat("cannot move the idea from ", StateName(from), " to ", StateName(to), ": ",
                   Why(from, to)),
      {{"current_state", StateName(from)}, {"requested_state", StateName(to)}});
}

bool IsEditable(IdeaState state) {
  return state == pb::IDEA_STATE_SUBMITTED || state == pb::IDEA_STATE_ACCEPTED ||
         state == pb::IDEA_STATE_IN_PROGRESS;
}

void ValidateIdea(const pb::Idea& idea, kpo::core::FieldViolations& v) {
  CheckText(idea.title(), "idea.title", kMaxTitle, true, v);
  CheckText(idea.problem(), "idea.problem", kMaxText, true, v);
  CheckText(idea.countermeasure(), "idea.countermeasure", kMaxText, true, v);
  kpo::core::CheckEnum(pb::Category_descriptor(), idea.category(), "idea.category", true, v);
  const auto site = kpo::core::ParseName(idea.site(), {"organizations", "sites"});
  if (idea.site().empty()) {
    v.Add("idea.site", "is required");
  } else if (!site) {
    v.Add("idea.site", "must be a site name (organizations/{org}/sites/{site})");
  }
  if (!idea.area().empty()) {
    const auto area = kpo::core::ParseName(idea.area(), {"organizations", "sites", "areas"});
    if (!area) {
      v.Add("idea.area", "must be an area name (organizations/{org}/sites/{site}/areas/{area})");
    } else if (site && !absl::StartsWith(idea.area(), idea.site() + "/")) {
      v.Add("idea.area", absl::StrCat("must be an area of ", idea.site()));
    }
  }
  if (idea.submitters_size() > kMaxSubmitters) {
    v.Add("idea.submitters", absl::StrCat("at most ", kMaxSubmitters, " people"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < idea.submitters_size(); ++i) {
    const std::string field = absl::StrCat("idea.submitters[", i, "]");
    if (!kpo::core::ParseName(idea.submitters(i), {"organizations", "people"})) {
      v.Add(field, "must be a person name (organizations/{org}/people/{person})");
    } else if (!seen.insert(idea.submitters(i)).second) {
      v.Add(field, absl::StrCat(idea.submitters(i), " is named twice"));
    }
  }
  if (!idea.reviewer().empty() &&
      !kpo::core::ParseName(idea.reviewer(), {"organizations", "people"})) {
    v.Add("idea.reviewer", "must be a person name (organizations/{org}/people/{person})");
  }
  if (!idea.strategic_objective().empty() &&
      !kpo::core::IsValidResourceId(idea.strategic_objective())) {
    v.Add("idea.strategic_objective", "must be the id of a strategic objective");
  }
}

void ValidateImpact(const pb::Impact& impact, IdeaState state, kpo::core::FieldViolations& v) {
  const std::string prefix = "idea.impact.";
  std::string currency;  // of the first amount set
  bool any = false;
  for (auto [name, money, present] :
       {std::tuple{"target", &impact.target(), impact.has_target()},
        std::tuple{"forecast", &impact.forecast(), impact.has_forecast()},
        std::tuple{"actual", &impact.actual(), impact.has_actual()}}) {
    if (!present) continue;
    any = true;
    const std::string field = prefix + name;
    const size_t before = v.size();
    kpo::core::ValidateMoney(*money, field, v);
    if (v.size() > before) continue;
    if (currency.empty()) {
      currency = money->currency_code();
    } else if (money->currency_code() != currency) {
      v.Add(field + ".currency_code", absl::StrCat("must be ", currency,
                                                   " like the other amounts: an impact is in one "
                                                   "currency"));
    }
  }
  if (impact.has_actual() && state != pb::IDEA_STATE_IMPLEMENTED &&
      state != pb::IDEA_STATE_STANDARDIZED) {
    v.Add(prefix + "actual",
          absl::StrCat("is recorded once the idea is implemented; it is ", StateName(state)));
  }
  if (any) {
    kpo::core::CheckEnum(pb::ImpactRecurrence_descriptor(), impact.recurrence(),
                         prefix + "recurrence", true, v);
    kpo::core::CheckEnum(pb::ImpactKind_descriptor(), impact.kind(), prefix + "kind", true, v);
  }
}

bool IsImpactEditable(const pb::Idea& idea) {
  return idea.state() != pb::IDEA_STATE_REJECTED && idea.state() != pb::IDEA_STATE_WITHDRAWN &&
         !idea.impact().validated();
}

}  // namespace kpo::daily::domain
