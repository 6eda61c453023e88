// kpo-daily: Daily kaizen service: ideas, kata storyboards, coaching cycles, gemba walks, yokoten.
// Skeleton on the shared runtime: configuration, health, metrics, the ops API and a
// local read-only directory replica fed by the people service's events. The domain
// arrives with its own issue.
#include "kpo/runtime/runtime.h"

int main(int argc, char** argv) {
  kpo::runtime::ServiceSpec spec;
  spec.name = "daily";
  spec.topic = "kpo.daily.v1";
  spec.consumes = {"kpo.people.v1"};
  spec.directory_replica = true;
  spec.default_grpc_port = 7103;
  spec.default_metrics_port = 9103;
  return kpo::runtime::RunService(argc, argv, spec);
}
