#include "kpo/core/page_token.h"

#include <sodium.h>

#include <vector>

#include "kpo/core/errors.h"

namespace kpo::core {
namespace {

void EnsureSodium() {
  static const bool kReady = sodium_init() >= 0;
  (void)kReady;
}

void PutString(std::string& out, absl::string_view s) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out.append(s.data(), s.size());
}

bool GetString(absl::string_view& in, std::string& s) {
  if (in.size() < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  in.remove_prefix(4);
  if (in.size() < n) return false;
  s.assign(in.data(), n);
  in.remove_prefix(n);
  return true;
}

absl::Status BadToken() {
  return InvalidField("page_token",
                      "is not a page token issued for this request; start again without it");
}

}  // namespace

absl::StatusOr<PageTokenCodec> PageTokenCodec::FromKey(absl::string_view key) {
  if (key.size() != kKeySize) {
    return absl::InvalidArgumentError("page token key must be exactly 32 bytes");
  }
  std::array<unsigned char, kKeySize> k{};
  std::copy(key.begin(), key.end(), k.begin());
  return PageTokenCodec(k);
}

PageTokenCodec PageTokenCodec::Random() {
  EnsureSodium();
  std::array<unsigned char, kKeySize> k{};
  randombytes_buf(k.data(), k.size());
  return PageTokenCodec(k);
}

std::string PageTokenCodec::Seal(const PageCursor& cursor) const {
  EnsureSodium();
  std::string plain = "\x01";  // format version
  PutString(plain, cursor.scope);
  PutString(plain, cursor.last_key);
  std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plain.size());
  randombytes_buf(box.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                        box.data(), key_.data());
  std::string out(sodium_base64_encoded_len(box.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), box.data(), box.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

absl::StatusOr<PageCursor> PageTokenCodec::Open(absl::string_view token,
                                                absl::string_view expected_scope) const {
  EnsureSodium();
  if (token.empty() || token.size() > 4096) return BadToken();
  std::vector<unsigned char> box(token.size());
  size_t box_len = 0;
  if (sodium_base642bin(box.data(), box.size(), token.data(), token.size(), nullptr, &box_len,
                        nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      box_len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 1) {
    return BadToken();
  }
  const size_t cipher_len = box_len - crypto_secretbox_NONCEBYTES;
  std::string plain(cipher_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 box.data() + crypto_secretbox_NONCEBYTES, cipher_len, box.data(),
                                 key_.data()) != 0) {
    return BadToken();
  }
  absl::string_view in(plain);
  if (in.empty() || in[0] != '\x01') return BadToken();
  in.remove_prefix(1);
  PageCursor cursor;
  if (!GetString(in, cursor.scope) || !GetString(in, cursor.last_key) || !in.empty()) {
    return BadToken();
  }
  if (cursor.scope != expected_scope) return BadToken();
  return cursor;
}

}  // namespace kpo::core
