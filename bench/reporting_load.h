#pragma once

// Reporting in the load harness: a synthetic organization's history written straight to
// the topics (its sites and people on kpo.people.v1; month after month of ideas
// submitted and implemented, coaching cycles on kpo.daily.v1; kaizen events proposed and
// completed on kpo.kaizen.v1), the time reporting takes to apply it all (projection
// throughput), the calls to measure against it (an organization's scorecard and a site
// ranking, from Redis), and the time from a write accepted by the daily service to the
// figure changing in reporting.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "load.h"
#include "stack.h"

namespace kpo::bench {

struct SyntheticOrganization {
  std::string id = "synth";
  int sites = 500;
  int years = 5;  // ending with the current month
  int people_per_site = 20;
  int ideas_per_site_month = 20;  // half of them implemented the next month
  int cycles_per_site_month = 4;
  int events_per_site_quarter = 1;  // kaizen events, each proposed, chartered, completed
};

struct ProjectionResult {
  int64_t events = 0;       // produced onto the topics
  absl::Duration produced;  // first produce -> all acknowledged by the broker
  absl::Duration applied;   // first produce -> reporting has applied them all
  bool complete = false;
  int64_t reporting_rss_kib = 0;  // reporting's resident memory once caught up
};

// Produces `org`'s history and waits (up to `timeout`) for reporting to apply it.
ProjectionResult GenerateAndProject(kpo::testing::Stack& stack, const SyntheticOrganization& org,
                                    absl::Duration timeout);

// An organization's scorecard (this year, every site) and its sites ranked by
// participation, for `org`; `token` must be of that organization.
std::vector<LoadSpec> ReportingCalls(kpo::testing::Stack& stack, const std::string& org);

struct LatencyResult {
  int samples = 0;
  absl::Duration p50, p99, max;
};
// Sequential ideas submitted through the daily service (organization acme, site lyon);
// each timed from its OK until reporting's scorecard of lyon counts it (polled).
LatencyResult WriteToFigure(kpo::testing::Stack& stack, const std::string& token, int samples);

struct RebuildResult {
  bool complete = false;          // the new generation serves
  int64_t records = 0;            // records its consumer applied
  absl::Duration took;            // StartProjectionRebuild -> it serves
  int64_t reporting_rss_kib = 0;  // reporting's resident memory at the end (both generations)
};
// Rebuilds every projection from the topics (ProjectionService, a platform_operator
// token) and waits, up to `timeout`, for the new generation to serve.
RebuildResult Rebuild(kpo::testing::Stack& stack, absl::Duration timeout);

}  // namespace kpo::bench
