#pragma once

// A closed-loop load generator over real gRPC: `in_flight` callers each send the next
// request as soon as the previous answer arrives, to any unary method, with pre-built
// serialized requests (used in turn; a write's requests carry distinct ids and are used
// once each) and a bearer token. Calls completing during the warm-up are not counted;
// the window's calls give throughput and latency percentiles, and the server process's
// CPU time and resident memory over the window.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace kpo::bench {

struct LoadSpec {
  std::string label;
  std::string target;  // host:port
  // Further replicas of the same service: the client's channels are spread over
  // `target` and these, round-robin (each gets at least one).
  std::vector<std::string> more_targets;
  std::string method;  // "/kpo.people.v1.PeopleService/GetPerson"
  std::vector<std::string> requests;
  // Each request is sent once (writes with distinct ids); the run ends early when they
  // run out. Otherwise requests are reused round-robin.
  bool each_once = false;
  std::string token;  // sent as "authorization: Bearer <token>" when not empty
  int in_flight = 1;
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration window = absl::Seconds(5);
  pid_t server_pid = 0;  // CPU and RSS of this process are reported when set
};

struct LoadResult {
  std::string label;
  int in_flight = 0;
  int64_t calls = 0;   // completed OK within the window
  int64_t errors = 0;  // completed with an error within the window
  std::string first_error;
  double seconds = 0;
  double per_second = 0;
  absl::Duration p50, p90, p99;
  double server_cpu_us_per_call = 0;  // user + system CPU of server_pid per OK call
  int64_t server_rss_kib = 0;         // VmRSS at the end of the window
};

LoadResult RunLoad(const LoadSpec& spec);

// User + system CPU time a process has used; zero if it cannot be read.
absl::Duration ProcessCpu(pid_t pid);
// Resident set size in KiB; zero if it cannot be read.
int64_t ProcessRssKib(pid_t pid);

// The figure at quantile q (0..1) of `samples` (sorted in place).
absl::Duration Percentile(std::vector<absl::Duration>& samples, double q);

}  // namespace kpo::bench
