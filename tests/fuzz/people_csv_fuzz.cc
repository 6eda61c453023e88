// Fuzzes `kpoctl people import`'s CSV reading and planning: any text gives rows and
// line-numbered errors, never a crash or a hang; every planned row has a line.
#include <cstddef>
#include <cstdint>
#include <string>

#include "people_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)kpo::kpoctl::ParseCsv(text);
  const kpo::kpoctl::ImportPlan plan = kpo::kpoctl::PlanImport("acme", text);
  for (const auto& row : plan.rows) {
    if (row.line < 1) __builtin_trap();
  }
  return 0;
}
