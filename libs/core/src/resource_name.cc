#include "kpo/core/resource_name.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "kpo/core/ids.h"

namespace kpo::core {

bool IsValidOrganizationId(absl::string_view id) {
  return id.size() >= 3 && id.size() <= 40 && id.front() >= 'a' && id.front() <= 'z' &&
         IsValidResourceId(id);
}

std::optional<std::vector<std::string>> ParseName(absl::string_view name, Collections collections,
                                                  LastId last) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != collections.size() * 2) return std::nullopt;
  std::vector<std::string> ids;
  size_t i = 0;
  for (absl::string_view collection : collections) {
    const absl::string_view id = parts[2 * i + 1];
    const bool all = last == LastId::kOrAll && i > 0 && i + 1 == collections.size() && id == "-";
    const bool valid = i == 0 ? IsValidOrganizationId(id) : (all || IsValidResourceId(id));
    if (parts[2 * i] != collection || !valid) return std::nullopt;
    ids.emplace_back(id);
    ++i;
  }
  return ids;
}

namespace {

// "sites" -> "site", "people" -> "person", "kaizenEvents" -> "kaizenEvent".
std::string Singular(absl::string_view collection) {
  if (collection == "people") return "person";
  if (absl::EndsWith(collection, "s"))
    return std::string(collection.substr(0, collection.size() - 1));
  return std::string(collection);
}

}  // namespace

std::string NamePattern(Collections collections, LastId last) {
  std::string out;
  for (absl::string_view collection : collections) {
    absl::StrAppend(&out, out.empty() ? "" : "/", collection, "/{", Singular(collection), "}");
  }
  if (last == LastId::kOrAll) {
    absl::StrAppend(&out, " (or ", collections.end()[-1], "/- for all of them)");
  }
  return out;
}

}  // namespace kpo::core
