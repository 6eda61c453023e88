#include "generation.h"

#include <utility>

namespace kpo::reporting {

ServingGeneration FixedGeneration(kpo::storage::Database& db, std::string consumer_name,
                                  std::function<int64_t()> pending_records) {
  auto g = std::make_shared<Generation>();
  g->db = std::shared_ptr<kpo::storage::Database>(std::shared_ptr<void>(), &db);
  g->consumer_name = std::move(consumer_name);
  g->pending_records = std::move(pending_records);
  std::shared_ptr<const Generation> fixed = std::move(g);
  return [fixed] { return fixed; };
}

absl::Status ReadFreshness(kpo::storage::Transaction& tx, const Generation& g,
                           kpo::reporting::v1::Freshness& out) {
  return g.freshness->Read(tx, g.consumer_name, g.pending_records, out);
}

}  // namespace kpo::reporting
