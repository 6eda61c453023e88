#include "kpo/core/update_mask.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/field_mask_util.h"

namespace kpo::core {

google::protobuf::FieldMask EffectiveMask(const google::protobuf::FieldMask& mask,
                                          const std::set<std::string>& updatable) {
  if (!mask.paths().empty()) return mask;
  google::protobuf::FieldMask all;
  for (const auto& path : updatable) all.add_paths(path);
  return all;
}

void CheckUpdateMask(const google::protobuf::FieldMask& mask,
                     const google::protobuf::Descriptor* resource,
                     const std::set<std::string>& updatable, absl::string_view refusal,
                     FieldViolations& v) {
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& path = mask.paths(i);
    std::vector<const google::protobuf::FieldDescriptor*> fields;
    bool allowed =
        google::protobuf::util::FieldMaskUtil::GetFieldDescriptors(resource, path, &fields);
    if (allowed) {
      // The path itself, or one of its parents ("charter" for "charter.sponsor").
      allowed = false;
      for (std::string prefix = path;;) {
        if (updatable.contains(prefix)) {
          allowed = true;
          break;
        }
        const size_t dot = prefix.rfind('.');
        if (dot == std::string::npos) break;
        prefix.resize(dot);
      }
    }
    if (!allowed) {
      v.Add(
          absl::StrCat("update_mask.paths[", i, "]"),
          absl::StrCat("'", path, "' ", refusal, "; updatable: ", absl::StrJoin(updatable, ", ")));
    }
  }
}

}  // namespace kpo::core
