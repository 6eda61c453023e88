#pragma once

// Keyset pagination of every List method (AIP-158), the application side: the page
// size rule and the sealed token that says where the next page starts. Lists are
// ordered by (sort key, resource name); the sort key is an integer (a date key, 0 when
// a list is ordered by name alone). The SQL side is kpo/storage/keyset.h.
// Pure functions over an immutable codec; thread-safe.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "kpo/core/page_token.h"

namespace kpo::core {

struct PageOptions {
  // page_size 0 means this many.
  int default_size = 50;
  // Larger page sizes are lowered to this (AIP-158: not an error).
  int max_size = 1000;
};

// Where a page starts: after the row with this (key, name).
struct PagePosition {
  int64_t key = 0;
  std::string name;
};

// One page asked for: how many rows, from where, and the scope its tokens are bound
// to (the organization, the collection and every filter: a token is refused by a
// request with other filters).
struct PageRequest {
  int limit = 0;
  std::optional<PagePosition> after;
  std::string scope;
};

// INVALID_ARGUMENT naming "page_size" (negative) or "page_token" (malformed, tampered
// with, or issued for another scope).
absl::StatusOr<PageRequest> OpenPage(const PageTokenCodec& codec, const PageOptions& options,
                                     int32_t page_size, absl::string_view page_token,
                                     std::string scope);

// The token of the page after `last`, the last row returned.
std::string NextPageToken(const PageTokenCodec& codec, const PageRequest& page,
                          const PagePosition& last);

}  // namespace kpo::core
