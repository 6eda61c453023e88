#pragma once

// AIP-134 update masks, checked the same way by every service.

#include <set>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/field_mask.pb.h"
#include "kpo/core/errors.h"

namespace kpo::core {

// The mask to apply: `mask` itself, or every updatable path when it is empty.
google::protobuf::FieldMask EffectiveMask(const google::protobuf::FieldMask& mask,
                                          const std::set<std::string>& updatable);

// Adds a violation "update_mask.paths[i]" for every path that does not name a field of
// `resource`, or that is not updatable: neither it nor a parent path ("charter" for
// "charter.sponsor") is in `updatable`. `refusal` completes "'<path>' ..." (e.g.
// "cannot be updated"); the message then lists the updatable paths.
void CheckUpdateMask(const google::protobuf::FieldMask& mask,
                     const google::protobuf::Descriptor* resource,
                     const std::set<std::string>& updatable, absl::string_view refusal,
                     FieldViolations& v);

}  // namespace kpo::core
