// Fuzzes the JWT verifier with arbitrary Authorization header values: it must answer
// OK or UNAUTHENTICATED, never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "kpo/auth/auth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kpo::auth::Verifier verifier =
      *kpo::auth::Verifier::Create({.hs256_secret = "fuzz-secret-fuzz-secret-fuzz-secret!"});
  const std::string header(reinterpret_cast<const char*>(data), size);
  for (const std::string& value : {header, "Bearer " + header}) {
    auto principal = verifier.Verify(value, absl::FromUnixSeconds(1'800'000'000));
    if (!principal.ok() && principal.status().code() != absl::StatusCode::kUnauthenticated) {
      __builtin_trap();  // every refusal is UNAUTHENTICATED
    }
  }
  return 0;
}
