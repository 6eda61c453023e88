#pragma once

// A generation: one complete set of reporting's projections (a database built by one
// consumer group), as queries see it. Every query takes the serving generation once and
// reads only it, so a rebuild's switch (generations.h) is atomic for each answer: it is
// computed wholly from the old generation or wholly from the new one, and the cache keys
// it uses carry the generation's number.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "freshness.h"
#include "kpo/storage/database.h"

namespace kpo::reporting {

struct Generation {
  virtual ~Generation() = default;
  int64_t number = 0;
  std::shared_ptr<kpo::storage::Database> db;
  // Whose positions are the answers' freshness (the consumer group's inbox key).
  std::string consumer_name;
  // The consumer's lag; may be empty (0).
  std::function<int64_t()> pending_records;
  // The last positions its answers reported (freshness.h).
  std::shared_ptr<FreshnessCache> freshness = std::make_shared<FreshnessCache>();
};

// The freshness of an answer read from generation `g` in `tx`.
absl::Status ReadFreshness(kpo::storage::Transaction& tx, const Generation& g,
                           kpo::reporting::v1::Freshness& out);

// The generation serving now; thread-safe.
using ServingGeneration = std::function<std::shared_ptr<const Generation>()>;

// Always generation 0 over `db` (which must outlive every use): the projections of a
// service that never rebuilt, tests and tools.
ServingGeneration FixedGeneration(kpo::storage::Database& db, std::string consumer_name,
                                  std::function<int64_t()> pending_records);

}  // namespace kpo::reporting
