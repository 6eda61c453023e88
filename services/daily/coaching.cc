#include "coaching.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "domain/kata.h"
#include "google/protobuf/util/time_util.h"
#include "kata.h"
#include "kata_store.h"
#include "kpo/core/date.h"
#include "kpo/core/errors.h"
#include "kpo/core/ids.h"
#include "kpo/core/resource_name.h"
#include "kpo/daily/v1/events.pb.h"
#include "kpo/idempotency/idempotency.h"
#include "kpo/people/v1/resources.pb.h"
#include "kpo/replica/directory_replica.h"
#include "queries.h"

namespace kpo::daily {

namespace pb = kpo::daily::v1;
namespace dir = kpo::people::v1;
using kpo::command::Context;
using kpo::core::FieldViolations;

namespace {

constexpr kpo::core::Collections kStoryboardName = {"organizations", "storyboards"};
constexpr kpo::core::Collections kCycleName = {"organizations", "storyboards", "coachingCycles"};

absl::Status NoRelationship(const std::string& learner, const std::string& coach) {
  return kpo::core::FailedPrecondition(
      "NO_COACHING_RELATIONSHIP",
      absl::StrCat(coach, " is not the coach of ", learner,
                   " in the directory. Set up the coaching relationship in the people service "
                   "(kpo.people.v1.PeopleService/CreateCoachingRelationship, or `kpoctl coaching "
                   "create --coach <coach> --learner <learner> --per-week <n>`), then record the "
                   "cycle again once the relationship has reached this service (seconds)."),
      {{"learner", learner}, {"coach", coach}});
}

}  // namespace

absl::StatusOr<pb::CoachingCycle> Coaching::CreateCoachingCycle(
    const Principal& p, const pb::CreateCoachingCycleRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), kStoryboardName); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  if (!r.coaching_cycle_id().empty() && !kpo::core::IsValidResourceId(r.coaching_cycle_id())) {
    v.Add("coaching_cycle_id", "must be 1-63 of a-z, 0-9 and '-'");
  }
  kpo::idempotency::CheckRequestId(r.request_id(), v);
  if (v.Has("request_id")) return v.ToStatus();
  const pb::CoachingCycle& in = r.coaching_cycle();
  pb::CoachingCycle cycle;
  cycle.set_name(
      absl::StrCat(r.parent(), "/coachingCycles/",
                   r.coaching_cycle_id().empty() ? kpo::core::NewUuid() : r.coaching_cycle_id()));
  if (in.has_date()) *cycle.mutable_date() = in.date();
  cycle.set_coach(in.coach());
  cycle.set_second_coach(in.second_coach());
  cycle.set_minutes(in.minutes());
  *cycle.mutable_answers() = in.answers();
  cycle.set_experiment_review(in.experiment_review());
  cycle.set_recorded_by(p.person_name());
  return commands_.Run<pb::CoachingCycle>(
      {p.organization_id, "CreateCoachingCycle", r.request_id(), &r, r.validate_only()},
      [&](Context& c) -> absl::StatusOr<pb::CoachingCycle> {
        kpo::storage::Transaction& tx = c.tx();
        const std::string& org = c.organization_id();
        auto board = store::LoadStoryboard(tx, org, r.parent());
        if (!board.ok()) return board.status();
        if (!board->has_value()) return kpo::core::NotFound(r.parent());
        const pb::Storyboard& s = (*board)->storyboard;
        pb::CoachingCycle created = cycle;
        if (created.coach().empty()) created.set_coach(s.coach());
        // The coach named on the cycle must coach the learner (checked below), so naming
        // oneself does not get around this.
        if (absl::Status st = CheckLearnerOrCoach(p, s, created.coach()); !st.ok()) return st;
        if (absl::Status st = CheckActive(s, "coaching cycles are recorded"); !st.ok()) return st;
        auto zone = kpo::replica::SiteTimeZone(tx, org, s.site());
        if (!zone.ok()) return zone.status();
        domain::ValidateCoachingCycle(created, domain::Today(c.now(), *zone), v);
        created.set_learner(s.learner());
        if (created.coach() == s.learner()) {
          v.Add("coaching_cycle.coach", "the learner does not coach themselves");
        }
        auto coach = kpo::replica::RequireActive<dir::Person>(tx, org, created.coach(), "person",
                                                              "coaching_cycle.coach", v);
        if (!coach.ok()) return coach.status();
        if (!created.second_coach().empty()) {
          if (created.second_coach() == created.coach() ||
              created.second_coach() == created.learner()) {
            v.Add("coaching_cycle.second_coach", "must be another person than coach and learner");
          }
          if (auto st = kpo::replica::RequireActive(tx, org, created.second_coach(), "person",
                                                    "coaching_cycle.second_coach", v);
              !st.ok()) {
            return st.status();
          }
        }
        if (!v.empty()) return v.ToStatus();
        auto pair = kpo::replica::FindCoaching(tx, org, created.learner(), created.coach());
        if (!pair.ok()) return pair.status();
        if (!pair->has_value()) return NoRelationship(created.learner(), created.coach());
        created.set_coaching_relationship((*pair)->relationship);
        if (created.second_coach().empty()) created.set_second_coach((*pair)->second_coach);
        created.set_coach_kind(coach->has_value() ? domain::CoachKindOf(**coach)
                                                  : pb::COACH_KIND_LINE);
        auto latest = store::LatestExperiment(tx, org, s.name());
        if (!latest.ok()) return latest.status();
        if (latest->has_value()) created.set_reviewed_experiment(**latest);
        created.set_site(s.site());
        created.set_area(s.area());
        created.set_strategic_objective(s.strategic_objective());
        *created.mutable_create_time() =
            google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(c.now()));
        created.set_etag("1");
        auto existing = store::LoadCoachingCycle(tx, org, created.name());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) return kpo::core::AlreadyExists(created.name());
        if (absl::Status st = store::InsertCoachingCycle(tx, org, s.name(), created); !st.ok()) {
          return st;
        }
        pb::CoachingCycleRecorded event;
        *event.mutable_coaching_cycle() = created;
        event.set_revision(1);
        if (absl::Status st = c.Publish(created.name(), event); !st.ok()) return st;
        return created;
      });
}

