#pragma once

// The freshness of an answer (kpo.reporting.v1.Freshness): the positions of the consumer
// that built the projections it read, the oldest of their event times (complete
// through) and the records not yet applied.

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "kpo/events/consumer.h"
#include "kpo/reporting/v1/scorecard.pb.h"
#include "kpo/storage/database.h"

namespace kpo::reporting {

// The freshness of an answer read in `tx`: the positions of consumer `consumer_name`,
// and `pending_records` (may be empty).
absl::Status ReadFreshness(kpo::storage::Transaction& tx, const std::string& consumer_name,
                           const std::function<int64_t()>& pending_records,
                           kpo::reporting::v1::Freshness& out);

// The same, keeping the last positions read while they are unchanged: each answer then
// reads the positions' digest (kpo::events::ReadPositionsDigest, one row) instead of one
// row per partition, in its own transaction, so what it reports is exactly what that
// transaction would have read. Thread-safe.
class FreshnessCache {
 public:
  absl::Status Read(kpo::storage::Transaction& tx, const std::string& consumer_name,
                    const std::function<int64_t()>& pending_records,
                    kpo::reporting::v1::Freshness& out);

 private:
  absl::Mutex mu_;
  kpo::events::PositionsDigest digest_ ABSL_GUARDED_BY(mu_);
  // Without pending_records; null until read once.
  std::shared_ptr<const kpo::reporting::v1::Freshness> positions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kpo::reporting
