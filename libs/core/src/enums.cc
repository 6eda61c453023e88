#include "kpo/core/enums.h"

#include "absl/strings/str_cat.h"

namespace kpo::core {

std::string AllowedValues(const google::protobuf::EnumDescriptor* type) {
  std::string out;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() == 0) continue;
    absl::StrAppend(&out, out.empty() ? "" : ", ", type->value(i)->name());
  }
  return out;
}

bool CheckEnum(const google::protobuf::EnumDescriptor* type, int value, const std::string& field,
               bool required, FieldViolations& v) {
  if (type->FindValueByNumber(value) == nullptr) {
    v.Add(field, absl::StrCat(value, " is not one of the allowed values: ", AllowedValues(type)));
    return false;
  }
  if (value == 0 && required) {
    v.Add(field, absl::StrCat("is required: one of ", AllowedValues(type)));
    return false;
  }
  return true;
}

}  // namespace kpo::core
