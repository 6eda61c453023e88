#include "generation_store.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace kpo::reporting::store {

using kpo::storage::Transaction;

const std::vector<kpo::storage::Migration>& GenerationMigrations() {
  static const auto* const kMigrations =
      new std::vector<kpo::storage::Migration>{{1, "projection_generations",
                                                "CREATE TABLE projection_generations (\n"
                                                "  number INTEGER PRIMARY KEY,\n"
                                                "  state TEXT NOT NULL,\n"
                                                "  create_time_us INTEGER NOT NULL,\n"
                                                "  switch_time_us INTEGER,\n"
                                                "  retire_time_us INTEGER\n"
                                                ")"}};
  return *kMigrations;
}

absl::StatusOr<std::vector<GenerationRow>> ReadGenerations(kpo::storage::Database& db) {
  std::vector<GenerationRow> out;
  absl::Status s = db.Read([&](Transaction& tx) -> absl::Status {
    auto rows = tx.Query(
        "SELECT number, state, create_time_us, switch_time_us, retire_time_us FROM "
        "projection_generations ORDER BY number DESC");
    if (!rows.ok()) return rows.status();
    for (const auto& r : *rows) {
      GenerationRow row{r.Int(0), r.Text(1), r.Int(2), std::nullopt, std::nullopt};
      if (!r.IsNull(3)) row.switch_us = r.Int(3);
      if (!r.IsNull(4)) row.retire_us = r.Int(4);
      out.push_back(std::move(row));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status RecordFirstGeneration(kpo::storage::Database& db, int64_t now_us) {
  return db.Write([&](Transaction& tx) {
    return tx
        .Exec(
            "INSERT INTO projection_generations (number, state, create_time_us) VALUES (0, "
            "'serving', ?)",
            {now_us})
        .status();
  });
}

absl::StatusOr<int64_t> RecordBuilding(kpo::storage::Database& db, int64_t now_us) {
  int64_t number = 0;
  absl::Status s = db.Write([&](Transaction& tx) -> absl::Status {
    auto rows = tx.Query("SELECT COALESCE(MAX(number), 0) + 1 FROM projection_generations");
    if (!rows.ok()) return rows.status();
    number = (*rows)[0].Int(0);
    return tx
        .Exec(
            "INSERT INTO projection_generations (number, state, create_time_us) VALUES (?, "
            "'building', ?)",
            {number, now_us})
        .status();
  });
  if (!s.ok()) return s;
  return number;
}

absl::Status ForgetGeneration(kpo::storage::Database& db, int64_t number) {
  return db.Write([&](Transaction& tx) {
    return tx.Exec("DELETE FROM projection_generations WHERE number = ?", {number}).status();
  });
}

absl::Status RecordSwitch(kpo::storage::Database& db, int64_t serving, int64_t building,
                          int64_t now_us) {
  return db.Write([&](Transaction& tx) -> absl::Status {
    if (auto r =
            tx.Exec("UPDATE projection_generations SET state = 'retired', retire_time_us = ? WHERE "
                    "number = ?",
                    {now_us, serving});
        !r.ok()) {
      return r.status();
    }
    return tx
        .Exec(
            "UPDATE projection_generations SET state = 'serving', switch_time_us = ? WHERE "
            "number = ?",
            {now_us, building})
        .status();
  });
}

absl::Status ClearGenerationZero(kpo::storage::Database& db, std::vector<std::string> tables) {
  for (const char* table :
       {"directory_replica", "replica_people", "replica_coaching", "inbox", "consumer_positions"}) {
    tables.emplace_back(table);
  }
  return db.Write([&](Transaction& tx) -> absl::Status {
    for (const std::string& table : tables) {
      if (auto s = tx.Exec(absl::StrCat("DELETE FROM ", table)); !s.ok()) return s.status();
    }
    return absl::OkStatus();
  });
}

}  // namespace kpo::reporting::store
