#include "kpo/core/enums.h"

#include <cctype>

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

std::string EntryKey(const google::protobuf::Message& entry) {
  using google::protobuf::FieldDescriptor;
  const FieldDescriptor* f = entry.GetDescriptor()->field(0);
  const auto* r = entry.GetReflection();
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
    // CertificationLevel -> "CERTIFICATION_LEVEL_".
    std::string prefix;
    for (char c : f->enum_type()->name()) {
      if (std::isupper(static_cast<unsigned char>(c)) && !prefix.empty()) prefix += '_';
      prefix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    prefix += '_';
    const std::string name = r->GetEnum(entry, f)->name();
    return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
  }
  if (f->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return "";
  const std::string key = r->GetString(entry, f);
  return key.empty() ? "none" : key;
}

}  // namespace kpo::core
