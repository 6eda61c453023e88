#pragma once

// The SQL of improvement kata storyboards, their experiments and coaching cycles (the
// same rules as store.h: the common SQL subset, every function names its organization,
// call within the caller's transaction). Dates are stored as YYYYMMDD integers
// (kpo::core::DateKey).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/daily/v1/resources.pb.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::daily::store {

using kpo::storage::Transaction;

struct StoryboardRow {
  int64_t revision = 0;
  // The number the next new obstacle gets.
  int64_t next_obstacle = 1;
  // With its counters (experiment_count, coaching_cycle_count, last_coaching_date).
  v1::Storyboard storyboard;
};

absl::StatusOr<std::optional<StoryboardRow>> LoadStoryboard(Transaction& tx, const std::string& org,
                                                            const std::string& name);
// Writes the storyboard at `revision` (1: a new one); the counters are not touched.
absl::Status SaveStoryboard(Transaction& tx, const std::string& org,
                            const v1::Storyboard& storyboard, int64_t revision,
                            int64_t next_obstacle);

// Ordered by name; unset fields do not filter.
struct StoryboardFilter {
  std::string learner;
  std::string coach;
  std::string site;
  v1::StoryboardState state = v1::STORYBOARD_STATE_UNSPECIFIED;
  std::string strategic_objective;
};
absl::StatusOr<std::vector<StoryboardRow>> ListStoryboards(Transaction& tx, const std::string& org,
                                                           const StoryboardFilter& filter,
                                                           const kpo::storage::KeysetPage& page);

struct ExperimentRow {
  int64_t revision = 0;
  v1::Experiment experiment;
};

absl::StatusOr<std::optional<ExperimentRow>> LoadExperiment(Transaction& tx, const std::string& org,
                                                            const std::string& name);
// Writes the experiment of `storyboard` at `revision`; a new one (revision 1) also
// counts on its storyboard.
absl::Status SaveExperiment(Transaction& tx, const std::string& org, const std::string& storyboard,
                            const v1::Experiment& experiment, int64_t revision);
// By (date, name).
absl::StatusOr<std::vector<ExperimentRow>> ListExperiments(Transaction& tx, const std::string& org,
                                                           const std::string& storyboard,
                                                           const kpo::storage::KeysetPage& page);
// The name of the storyboard's latest experiment (by date, then name), if any.
absl::StatusOr<std::optional<std::string>> LatestExperiment(Transaction& tx, const std::string& org,
                                                            const std::string& storyboard);

absl::StatusOr<std::optional<v1::CoachingCycle>> LoadCoachingCycle(Transaction& tx,
                                                                   const std::string& org,
                                                                   const std::string& name);
// Writes a new cycle of `storyboard` and counts it there.
absl::Status InsertCoachingCycle(Transaction& tx, const std::string& org,
                                 const std::string& storyboard, const v1::CoachingCycle& cycle);

// By (date, name); unset fields do not filter; days are YYYYMMDD (0: open).
struct CoachingCycleFilter {
  std::string storyboard;
  std::string learner;
  std::string coach;
  std::string site;
  int64_t from_day = 0;
  int64_t to_day = 0;
};
absl::StatusOr<std::vector<v1::CoachingCycle>> ListCoachingCycles(
    Transaction& tx, const std::string& org, const CoachingCycleFilter& filter,
    const kpo::storage::KeysetPage& page);

// The days (YYYYMMDD) of the cycles `coach` held with `learner` on or after `from_day`
// (none when the last is earlier), and the day of their last cycle ever (0: none).
struct PairCycles {
  std::vector<int64_t> days;
  int64_t last_day = 0;
};
absl::StatusOr<PairCycles> CyclesOfPair(Transaction& tx, const std::string& org,
                                        const std::string& learner, const std::string& coach,
                                        int64_t from_day);

}  // namespace kpo::daily::store