absl::StatusOr<pb::CoachingCycle> Coaching::GetCoachingCycle(
    const Principal& p, const pb::GetCoachingCycleRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "name", r.name(), kCycleName); !ids.ok()) {
    return ids.status();
  }
  auto row =
      ReadOne<pb::CoachingCycle>(commands_.db(), r.name(), [&](kpo::storage::Transaction& tx) {
        return store::LoadCoachingCycle(tx, p.organization_id, r.name());
      });
  return row;
}

absl::StatusOr<pb::ListCoachingCyclesResponse> Coaching::ListCoachingCycles(
    const Principal& p, const pb::ListCoachingCyclesRequest& r) const {
  auto ids =
      kpo::auth::CheckName(p, "parent", r.parent(), kStoryboardName, kpo::core::LastId::kOrAll);
  if (!ids.ok()) return ids.status();
  FieldViolations v;
  CheckNameFilter(r.learner(), {"organizations", "people"}, "learner", "person", v);
  CheckNameFilter(r.coach(), {"organizations", "people"}, "coach", "person", v);
  CheckNameFilter(r.site(), {"organizations", "sites"}, "site", "site", v);
  for (auto [field, date] :
       {std::pair{"date_from", &r.date_from()}, std::pair{"date_to", &r.date_to()}}) {
    if ((field == std::string("date_from") ? r.has_date_from() : r.has_date_to()) &&
        !kpo::core::IsValidDate(*date)) {
      v.Add(field, "must be a real calendar date");
    }
  }
  if (!v.empty()) return v.ToStatus();
  store::CoachingCycleFilter filter;
  if (ids->back() != "-") filter.storyboard = r.parent();
  filter.learner = r.learner();
  filter.coach = r.coach();
  filter.site = r.site();
  filter.from_day = r.has_date_from() ? kpo::core::DateKey(r.date_from()) : 0;
  filter.to_day = r.has_date_to() ? kpo::core::DateKey(r.date_to()) : 0;
  pb::ListCoachingCyclesResponse out;
  absl::Status s = ReadPage<pb::CoachingCycle>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|cycles|", r.parent(), "|", r.learner(), "|", r.coach(), "|",
                   r.site(), "|", filter.from_day, "|", filter.to_day),
      {[&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& page) {
         return store::ListCoachingCycles(tx, p.organization_id, filter, page);
       },
       [](const pb::CoachingCycle& c) -> kpo::core::PagePosition {
         return {kpo::core::DateKey(c.date()), c.name()};
       },
       [&](pb::CoachingCycle& c) { *out.add_coaching_cycles() = std::move(c); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<pb::ListLearnerCadencesResponse> Coaching::ListLearnerCadences(
    const Principal& p, const pb::ListLearnerCadencesRequest& r) const {
  if (auto ids = kpo::auth::CheckName(p, "parent", r.parent(), {"organizations"}); !ids.ok()) {
    return ids.status();
  }
  FieldViolations v;
  CheckNameFilter(r.learner(), {"organizations", "people"}, "learner", "person", v);
  CheckNameFilter(r.coach(), {"organizations", "people"}, "coach", "person", v);
  CheckNameFilter(r.site(), {"organizations", "sites"}, "site", "site", v);
  if (!r.coach().empty() && !r.site().empty()) {
    v.Add("site", "filter by coach or by site, not both");
  }
  if (r.without_cycle_days() < 0 || r.without_cycle_days() > domain::kMaxCycleAgeDays) {
    v.Add("without_cycle_days", absl::StrCat("must be 0-", domain::kMaxCycleAgeDays));
  }
  if (!v.empty()) return v.ToStatus();
  const kpo::replica::CoachingFilter filter{r.coach(), r.learner(), r.site()};
  const absl::Time now = commands_.clock().Now();
  pb::ListLearnerCadencesResponse out;
  absl::Status s = ReadPage<pb::LearnerCadence>(
      commands_.db(), tokens_, pages_, r.page_size(), r.page_token(),
      absl::StrCat(p.organization_id, "|cadences|", r.coach(), "|", r.site(), "|", r.learner(), "|",
                   r.without_cycle_days()),
      {[&](kpo::storage::Transaction& tx, const kpo::storage::KeysetPage& page)
           -> absl::StatusOr<std::vector<pb::LearnerCadence>> {
         // Walks the relationships in (learner, relationship) order from the page's
         // position, keeping the learners that pass the overdue filter, until the page
         // (and one more row) is full or the relationships end.
         std::vector<pb::LearnerCadence> found;
         std::string after_learner, after_name;
         if (page.after.has_value()) {
           std::vector<std::string> parts = absl::StrSplit(page.after->second, '|');
           if (parts.size() == 2) {
             after_learner = parts[0];
             after_name = parts[1];
           }
         }
         SiteCalendar calendar(tx, p.organization_id, now);
         const size_t wanted = static_cast<size_t>(page.limit) + 1;
         constexpr int64_t kBatch = 200;
         while (found.size() < wanted) {
           auto pairs = kpo::replica::ListCoaching(tx, p.organization_id, filter, after_learner,
                                                   after_name, kBatch);
           if (!pairs.ok()) return pairs.status();
           for (const auto& pair : *pairs) {
             after_learner = pair.learner;
             after_name = pair.relationship;
             auto today = calendar.Today(pair.learner_site);
             if (!today.ok()) return today.status();
             auto days = store::CyclesOfPair(tx, p.organization_id, pair.learner, pair.coach,
                                             kpo::core::DateKey(kpo::core::FromCivil(
                                                 *today - (domain::kCadenceWindowDays - 1))));
             if (!days.ok()) return days.status();
             std::vector<absl::CivilDay> cycle_days;
             for (int64_t d : days->days) cycle_days.push_back(kpo::core::CivilFromKey(d));
             // The last cycle may lie before the window.
             if (days->last_day != 0 && days->days.empty()) {
               cycle_days.push_back(kpo::core::CivilFromKey(days->last_day));
             }
             const domain::Cadence cadence = domain::CadenceOn(*today, cycle_days);
             if (r.without_cycle_days() > 0 &&
                 !domain::IsOverdue(cadence, r.without_cycle_days())) {
               continue;
             }
             pb::LearnerCadence& c = found.emplace_back();
             c.set_learner(pair.learner);
             c.set_coach(pair.coach);
             c.set_coaching_relationship(pair.relationship);
             c.set_site(pair.learner_site);
             c.set_expected_per_week(static_cast<int32_t>(pair.sessions_per_week));
             if (cadence.last.has_value())
               *c.mutable_last_cycle_date() = kpo::core::FromCivil(*cadence.last);
             c.set_days_since_last_cycle(cadence.days_since_last);
             c.set_cycles_last_28_days(cadence.cycles_in_window);
             c.set_expected_last_28_days(
                 static_cast<int32_t>(pair.sessions_per_week * (domain::kCadenceWindowDays / 7)));
             if (found.size() == wanted) break;
           }
           if (pairs->size() < static_cast<size_t>(kBatch)) break;
         }
         return found;
       },
       [](const pb::LearnerCadence& c) -> kpo::core::PagePosition {
         return {0, absl::StrCat(c.learner(), "|", c.coaching_relationship())};
       },
       [&](pb::LearnerCadence& c) { *out.add_learner_cadences() = std::move(c); }},
      *out.mutable_next_page_token());
  if (!s.ok()) return s;
  return out;
}

}  // namespace kpo::daily
