#include "generations.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "kpo/core/errors.h"
#include "kpo/core/log.h"
#include "projection.h"
#include "query.h"

namespace kpo::reporting {

namespace pb = kpo::reporting::v1;
using kpo::storage::Transaction;

// A generation with its consumer. The consumer is destroyed before the database (a
// base member) it applies to.
struct Generations::Live final : Generation {
  std::unique_ptr<kpo::events::Consumer> consumer;
  // Set once it is retired: its file goes when the last reader lets go.
  std::shared_ptr<std::atomic<bool>> doomed = std::make_shared<std::atomic<bool>>(false);
};

namespace {

std::string Suffix(int64_t number) { return number == 0 ? "" : absl::StrCat(".g", number); }

google::protobuf::Timestamp ToTimestamp(int64_t micros) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

}  // namespace

Generations::Generations(kpo::runtime::ServiceRuntime& rt, Register register_handlers)
    : rt_(rt), register_(std::move(register_handlers)) {}

Generations::~Generations() { Stop(); }

absl::StatusOr<std::unique_ptr<Generations>> Generations::Open(kpo::runtime::ServiceRuntime& rt,
                                                               Register register_handlers) {
  if (absl::Status s = rt.db().Migrate("reporting-generations", store::GenerationMigrations());
      !s.ok()) {
    return s;
  }
  std::unique_ptr<Generations> g(new Generations(rt, std::move(register_handlers)));
  auto rows = store::ReadGenerations(rt.db());
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    const int64_t now = absl::ToUnixMicros(rt.clock().Now());
    if (absl::Status s = store::RecordFirstGeneration(rt.db(), now); !s.ok()) return s;
    rows->push_back(store::GenerationRow{0, "serving", now, std::nullopt, std::nullopt});
  }
  std::optional<int64_t> serving, building;
  for (const store::GenerationRow& row : *rows) {
    if (row.state == "serving") serving = row.number;
    if (row.state == "building") building = row.number;
    if (row.state == "retired") {
      // What a stop before the deletion left.
      if (row.number == 0) {
        if (absl::Status s = store::ClearGenerationZero(rt.db(), ProjectionTables()); !s.ok()) {
          return s;
        }
      } else {
        if (absl::Status s = rt.DropDatabase(Suffix(row.number)); !s.ok()) return s;
      }
    }
  }
  if (!serving) return absl::DataLossError("projection_generations records no serving generation");
  auto live = g->OpenGeneration(*serving, /*fresh=*/false);
  if (!live.ok()) return live.status();
  absl::MutexLock lock(&g->mu_);
  g->serving_ = *std::move(live);
  if (building) {
    auto b = g->OpenGeneration(*building, /*fresh=*/false);
    if (!b.ok()) return b.status();
    g->building_ = *std::move(b);
  }
  return g;
}

absl::StatusOr<std::shared_ptr<Generations::Live>> Generations::OpenGeneration(int64_t number,
                                                                               bool fresh) {
  auto live = std::make_shared<Live>();
  live->number = number;
  if (number == 0) {
    // The service's database, owned by the runtime.
    live->db = std::shared_ptr<kpo::storage::Database>(std::shared_ptr<void>(), &rt_.db());
  } else {
    const std::string suffix = Suffix(number);
    if (fresh) {
      if (absl::Status s = rt_.DropDatabase(suffix); !s.ok()) return s;
    }
    auto opened = rt_.OpenDatabase(Suffix(number));
    if (!opened.ok()) return opened.status();
    std::shared_ptr<kpo::storage::Database> db = *std::move(opened);
    kpo::storage::Database* raw = db.get();
    live->db = std::shared_ptr<kpo::storage::Database>(
        raw, [db = std::move(db), doomed = live->doomed, suffix,
              rt = &rt_](kpo::storage::Database*) mutable {
          db.reset();
          if (doomed->load()) (void)rt->DropDatabase(suffix);
        });
  }
  live->consumer = rt_.NewConsumer(*live->db, Suffix(number));
  register_(*live->consumer);
  live->consumer_name = live->consumer->name();
  kpo::events::Consumer* consumer = live->consumer.get();
  live->pending_records = [consumer] { return consumer->stats().lag; };
  return live;
}

absl::Status Generations::Start() {
  absl::MutexLock change(&change_mu_);
  absl::MutexLock lock(&mu_);
  started_ = true;
  if (absl::Status s = serving_->consumer->Start(); !s.ok()) return s;
  if (building_) {
    kpo::log::Info("resuming the projection rebuild", {{"generation", building_->number}});
    return building_->consumer->Start();
  }
  return absl::OkStatus();
}

void Generations::Stop() {
  absl::MutexLock change(&change_mu_);
  std::shared_ptr<Live> serving, building;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_ || !started_) {
      stopped_ = true;
      return;
    }
    stopped_ = true;
    serving = serving_;
    building = building_;
  }
  if (building) building->consumer->Stop();
  serving->consumer->Stop();
}

std::shared_ptr<const Generation> Generations::Serving() const {
  absl::MutexLock lock(&mu_);
  return serving_;
}

