#pragma once

// Alignment (how much improvement work is linked to each strategic objective) and
// yokoten (good practices shared, and what the places they were sent to decided).
// Pure, thread-safe. Definitions: services/reporting/README.md.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kpo/reporting/v1/scorecard.pb.h"

namespace kpo::reporting::domain {

struct ObjectiveLinks {
  int64_t ideas = 0;          // submitted in the period
  int64_t storyboards = 0;    // open at some time during the period
  int64_t kaizen_events = 0;  // proposed in the period

  void Add(const ObjectiveLinks& other);
};

struct AlignmentCounts {
  std::map<std::string, ObjectiveLinks> objectives;  // by objective id, "" for none

  void Add(const AlignmentCounts& other);
};

// An objective of the organization as the directory has it now.
struct Objective {
  std::string id;
  std::string title;
};

// Every objective of `defined`, in its order, then the ids work still names that are no
// longer defined (by id), then "" for work linked to none (only when there is some).
kpo::reporting::v1::AlignmentFigures AlignmentFigures(const AlignmentCounts& counts,
                                                      const std::vector<Objective>& defined);

struct YokotenCounts {
  int64_t practices_shared = 0;     // from the scope's ideas, during the period
  int64_t adopted = 0;              // tasks at the scope resolved during the period: adopted
  int64_t adapted = 0;              // ... adapted
  int64_t not_applicable = 0;       // ... not applicable
  int64_t open_tasks = 0;           // tasks at the scope open at the end
  int64_t overdue_tasks = 0;        // of those, past their due day
  int64_t adoptions_elsewhere = 0;  // the scope's practices adopted or adapted elsewhere

  void Add(const YokotenCounts& other);
};

kpo::reporting::v1::YokotenFigures YokotenFigures(const YokotenCounts& counts);

}  // namespace kpo::reporting::domain
