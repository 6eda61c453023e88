#pragma once

// Configuration: a YAML file of nested maps, overridden key by key by environment
// variables. The key "kafka.bootstrap_servers" is overridden by
// KPO_KAFKA_BOOTSTRAP_SERVERS. Typed getters record every problem; Finish() then
// reports the first one as a single clear line, and also refuses keys in the file that
// nothing asked for (typos). Only main.cc and one wiring file per binary use this;
// libraries take plain option structs. Not thread-safe; use during start-up.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kpo::core {

class Config {
 public:
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

  // Reads `path` (may be empty: environment and defaults only). Fails on an unreadable
  // or malformed file. `env` defaults to the process environment.
  static absl::StatusOr<Config> Load(const std::string& path, EnvLookup env = nullptr);
  // From YAML text; for tests.
  static absl::StatusOr<Config> FromYaml(const std::string& yaml, EnvLookup env = nullptr);

  std::string String(const std::string& key, const std::string& default_value);
  // Records an error if the key is absent or empty.
  std::string RequiredString(const std::string& key);
  int64_t Int(const std::string& key, int64_t default_value, int64_t min, int64_t max);
  bool Bool(const std::string& key, bool default_value);
  // Accepts absl durations: "250ms", "5s", "1h30m".
  absl::Duration Duration(const std::string& key, absl::Duration default_value);
  // A YAML sequence, or a comma-separated string (file or environment).
  std::vector<std::string> StringList(const std::string& key,
                                      const std::vector<std::string>& default_value);

  // Lets the caller add its own validation error for a key.
  void Invalid(const std::string& key, const std::string& problem);

  // OK, or the first problem as "config: <key> (<source>): <problem>".
  absl::Status Finish() const;
  // Like Finish, but without refusing unknown keys: for checking what was read so far
  // while other parts of the program still have keys to read.
  absl::Status CheckValues() const;

  static std::string EnvName(const std::string& key);

 private:
  struct Value {
    std::string scalar;
    std::vector<std::string> list;
    bool is_list = false;
    std::string source;  // "file" or the environment variable name
  };
  std::optional<Value> Lookup(const std::string& key);

  std::map<std::string, Value> file_values_;
  EnvLookup env_;
  std::set<std::string> asked_;
  std::vector<std::string> errors_;
};

}  // namespace kpo::core
