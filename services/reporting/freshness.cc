#include "freshness.h"

#include <optional>
#include <utility>

#include "google/protobuf/util/time_util.h"

namespace kpo::reporting {
namespace {

namespace pb = kpo::reporting::v1;
using kpo::storage::Transaction;

// The positions and complete_through, from `tx`.
absl::Status ReadPositions(Transaction& tx, const std::string& consumer_name, pb::Freshness& out) {
  auto positions = kpo::events::ReadPositions(tx, consumer_name);
  if (!positions.ok()) return positions.status();
  std::optional<absl::Time> oldest;
  for (const auto& position : *positions) {
    auto* p = out.add_positions();
    p->set_topic(position.topic);
    p->set_partition(position.partition);
    p->set_offset(position.last_offset);
    *p->mutable_event_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        absl::ToUnixMicros(position.event_time));
    *p->mutable_apply_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        absl::ToUnixMicros(position.applied_time));
    if (!oldest || position.event_time < *oldest) oldest = position.event_time;
  }
  if (oldest) {
    *out.mutable_complete_through() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(*oldest));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadFreshness(Transaction& tx, const std::string& consumer_name,
                           const std::function<int64_t()>& pending_records, pb::Freshness& out) {
  if (absl::Status s = ReadPositions(tx, consumer_name, out); !s.ok()) return s;
  out.set_pending_records(pending_records ? pending_records() : 0);
  return absl::OkStatus();
}

absl::Status FreshnessCache::Read(Transaction& tx, const std::string& consumer_name,
                                  const std::function<int64_t()>& pending_records,
                                  pb::Freshness& out) {
  auto digest = kpo::events::ReadPositionsDigest(tx, consumer_name);
  if (!digest.ok()) return digest.status();
  std::shared_ptr<const pb::Freshness> positions;
  {
    absl::MutexLock lock(&mu_);
    if (positions_ != nullptr && digest_ == *digest) positions = positions_;
  }
  if (positions == nullptr) {
    auto fresh = std::make_shared<pb::Freshness>();
    if (absl::Status s = ReadPositions(tx, consumer_name, *fresh); !s.ok()) return s;
    positions = fresh;
    absl::MutexLock lock(&mu_);
    digest_ = *digest;
    positions_ = std::move(fresh);
  }
  out.MergeFrom(*positions);
  out.set_pending_records(pending_records ? pending_records() : 0);
  return absl::OkStatus();
}

}  // namespace kpo::reporting
