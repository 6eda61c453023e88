#pragma once

// The record of reporting's generations (projection_generations, in the service's own
// database) and the deletion of a retired generation 0's projections. See generations.h.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/storage/database.h"

namespace kpo::reporting::store {

// Migrations of component "reporting-generations" (the service's database only).
const std::vector<kpo::storage::Migration>& GenerationMigrations();

struct GenerationRow {
  int64_t number = 0;
  std::string state;  // building, serving, retired
  int64_t create_us = 0;
  std::optional<int64_t> switch_us, retire_us;
};

// Every generation, newest first.
absl::StatusOr<std::vector<GenerationRow>> ReadGenerations(kpo::storage::Database& db);
// Records generation 0 serving (the first start).
absl::Status RecordFirstGeneration(kpo::storage::Database& db, int64_t now_us);
// Records the next number as building and returns it.
absl::StatusOr<int64_t> RecordBuilding(kpo::storage::Database& db, int64_t now_us);
// Forgets a generation (a rebuild that could not start).
absl::Status ForgetGeneration(kpo::storage::Database& db, int64_t number);
// Records `serving` retired and `building` serving, in one transaction.
absl::Status RecordSwitch(kpo::storage::Database& db, int64_t serving, int64_t building,
                          int64_t now_us);

// Empties generation 0's projections (`tables`), directory replica, inbox and positions in
// the service's database (generation 0's consumer is the only one that writes there).
absl::Status ClearGenerationZero(kpo::storage::Database& db, std::vector<std::string> tables);

}  // namespace kpo::reporting::store
