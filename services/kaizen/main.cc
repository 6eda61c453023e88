// kpo-kaizen: Kaizen events service: rapid-improvement events, their standard work, sustainment
// audits. Skeleton on the shared runtime: configuration, health, metrics, the ops API and a local
// read-only directory replica fed by the people service's events. The domain arrives with its own
// issue.
#include "kpo/runtime/runtime.h"

int main(int argc, char** argv) {
  kpo::runtime::ServiceSpec spec;
  spec.name = "kaizen";
  spec.topic = "kpo.kaizen.v1";
  spec.consumes = {"kpo.people.v1"};
  spec.directory_replica = true;
  spec.default_grpc_port = 7102;
  spec.default_metrics_port = 9102;
  return kpo::runtime::RunService(argc, argv, spec);
}
