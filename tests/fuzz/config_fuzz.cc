// Fuzzes configuration parsing: arbitrary YAML (and environment overrides of the same
// text) read the way a service reads its keys; errors are statuses, never crashes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "kpo/core/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto env = [&text](const std::string& name) -> std::optional<std::string> {
    if (name == "KPO_GRPC_LISTEN") return text;
    return std::nullopt;
  };
  auto config = kpo::core::Config::FromYaml(text, env);
  if (!config.ok()) return 0;
  (void)config->String("grpc.listen", "127.0.0.1:0");
  (void)config->RequiredString("database.path");
  (void)config->Int("grpc.worker_threads", 8, 1, 256);
  (void)config->Bool("log.json", true);
  (void)config->Duration("outbox.retention", absl::Hours(1));
  (void)config->StringList("kafka.properties", {});
  (void)config->CheckValues();
  (void)config->Finish();
  return 0;
}
