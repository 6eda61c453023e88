#pragma once

// Reporting's generations of projections and their rebuild (ProjectionService).
//
// Generation 0 lives in the service's database (database.path) and is fed by consumer
// group `<consumer.group_id>` (kpo-reporting). A rebuild makes generation N+1: a
// database file of its own, `<database.path>.g<N+1>`, with every migration, fed by a new
// consumer group `<consumer.group_id>.g<N+1>` reading the source topics from their
// beginning, while generation N keeps serving. Every second the service compares the
// two: when the new one has reached, on every source partition, at least the serving
// one's position and has nothing pending, it is switched in — recorded in the service
// database's projection_generations table, then the serving pointer swapped, so each
// query reads wholly one generation or the other. The old generation's consumer then
// stops, and its data is deleted once the last query reading it has finished (its file,
// or generation 0's rows). On start, the recorded serving generation is opened, and a
// rebuild that was under way resumes from its consumer group's committed offsets (its
// inbox makes redelivery harmless).
//
// Thread-safe.

#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "generation.h"
#include "generation_store.h"
#include "kpo/events/consumer.h"
#include "kpo/reporting/v1/projection_service.pb.h"
#include "kpo/runtime/runtime.h"

namespace kpo::reporting {

class Generations {
 public:
  // Registers the projection's handlers on a new generation's consumer.
  using Register = std::function<void(kpo::events::Consumer&)>;

  // Reads the recorded generations from rt.db() (migrating its table) and opens the
  // serving one and the one being built, if any; deletes what retired generations left.
  // Starts nothing. `rt` must outlive this.
  static absl::StatusOr<std::unique_ptr<Generations>> Open(kpo::runtime::ServiceRuntime& rt,
                                                           Register register_handlers);
  ~Generations();

  // Starts the consumers; Stop stops them (and no rebuild may start after).
  absl::Status Start();
  void Stop();

  // The generation queries read now.
  std::shared_ptr<const Generation> Serving() const;

  // StartProjectionRebuild and ListProjectionGenerations (projection_service.proto).
  absl::StatusOr<kpo::reporting::v1::ProjectionGeneration> StartRebuild();
  absl::StatusOr<std::vector<kpo::reporting::v1::ProjectionGeneration>> List() const;

  // Switches to the generation being built if it has caught up with the serving one;
  // run every second. Returns whether it switched.
  absl::StatusOr<bool> SwitchIfCaughtUp();

  struct Live;

 private:
  Generations(kpo::runtime::ServiceRuntime& rt, Register register_handlers);
  absl::StatusOr<std::shared_ptr<Live>> OpenGeneration(int64_t number, bool fresh);
  // The row as the API shows it, with `live`'s progress (may be null).
  absl::StatusOr<kpo::reporting::v1::ProjectionGeneration> Describe(
      const store::GenerationRow& row, const std::shared_ptr<Live>& live) const;

  kpo::runtime::ServiceRuntime& rt_;
  Register register_;
  mutable absl::Mutex mu_;
  std::shared_ptr<Live> serving_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<Live> building_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  // Serializes StartRebuild, SwitchIfCaughtUp and Stop.
  absl::Mutex change_mu_;
};

}  // namespace kpo::reporting
