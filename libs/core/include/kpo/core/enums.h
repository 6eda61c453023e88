#pragma once

// Enum fields of requests: a value the client left unset and a value that is not one
// of the enum's (an old or a confused client sending 42) get different answers.
// Pure, thread-safe.

#include <string>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "kpo/core/errors.h"

namespace kpo::core {

// Adds a violation of `field` when `value` is 0 (`*_UNSPECIFIED`) and `required` —
// "is required: one of A, B, C" — or when it is not a value of `type` — "42 is not one
// of the allowed values: A, B, C". Returns true when the value is acceptable.
bool CheckEnum(const google::protobuf::EnumDescriptor* type, int value, const std::string& field,
               bool required, FieldViolations& v);

// The enum's values other than the unspecified zero, "A, B, C".
std::string AllowedValues(const google::protobuf::EnumDescriptor* type);

// The key of an entry of a repeated message (a report's per-level or per-currency
// figures): its first field — an enum's value without the enum's prefix
// (CERTIFICATION_LEVEL_GOLD -> GOLD), a string as it is, "none" when empty.
std::string EntryKey(const google::protobuf::Message& entry);

}  // namespace kpo::core
