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

// Kept in the service's own database (not a generation's).
const std::vector<kpo::storage::Migration>& GenerationMigrations() {
  static const auto* const kMigrations = new std::vector<kpo::storage::Migration>{
      {1, "projection_generations",
       "CREATE TABLE projection_generations (\n"
       "  number INTEGER PRIMARY KEY,\n"
       "  state TEXT NOT NULL,\n"  // building, serving, retired
       "  create_time_us INTEGER NOT NULL,\n"
       "  switch_time_us INTEGER,\n"
       "  retire_time_us INTEGER\n"
       ")"}};
  return *kMigrations;
}

std::string Suffix(int64_t number) { return number == 0 ? "" : absl::StrCat(".g", number); }

void RemoveFiles(const std::string& path) {
  for (const char* tail : {"", "-wal", "-shm", "-journal"}) {
    const std::string file = path + tail;
    std::remove(file.c_str());
  }
}

google::protobuf::Timestamp ToTimestamp(int64_t micros) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

struct Row {
  int64_t number = 0;
  std::string state;
  int64_t create_us = 0;
  std::optional<int64_t> switch_us, retire_us;
};

absl::StatusOr<std::vector<Row>> ReadRows(kpo::storage::Database& db) {
  std::vector<Row> out;
  absl::Status s = db.Read([&](Transaction& tx) -> absl::Status {
    auto rows = tx.Query(
        "SELECT number, state, create_time_us, switch_time_us, retire_time_us FROM "
        "projection_generations ORDER BY number DESC");
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      Row row{r.Int(0), r.Text(1), r.Int(2), std::nullopt, std::nullopt};
      if (!r.IsNull(3)) row.switch_us = r.Int(3);
      if (!r.IsNull(4)) row.retire_us = r.Int(4);
      out.push_back(std::move(row));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

// Deletes generation 0's projections, replica, inbox and positions from the service's
// database once a newer generation serves (queries still reading it see their snapshot).
// Generation 0's consumer is the only one that writes there.
absl::Status ClearGenerationZero(kpo::storage::Database& db) {
  return db.Write([&](Transaction& tx) -> absl::Status {
    std::vector<std::string> tables = ProjectionTables();
    for (const char* replica : {"directory_replica", "replica_people", "replica_coaching"}) {
      tables.emplace_back(replica);
    }
    tables.emplace_back("inbox");
    tables.emplace_back("consumer_positions");
    for (const std::string& table : tables) {
      if (auto s = tx.Exec(absl::StrCat("DELETE FROM ", table)); !s.ok()) return s.status();
    }
    return absl::OkStatus();
  });
}

}  // namespace

Generations::Generations(kpo::runtime::ServiceRuntime& rt, Register register_handlers)
    : rt_(rt), register_(std::move(register_handlers)) {}

Generations::~Generations() { Stop(); }

absl::StatusOr<std::unique_ptr<Generations>> Generations::Open(kpo::runtime::ServiceRuntime& rt,
                                                               Register register_handlers) {
  if (absl::Status s = rt.db().Migrate("reporting-generations", GenerationMigrations()); !s.ok()) {
    return s;
  }
  std::unique_ptr<Generations> g(new Generations(rt, std::move(register_handlers)));
  auto rows = ReadRows(rt.db());
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    const int64_t now = absl::ToUnixMicros(rt.clock().Now());
    absl::Status s = rt.db().Write([&](Transaction& tx) {
      return tx
          .Exec(
              "INSERT INTO projection_generations (number, state, create_time_us, "
              "switch_time_us) VALUES (0, 'serving', ?, NULL)",
              {now})
          .status();
    });
    if (!s.ok()) return s;
    rows->push_back(Row{0, "serving", now, std::nullopt, std::nullopt});
  }
  std::optional<int64_t> serving, building;
  for (const Row& row : *rows) {
    if (row.state == "serving") serving = row.number;
    if (row.state == "building") building = row.number;
    if (row.state == "retired") {
      // What a stop before the deletion left.
      if (row.number == 0) {
        if (absl::Status s = ClearGenerationZero(rt.db()); !s.ok()) return s;
      } else {
        RemoveFiles(rt.DatabasePath(Suffix(row.number)));
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
    const std::string path = rt_.DatabasePath(Suffix(number));
    if (fresh) RemoveFiles(path);
    auto opened = rt_.OpenDatabase(Suffix(number));
    if (!opened.ok()) return opened.status();
    std::shared_ptr<kpo::storage::Database> db = *std::move(opened);
    kpo::storage::Database* raw = db.get();
    live->db = std::shared_ptr<kpo::storage::Database>(
        raw, [db = std::move(db), doomed = live->doomed, path](kpo::storage::Database*) mutable {
          db.reset();
          if (doomed->load()) RemoveFiles(path);
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
  int64_t number = 0;
  const int64_t now = absl::ToUnixMicros(rt_.clock().Now());
  absl::Status s = rt_.db().Write([&](Transaction& tx) -> absl::Status {
    auto rows = tx.Query("SELECT COALESCE(MAX(number), 0) + 1 FROM projection_generations");
    if (!rows.ok()) return rows.status();
    number = (*rows)[0].Int(0);
    return tx
        .Exec(
            "INSERT INTO projection_generations (number, state, create_time_us) VALUES (?, "
            "'building', ?)",
            {number, now})
        .status();
  });
  if (!s.ok()) return s;
  auto live = OpenGeneration(number, /*fresh=*/true);
  if (live.ok()) {
    absl::MutexLock lock(&mu_);
    if (started_ && !stopped_) s = (*live)->consumer->Start();
  } else {
    s = live.status();
  }
  if (!s.ok()) {
    // Nothing was built: forget it, so that a rebuild can be asked again.
    absl::Status undo = rt_.db().Write([&](Transaction& tx) {
      return tx.Exec("DELETE FROM projection_generations WHERE number = ?", {number}).status();
    });
    if (!undo.ok()) kpo::log::Error("cannot forget a failed rebuild", {{"error", undo.ToString()}});
    return s;
  }
  {
    absl::MutexLock lock(&mu_);
    building_ = *live;
  }
  kpo::log::Info("projection rebuild started", {{"generation", number}});
  return Describe(number, *live);
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
  absl::Status s = rt_.db().Write([&](Transaction& tx) -> absl::Status {
    if (auto r =
            tx.Exec("UPDATE projection_generations SET state = 'retired', retire_time_us = ? WHERE "
                    "number = ?",
                    {now, serving->number});
        !r.ok()) {
      return r.status();
    }
    return tx
        .Exec(
            "UPDATE projection_generations SET state = 'serving', switch_time_us = ? WHERE "
            "number = ?",
            {now, building->number})
        .status();
  });
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    serving_ = building;
    building_ = nullptr;
  }
  serving->consumer->Stop();
  kpo::log::Info("projection generation switched",
                 {{"serving", building->number}, {"retired", serving->number}});
  if (serving->number == 0) {
    if (absl::Status c = ClearGenerationZero(*serving->db); !c.ok()) {
      kpo::log::Warn("cannot delete generation 0's projections; deleted at the next start",
                     {{"error", c.ToString()}});
    }
  } else {
    serving->doomed->store(true);
  }
  return true;
}

absl::StatusOr<pb::ProjectionGeneration> Generations::Describe(
    int64_t number, const std::shared_ptr<Live>& live) const {
  auto rows = ReadRows(rt_.db());
  if (!rows.ok()) return rows.status();
  pb::ProjectionGeneration out;
  for (const Row& row : *rows) {
    if (row.number != number) continue;
    out.set_name(absl::StrCat("projectionGenerations/", number));
    out.set_number(number);
    out.set_state(row.state == "building"  ? pb::ProjectionGeneration::STATE_BUILDING
                  : row.state == "serving" ? pb::ProjectionGeneration::STATE_SERVING
                                           : pb::ProjectionGeneration::STATE_RETIRED);
    *out.mutable_create_time() = ToTimestamp(row.create_us);
    if (row.switch_us) *out.mutable_switch_time() = ToTimestamp(*row.switch_us);
    if (row.retire_us) *out.mutable_retire_time() = ToTimestamp(*row.retire_us);
  }
  if (live && out.state() != pb::ProjectionGeneration::STATE_RETIRED) {
    out.set_records_applied(live->consumer->stats().processed);
    absl::Status s = live->db->Read([&](Transaction& tx) {
      return ReadFreshness(tx, live->consumer_name, live->pending_records, *out.mutable_progress());
    });
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
  auto rows = ReadRows(rt_.db());
  if (!rows.ok()) return rows.status();
  std::vector<pb::ProjectionGeneration> out;
  for (const Row& row : *rows) {
    std::shared_ptr<Live> live = serving && serving->number == row.number     ? serving
                                 : building && building->number == row.number ? building
                                                                              : nullptr;
    auto g = Describe(row.number, live);
    if (!g.ok()) return g.status();
    out.push_back(*std::move(g));
  }
  return out;
}

}  // namespace kpo::reporting
