#include "domain/kata.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/fields.h"
#include "domain/ideas.h"
#include "kpo/core/date.h"
#include "kpo/core/resource_name.h"

namespace kpo::daily::domain {

namespace pb = kpo::daily::v1;
using kpo::core::FieldViolations;

namespace {

bool IsPerson(const std::string& name) {
  return kpo::core::ParseName(name, {"organizations", "people"}).has_value();
}

void CheckDate(const kpo::common::v1::Date& d, bool set, const std::string& field,
               FieldViolations& v) {
  if (!set) {
    v.Add(field, "is required");
  } else if (!kpo::core::IsValidDate(d)) {
    v.Add(field, "must be a real calendar date");
  }
}

}  // namespace

std::string StoryboardStateName(pb::StoryboardState state) {
  const std::string full = pb::StoryboardState_Name(state);
  constexpr absl::string_view kPrefix = "STORYBOARD_STATE_";
  if (state != pb::STORYBOARD_STATE_UNSPECIFIED && absl::StartsWith(full, kPrefix)) {
    return full.substr(kPrefix.size());
  }
  return full.empty() ? "STORYBOARD_STATE_UNSPECIFIED" : full;
}

void ValidateStoryboard(const pb::Storyboard& s, FieldViolations& v) {
  if (s.learner().empty()) {
    v.Add("storyboard.learner", "is required");
  } else if (!IsPerson(s.learner())) {
    v.Add("storyboard.learner", "must be a person name (organizations/{org}/people/{person})");
  }
  if (s.coach().empty()) {
    v.Add("storyboard.coach", "is required");
  } else if (!IsPerson(s.coach())) {
    v.Add("storyboard.coach", "must be a person name (organizations/{org}/people/{person})");
  } else if (s.coach() == s.learner()) {
    v.Add("storyboard.coach", "must be another person than the learner");
  }
  CheckText(s.challenge(), "storyboard.challenge", kMaxText, true, v);
  if (s.strategic_objective().empty()) {
    v.Add("storyboard.strategic_objective",
          "is required: the id of the strategic objective the challenge serves");
  }
  CheckText(s.focus_process(), "storyboard.focus_process", kMaxTitle, false, v);
  const bool site_ok =
      s.site().empty() || kpo::core::ParseName(s.site(), {"organizations", "sites"}).has_value();
  if (!site_ok) v.Add("storyboard.site", "must be a site name (organizations/{org}/sites/{site})");
  if (!s.area().empty()) {
    if (!kpo::core::ParseName(s.area(), {"organizations", "sites", "areas"})) {
      v.Add("storyboard.area",
            "must be an area name (organizations/{org}/sites/{site}/areas/{area})");
    } else if (s.site().empty()) {
      v.Add("storyboard.area", "needs the site it belongs to");
    } else if (site_ok && !absl::StartsWith(s.area(), s.site() + "/")) {
      v.Add("storyboard.area", absl::StrCat("must be an area of ", s.site()));
    }
  }
  if (!s.has_target_condition()) {
    v.Add("storyboard.target_condition", "is required (description, metric, achieve_by)");
  } else {
    const pb::TargetCondition& t = s.target_condition();
    CheckText(t.description(), "storyboard.target_condition.description", kMaxText, true, v);
    CheckText(t.metric(), "storyboard.target_condition.metric", kMaxTitle, true, v);
    CheckDate(t.achieve_by(), t.has_achieve_by(), "storyboard.target_condition.achieve_by", v);
  }
  CheckText(s.current_condition(), "storyboard.current_condition", kMaxText, false, v);
  if (s.obstacles_size() > kMaxObstacles) {
    v.Add("storyboard.obstacles", absl::StrCat("at most ", kMaxObstacles));
  }
  for (int i = 0; i < s.obstacles_size(); ++i) {
    const std::string field = absl::StrCat("storyboard.obstacles[", i, "]");
    CheckText(s.obstacles(i).description(), field + ".description", kMaxObstacleText, true, v);
    if (s.obstacles(i).status() == pb::OBSTACLE_STATUS_UNSPECIFIED ||
        !pb::ObstacleStatus_IsValid(s.obstacles(i).status())) {
      v.Add(field + ".status", "is required: OPEN, WORKING_ON or RESOLVED");
    }
  }
}

void NumberObstacles(const pb::Storyboard* before, pb::Storyboard& after, int64_t& next,
                     FieldViolations& v) {
  std::set<std::string> known;
  if (before != nullptr) {
    for (const auto& o : before->obstacles()) known.insert(o.id());
  }
  std::set<std::string> seen;
  for (int i = 0; i < after.obstacles_size(); ++i) {
    pb::Obstacle& o = *after.mutable_obstacles(i);
    const std::string field = absl::StrCat("storyboard.obstacles[", i, "].id");
    if (o.id().empty()) {
      o.set_id(std::to_string(next++));
    } else if (!known.contains(o.id())) {
      v.Add(field, absl::StrCat("obstacle ", o.id(),
                                " is not on the storyboard; leave the id empty for a new one"));
    } else if (!seen.insert(o.id()).second) {
      v.Add(field, absl::StrCat("obstacle ", o.id(), " is listed twice"));
    }
  }
}

void ValidateExperiment(const pb::Experiment& e, const pb::Storyboard& storyboard,
                        FieldViolations& v) {
  CheckText(e.step(), "experiment.step", kMaxText, true, v);
  CheckText(e.expected(), "experiment.expected", kMaxText, true, v);
  CheckText(e.result(), "experiment.result", kMaxText, false, v);
  CheckText(e.learning(), "experiment.learning", kMaxText, false, v);
  CheckDate(e.date(), e.has_date(), "experiment.date", v);
  if (!e.obstacle().empty() &&
      std::none_of(storyboard.obstacles().begin(), storyboard.obstacles().end(),
                   [&](const pb::Obstacle& o) { return o.id() == e.obstacle(); })) {
    v.Add("experiment.obstacle",
          absl::StrCat("obstacle ", e.obstacle(), " is not on ", storyboard.name()));
  }
}

void ValidateCoachingCycle(const pb::CoachingCycle& c, absl::CivilDay today, FieldViolations& v) {
  CheckDate(c.date(), c.has_date(), "coaching_cycle.date", v);
  if (c.has_date() && kpo::core::IsValidDate(c.date())) {
    const absl::CivilDay day = kpo::core::ToCivil(c.date());
    if (day > today) {
      v.Add("coaching_cycle.date", absl::StrCat("is after today at the storyboard's site (",
                                                absl::FormatCivilTime(today), ")"));
    } else if (today - day > kMaxCycleAgeDays) {
      v.Add("coaching_cycle.date", absl::StrCat("at most ", kMaxCycleAgeDays, " days back"));
    }
  }
  if (!c.second_coach().empty() && !IsPerson(c.second_coach())) {
    v.Add("coaching_cycle.second_coach",
          "must be a person name (organizations/{org}/people/{person})");
  }
  if (!c.coach().empty() && !IsPerson(c.coach())) {
    v.Add("coaching_cycle.coach", "must be a person name (organizations/{org}/people/{person})");
  }
  if (c.minutes() < 1 || c.minutes() > kMaxCycleMinutes) {
    v.Add("coaching_cycle.minutes", absl::StrCat("must be 1-", kMaxCycleMinutes));
  }
  const pb::CoachingAnswers& a = c.answers();
  CheckText(a.target_condition(), "coaching_cycle.answers.target_condition", kMaxText, true, v);
  CheckText(a.actual_condition(), "coaching_cycle.answers.actual_condition", kMaxText, true, v);
  CheckText(a.obstacles(), "coaching_cycle.answers.obstacles", kMaxText, true, v);
  CheckText(a.next_step(), "coaching_cycle.answers.next_step", kMaxText, true, v);
  CheckText(a.when_to_see(), "coaching_cycle.answers.when_to_see", kMaxText, true, v);
  CheckText(c.experiment_review(), "coaching_cycle.experiment_review", kMaxText, false, v);
}

pb::CoachKind CoachKindOf(const kpo::people::v1::Person& coach) {
  for (int role : coach.roles()) {
    if (role == kpo::people::v1::KPO_SPECIALIST || role == kpo::people::v1::EXTERNAL_SENSEI) {
      return pb::COACH_KIND_KPO;
    }
  }
  return pb::COACH_KIND_LINE;
}

absl::CivilDay Today(absl::Time now, absl::TimeZone zone) { return absl::ToCivilDay(now, zone); }

Cadence CadenceOn(absl::CivilDay today, const std::vector<absl::CivilDay>& cycle_days) {
  Cadence c;
  for (const absl::CivilDay& day : cycle_days) {
    if (!c.last.has_value() || day > *c.last) c.last = day;
    const int64_t ago = today - day;
    if (ago < kCadenceWindowDays) ++c.cycles_in_window;  // includes days after today
  }
  if (c.last.has_value())
    c.days_since_last = static_cast<int>(std::max<int64_t>(0, today - *c.last));
  return c;
}

bool IsOverdue(const Cadence& cadence, int days) {
  return cadence.days_since_last < 0 || cadence.days_since_last >= days;
}

}  // namespace kpo::daily::domain
