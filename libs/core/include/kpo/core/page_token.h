#pragma once

// Opaque page tokens. A token carries where the previous page ended and the scope it
// was issued for (organization, collection, filters). It is sealed with an authenticated
// cipher (libsodium secretbox, XSalsa20-Poly1305), so a client can neither read it nor
// forge or alter one; a token issued for another scope is refused. Thread-safe; keys
// are immutable after construction.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kpo::core {

struct PageCursor {
  // What the token is valid for, e.g. "acme|people|site=...|role=2". Compared exactly.
  std::string scope;
  // Sort key of the last item of the previous page.
  std::string last_key;
};

class PageTokenCodec {
 public:
  static constexpr size_t kKeySize = 32;

  // `key` must be kKeySize bytes of secret material shared by all replicas.
  static absl::StatusOr<PageTokenCodec> FromKey(absl::string_view key);
  // A codec with a random key (tokens do not survive a restart); for tests and the
  // local stack when no key is configured.
  static PageTokenCodec Random();

  std::string Seal(const PageCursor& cursor) const;
  // INVALID_ARGUMENT (field `page_token`) if the token is malformed, was tampered with
  // or was issued for a scope other than `expected_scope`.
  absl::StatusOr<PageCursor> Open(absl::string_view token, absl::string_view expected_scope) const;

 private:
  explicit PageTokenCodec(const std::array<unsigned char, kKeySize>& key) : key_(key) {}
  std::array<unsigned char, kKeySize> key_;
};

}  // namespace kpo::core
