#pragma once

// Every SQL statement of the people service's directory, over the narrow Database
// interface (the SQLite/PostgreSQL common subset). One table holds every directory
// resource (decision 0002); index and unique tables serve filters and unique keys.
// Every method names its organization. Stateless: call within the caller's transaction.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "kpo/storage/database.h"
#include "kpo/storage/keyset.h"

namespace kpo::people::store {

using kpo::storage::Transaction;
using Entries = std::vector<std::pair<std::string, std::string>>;  // (key, value)

struct Row {
  int64_t revision = 0;
  bool active = false;
  std::string data;  // the serialized resource
  int64_t create_us = 0;
};

absl::StatusOr<std::optional<Row>> Load(Transaction& tx, const std::string& org,
                                        const std::string& kind, const std::string& name);
absl::Status Insert(Transaction& tx, const std::string& org, const std::string& kind,
                    const std::string& name, const std::string& parent, const std::string& data,
                    int64_t revision, bool active, int64_t create_us, int64_t update_us);
absl::Status Update(Transaction& tx, const std::string& org, const std::string& kind,
                    const std::string& name, const std::string& data, int64_t revision, bool active,
                    int64_t update_us);

// The filter entries of a resource that has none yet (a create); empty values are
// skipped.
absl::Status InsertIndex(Transaction& tx, const std::string& org, const std::string& kind,
                         const std::string& name, const Entries& entries);
// Replaces the filter entries of `name` (empty values are skipped).
absl::Status ReplaceIndex(Transaction& tx, const std::string& org, const std::string& kind,
                          const std::string& name, const Entries& entries);
// Unique keys: drop a resource's values; claim one for `name`: nullopt when claimed,
// else the name of the resource already holding it (then nothing is written). One
// INSERT when the value is free, the usual case; the holder is read only on conflict.
absl::Status ClearUnique(Transaction& tx, const std::string& org, const std::string& kind,
                         const std::string& name);
absl::StatusOr<std::optional<std::string>> ClaimUnique(Transaction& tx, const std::string& org,
                                                       const std::string& kind,
                                                       const std::string& key,
                                                       const std::string& value,
                                                       const std::string& name);

struct ListQuery {
  std::string kind;
  std::string parent;  // empty: any parent
  bool show_inactive = false;
  Entries filters;  // every entry must be in the resource's index
};
// One keyset page of (name, data) ordered by name (the page's sort column is ignored).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> List(
    Transaction& tx, const std::string& org, const ListQuery& query, kpo::storage::KeysetPage page);

// Active resources of `kind` whose index holds (key, value), ordered by name.
absl::StatusOr<std::vector<std::pair<std::string, Row>>> ActiveWithEntry(Transaction& tx,
                                                                         const std::string& org,
                                                                         const std::string& kind,
                                                                         const std::string& key,
                                                                         const std::string& value);
// Active children of `kind` under `parent`.
absl::StatusOr<int64_t> CountActiveChildren(Transaction& tx, const std::string& org,
                                            const std::string& kind, const std::string& parent);

}  // namespace kpo::people::store
