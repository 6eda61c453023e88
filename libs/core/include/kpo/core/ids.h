#pragma once

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace kpo::core {

// Returns a new RFC 9562 UUID version 7 (time-ordered, 74 random bits) in its canonical
// lower-case text form. Thread-safe. Used for event ids and generated resource ids.
std::string NewUuid();

// True if `id` is a valid resource id segment: 1-63 characters of [a-z0-9-], starting
// with a letter or digit and not ending with '-'. Generated ids (UUIDs) satisfy it.
bool IsValidResourceId(absl::string_view id);

}  // namespace kpo::core
