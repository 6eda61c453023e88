// Fuzzes page tokens: opening arbitrary text is OK or INVALID_ARGUMENT (never a crash),
// and any cursor survives Seal -> Open unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "kpo/core/pagination.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kpo::core::PageTokenCodec codec =
      *kpo::core::PageTokenCodec::FromKey(std::string(kpo::core::PageTokenCodec::kKeySize, 'k'));
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto opened = codec.Open(text, "acme|people");
  if (!opened.ok() && opened.status().code() != absl::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  auto page = kpo::core::OpenPage(codec, {}, 10, text, "acme|people");
  if (!page.ok() && page.status().code() != absl::StatusCode::kInvalidArgument) __builtin_trap();
  // Round trip: the text split into a scope and a key.
  const size_t half = size / 2;
  const kpo::core::PageCursor cursor{text.substr(0, half), text.substr(half)};
  auto back = codec.Open(codec.Seal(cursor), cursor.scope);
  if (!back.ok() || back->scope != cursor.scope || back->last_key != cursor.last_key) {
    __builtin_trap();
  }
  return 0;
}
