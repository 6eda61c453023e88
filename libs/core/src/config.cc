#include "kpo/core/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kpo::core {
namespace {

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

absl::Status Flatten(const YAML::Node& node, const std::string& prefix,
                     std::map<std::string, std::string>& scalars,
                     std::map<std::string, std::vector<std::string>>& lists) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "config: ", prefix.empty() ? "the top level" : prefix, ": keys must be plain names"));
      }
      const std::string k = kv.first.as<std::string>();
      absl::Status s =
          Flatten(kv.second, prefix.empty() ? k : absl::StrCat(prefix, ".", k), scalars, lists);
      if (!s.ok()) return s;
    }
  } else if (node.IsSequence()) {
    std::vector<std::string> items;
    for (const auto& item : node) {
      if (!item.IsScalar()) {
        return absl::InvalidArgumentError(
            absl::StrCat("config: ", prefix, ": lists may only hold plain values"));
      }
      items.push_back(item.as<std::string>());
    }
    lists[prefix] = std::move(items);
  } else if (node.IsScalar()) {
    scalars[prefix] = node.as<std::string>();
  } else if (node.IsNull() && !prefix.empty()) {
    scalars[prefix] = "";
  }
  return absl::OkStatus();
}

}  // namespace

std::string Config::EnvName(const std::string& key) {
  std::string out = "KPO_";
  for (char c : key) {
    out.push_back(c == '.' || c == '-'
                      ? '_'
                      : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

absl::StatusOr<Config> Config::FromYaml(const std::string& yaml, EnvLookup env) {
  Config config;
  config.env_ = env ? std::move(env) : EnvLookup(ProcessEnv);
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config: malformed YAML: ", e.what()));
  }
  if (!root.IsNull() && !root.IsMap()) {
    return absl::InvalidArgumentError("config: the top level must be a map of keys");
  }
  std::map<std::string, std::string> scalars;
  std::map<std::string, std::vector<std::string>> lists;
  try {
    if (absl::Status s = Flatten(root, "", scalars, lists); !s.ok()) return s;
  } catch (const YAML::Exception& e) {  // a value yaml-cpp cannot read as text
    return absl::InvalidArgumentError(absl::StrCat("config: malformed YAML: ", e.what()));
  }
  for (auto& [k, v] : scalars) config.file_values_[k] = Value{v, {}, false, "file"};
  for (auto& [k, v] : lists) config.file_values_[k] = Value{"", v, true, "file"};
  return config;
}

absl::StatusOr<Config> Config::Load(const std::string& path, EnvLookup env) {
  if (path.empty()) return FromYaml("", std::move(env));
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("config: cannot read file ", path));
  std::stringstream text;
  text << in.rdbuf();
  auto config = FromYaml(text.str(), std::move(env));
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

std::optional<Config::Value> Config::Lookup(const std::string& key) {
  asked_.insert(key);
  const std::string env_name = EnvName(key);
  if (auto v = env_(env_name)) return Value{*v, {}, false, env_name};
  auto it = file_values_.find(key);
  if (it == file_values_.end()) return std::nullopt;
  return it->second;
}

void Config::Invalid(const std::string& key, const std::string& problem) {
  const std::string env_name = EnvName(key);
  const bool from_env = env_(env_name).has_value();
  errors_.push_back(
      absl::StrCat("config: ", key, " (", from_env ? env_name : "file or default", "): ", problem));
}

std::string Config::String(const std::string& key, const std::string& default_value) {
  auto v = Lookup(key);
  if (!v) return default_value;
  if (v->is_list) {
    Invalid(key, "expected a single value, got a list");
    return default_value;
  }
  return v->scalar;
}

std::string Config::RequiredString(const std::string& key) {
  std::string v = String(key, "");
  if (v.empty()) Invalid(key, "is required");
  return v;
}

int64_t Config::Int(const std::string& key, int64_t default_value, int64_t min, int64_t max) {
  auto v = Lookup(key);
  if (!v) return default_value;
  int64_t out = 0;
  if (v->is_list || !absl::SimpleAtoi(v->scalar, &out)) {
    Invalid(key, absl::StrCat("expected an integer, got '", v->scalar, "'"));
    return default_value;
  }
  if (out < min || out > max) {
    Invalid(key, absl::StrCat("must be between ", min, " and ", max, ", got ", out));
    return default_value;
  }
  return out;
}

bool Config::Bool(const std::string& key, bool default_value) {
  auto v = Lookup(key);
  if (!v) return default_value;
  bool out = false;
  if (v->is_list || !absl::SimpleAtob(v->scalar, &out)) {
    Invalid(key, absl::StrCat("expected true or false, got '", v->scalar, "'"));
    return default_value;
  }
  return out;
}

absl::Duration Config::Duration(const std::string& key, absl::Duration default_value) {
  auto v = Lookup(key);
  if (!v) return default_value;
  absl::Duration out;
  if (v->is_list || !absl::ParseDuration(v->scalar, &out) || out < absl::ZeroDuration()) {
    Invalid(key,
            absl::StrCat("expected a duration such as 500ms, 5s or 2h, got '", v->scalar, "'"));
    return default_value;
  }
  return out;
}

std::vector<std::string> Config::StringList(const std::string& key,
                                            const std::vector<std::string>& default_value) {
  auto v = Lookup(key);
  if (!v) return default_value;
  if (v->is_list) return v->list;
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(v->scalar, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

absl::Status Config::CheckValues() const {
  if (!errors_.empty()) return absl::InvalidArgumentError(errors_.front());
  return absl::OkStatus();
}

absl::Status Config::Finish() const {
  if (absl::Status s = CheckValues(); !s.ok()) return s;
  for (const auto& [k, v] : file_values_) {
    if (!asked_.contains(k)) {
      return absl::InvalidArgumentError(
          absl::StrCat("config: ", k, " (file): unknown key; check its spelling"));
    }
  }
  return absl::OkStatus();
}

}  // namespace kpo::core
