#pragma once

// People development in the load harness: seeding a 2,000-person site with target
// profiles, assessments and a certification portfolio; the calls measured (the skills
// matrix of the site, "what does this person still need"); and the crediting probe —
// completed kaizen events produced straight onto kpo.kaizen.v1 and the time until the
// people service's consumer has applied them all.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "load.h"
#include "stack.h"

namespace kpo::bench {

// Adds people seed-1000..seed-1999 (the seed has 0..999) to organizations/acme's site
// lyon, target profiles for team members and leaders, two assessments per person, and
// for seed-1..seed-50 a Knowledge exam and approved portfolio evidence. `token`: an
// org_admin and kpo_specialist of acme.
void SeedDevelopment(kpo::testing::Stack& stack, const std::string& token);

// The calls to measure (label, method, requests), each run at every in-flight count.
std::vector<LoadSpec> DevelopmentCalls(kpo::testing::Stack& stack);

struct CreditResult {
  int events = 0;       // KaizenEventCompleted produced
  int credits = 0;      // evidence each person was credited (participants + facilitator)
  absl::Duration took;  // first produce -> the consumer has applied the last
  bool complete = false;
};
// Produces `events` completed kaizen events of `per_event` people each onto
// kpo.kaizen.v1 and waits (up to a minute) for the people service to apply them.
CreditResult CreditProbe(kpo::testing::Stack& stack, int events, int per_event);

}  // namespace kpo::bench