absl::StatusOr<pb::ProjectionGeneration> Generations::StartRebuild() {
  absl::MutexLock change(&change_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return absl::UnavailableError("the service is stopping");
    if (building_) {
      return kpo::core::FailedPrecondition(
          "REBUILD_IN_PROGRESS",
          absl::StrCat("generation ", building_->number,
                       " is being built; a new rebuild can start once it serves"));
    }
  }
  const int64_t now = absl::ToUnixMicros(rt_.clock().Now());
  auto recorded = store::RecordBuilding(rt_.db(), now);
  if (!recorded.ok()) return recorded.status();
  const int64_t number = *recorded;
  absl::Status s;
  auto live = OpenGeneration(number, /*fresh=*/true);
  if (live.ok()) {
    absl::MutexLock lock(&mu_);
    if (started_ && !stopped_) s = (*live)->consumer->Start();
  } else {
    s = live.status();
  }
  if (!s.ok()) {
    // Nothing was built: forget it, so that a rebuild can be asked again.
    absl::Status undo = store::ForgetGeneration(rt_.db(), number);
    if (!undo.ok()) kpo::log::Error("cannot forget a failed rebuild", {{"error", undo.ToString()}});
    return s;
  }
  {
    absl::MutexLock lock(&mu_);
    building_ = *live;
  }
  kpo::log::Info("projection rebuild started", {{"generation", number}});
  return Describe(store::GenerationRow{number, "building", now, std::nullopt, std::nullopt}, *live);
}

absl::StatusOr<bool> Generations::SwitchIfCaughtUp() {
  absl::MutexLock change(&change_mu_);
  std::shared_ptr<Live> serving, building;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_ || !started_ || !building_) return false;
    serving = serving_;
    building = building_;
  }
  if (building->consumer->stats().lag != 0) return false;
  auto positions =
      [](const Live& live) -> absl::StatusOr<std::vector<kpo::events::ConsumerPosition>> {
    std::vector<kpo::events::ConsumerPosition> out;
    absl::Status s = live.db->Read([&](Transaction& tx) -> absl::Status {
      auto read = kpo::events::ReadPositions(tx, live.consumer_name);
      if (!read.ok()) return read.status();
      out = *std::move(read);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return out;
  };
  auto old_positions = positions(*serving);
  if (!old_positions.ok()) return old_positions.status();
  // Past a record = applied it, or consumed beyond it (records it skips carry no
  // position; a partition whose last records it skips is past them all the same).
  auto new_positions = positions(*building);
  if (!new_positions.ok()) return new_positions.status();
  std::map<std::pair<std::string, int32_t>, int64_t> next = building->consumer->ConsumedOffsets();
  for (const auto& p : *new_positions) {
    int64_t& n = next[{p.topic, p.partition}];
    n = std::max(n, p.last_offset + 1);
  }
  for (const auto& p : *old_positions) {
    const auto it = next.find({p.topic, p.partition});
    if (it == next.end() || it->second <= p.last_offset) return false;
  }

  const int64_t now = absl::ToUnixMicros(rt_.clock().Now());
  if (absl::Status s = store::RecordSwitch(rt_.db(), serving->number, building->number, now);
      !s.ok()) {
    return s;
  }
  {
    absl::MutexLock lock(&mu_);
    serving_ = building;
    building_ = nullptr;
  }
  serving->consumer->Stop();
  kpo::log::Info("projection generation switched",
                 {{"serving", building->number}, {"retired", serving->number}});
  if (serving->number == 0) {
    if (absl::Status c = store::ClearGenerationZero(*serving->db, ProjectionTables()); !c.ok()) {
      kpo::log::Warn("cannot delete generation 0's projections; deleted at the next start",
                     {{"error", c.ToString()}});
    }
  } else {
    serving->doomed->store(true);
  }
  return true;
}

absl::StatusOr<pb::ProjectionGeneration> Generations::Describe(
    const store::GenerationRow& row, const std::shared_ptr<Live>& live) const {
  pb::ProjectionGeneration out;
  out.set_name(absl::StrCat("projectionGenerations/", row.number));
  out.set_number(row.number);
  out.set_state(row.state == "building"  ? pb::ProjectionGeneration::STATE_BUILDING
                : row.state == "serving" ? pb::ProjectionGeneration::STATE_SERVING
                                         : pb::ProjectionGeneration::STATE_RETIRED);
  *out.mutable_create_time() = ToTimestamp(row.create_us);
  if (row.switch_us) *out.mutable_switch_time() = ToTimestamp(*row.switch_us);
  if (row.retire_us) *out.mutable_retire_time() = ToTimestamp(*row.retire_us);
  if (live && out.state() != pb::ProjectionGeneration::STATE_RETIRED) {
    out.set_records_applied(live->consumer->stats().processed);
    absl::Status s = live->db->Read(
        [&](Transaction& tx) { return ReadFreshness(tx, *live, *out.mutable_progress()); });
    if (!s.ok()) return s;
  }
  return out;
}

absl::StatusOr<std::vector<pb::ProjectionGeneration>> Generations::List() const {
  std::shared_ptr<Live> serving, building;
  {
    absl::MutexLock lock(&mu_);
    serving = serving_;
    building = building_;
  }
  auto rows = store::ReadGenerations(rt_.db());
  if (!rows.ok()) return rows.status();
  std::vector<pb::ProjectionGeneration> out;
  for (const store::GenerationRow& row : *rows) {
    std::shared_ptr<Live> live = serving && serving->number == row.number     ? serving
                                 : building && building->number == row.number ? building
                                                                              : nullptr;
    auto g = Describe(row, live);
    if (!g.ok()) return g.status();
    out.push_back(*std::move(g));
  }
  return out;
}

}  // namespace kpo::reporting
