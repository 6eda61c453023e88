#include "kpo/auth/auth.h"

#include <jwt.h>

#include <array>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "kpo/core/errors.h"

namespace kpo::auth {

std::string Principal::person_name() const {
  if (absl::StartsWith(subject, "organizations/")) return subject;
  return absl::StrCat(organization_name(), "/people/", subject);
}
namespace {

absl::Status Unauthenticated(absl::string_view why) {
  return kpo::core::Error(absl::StatusCode::kUnauthenticated, "UNAUTHENTICATED",
                          absl::StrCat("unauthenticated: ", why));
}

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

const std::set<std::string>& AllRoles() {
  static const auto* const kRoles = new std::set<std::string>{
      kTeamMember,     kTeamLeader, kMiddleManager, kSeniorLeader, kKpoSpecialist,
      kExternalSensei, kOrgAdmin,   kFinance,       kService,      kPlatformOperator};
  return *kRoles;
}

}  // namespace

// Verified tokens and their principals, in shards so that concurrent calls rarely
// contend. Bounded: a full shard forgets an arbitrary entry to take a new one.
class TokenCache {
 public:
  explicit TokenCache(int capacity)
      : per_shard_(std::max<size_t>(1, static_cast<size_t>(capacity) / kShards)) {}

  // The principal of `token` if it was verified and `now` is before its expiry.
  std::optional<Principal> Find(absl::string_view token, absl::Time now) {
    Shard& shard = ShardOf(token);
    absl::ReaderMutexLock lock(&shard.mu);
    auto it = shard.entries.find(token);
    if (it == shard.entries.end() || now > it->second.valid_until) return std::nullopt;
    return it->second.principal;
  }

  void Put(absl::string_view token, const Principal& principal, absl::Time valid_until) {
    Shard& shard = ShardOf(token);
    absl::MutexLock lock(&shard.mu);
    if (shard.entries.size() >= per_shard_ && !shard.entries.contains(token)) {
      shard.entries.erase(shard.entries.begin());
    }
    shard.entries.insert_or_assign(std::string(token), Entry{principal, valid_until});
  }

 private:
  static constexpr size_t kShards = 16;
  struct Entry {
    Principal principal;
    absl::Time valid_until;
  };
  struct Shard {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, Entry> entries ABSL_GUARDED_BY(mu);
  };
  Shard& ShardOf(absl::string_view token) {
    return shards_[absl::Hash<absl::string_view>{}(token) % kShards];
  }

  const size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

Verifier::Verifier(VerifierOptions options) : options_(std::move(options)) {
  if (options_.cache_capacity > 0) cache_ = std::make_shared<TokenCache>(options_.cache_capacity);
}

bool IsKnownRole(absl::string_view role) { return AllRoles().contains(std::string(role)); }

std::set<std::string> AnyRole() {
  std::set<std::string> roles = AllRoles();
  roles.erase(kPlatformOperator);  // sees no organization's data
  return roles;
}

absl::StatusOr<Verifier> Verifier::Create(VerifierOptions options) {
  if (options.hs256_secret.empty() == options.rs256_public_key_pem.empty()) {
    return absl::InvalidArgumentError(
        "auth: configure exactly one of an HS256 secret or an RS256 public key");
  }
  if (!options.hs256_secret.empty() && options.hs256_secret.size() < 32) {
    return absl::InvalidArgumentError("auth: the HS256 secret must be at least 32 bytes");
  }
  return Verifier(std::move(options));
}

absl::StatusOr<Principal> Verifier::Verify(absl::string_view authorization, absl::Time now) const {
  if (authorization.empty()) {
    return Unauthenticated("no bearer token; send the header 'authorization: Bearer <token>'");
  }
  if (!absl::StartsWithIgnoreCase(authorization, "bearer ")) {
    return Unauthenticated("the authorization header must be 'Bearer <token>'");
  }
  const absl::string_view token = authorization.substr(7);
  if (cache_ != nullptr) {
    if (std::optional<Principal> known = cache_->Find(token, now)) return *std::move(known);
  }
  absl::Time valid_until;
  absl::StatusOr<Principal> principal = VerifyToken(std::string(token), now, &valid_until);
  if (principal.ok() && cache_ != nullptr) cache_->Put(token, *principal, valid_until);
  return principal;
}

absl::StatusOr<Principal> Verifier::VerifyToken(const std::string& token, absl::Time now,
                                                absl::Time* valid_until) const {
  const bool hs = !options_.hs256_secret.empty();
  const std::string& key = hs ? options_.hs256_secret : options_.rs256_public_key_pem;
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                 static_cast<int>(key.size())) != 0 ||
      raw == nullptr) {
    return Unauthenticated("the token is malformed or its signature does not verify");
  }
  JwtPtr jwt(raw);
  if (jwt_get_alg(jwt.get()) != (hs ? JWT_ALG_HS256 : JWT_ALG_RS256)) {
    return Unauthenticated(absl::StrCat("the token must be signed with ", hs ? "HS256" : "RS256"));
  }
  const long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (exp <= 0) return Unauthenticated("the token has no expiry (exp)");
  *valid_until = absl::FromUnixSeconds(exp) + options_.leeway;
  if (*valid_until < now) return Unauthenticated("the token has expired; get a new one");
  const char* iss = jwt_get_grant(jwt.get(), "iss");
  if (iss == nullptr || options_.issuer != iss) {
    return Unauthenticated(absl::StrCat("the token was not issued by ", options_.issuer));
  }
  const char* aud = jwt_get_grant(jwt.get(), "aud");
  if (aud == nullptr || options_.audience != aud) {
    return Unauthenticated(absl::StrCat("the token is not meant for audience ", options_.audience));
  }
  Principal p;
  const char* sub = jwt_get_grant(jwt.get(), "sub");
  const char* org = jwt_get_grant(jwt.get(), "org");
  if (sub == nullptr || *sub == '\0') return Unauthenticated("the token has no subject (sub)");
  if (org == nullptr || *org == '\0')
    return Unauthenticated("the token names no organization (org)");
  p.subject = sub;
  p.organization_id = org;
  char* roles_json = jwt_get_grants_json(jwt.get(), "roles");
  if (roles_json != nullptr) {
    auto roles = nlohmann::json::parse(roles_json, nullptr, /*allow_exceptions=*/false);
    free(roles_json);
    if (!roles.is_array()) return Unauthenticated("the roles claim must be an array of strings");
    for (const auto& r : roles) {
      if (r.is_string() && IsKnownRole(r.get<std::string>())) p.roles.insert(r.get<std::string>());
    }
  }
  return p;
}

absl::StatusOr<std::string> MintHs256(const MintOptions& o, absl::Time now) {
  if (o.hs256_secret.size() < 32) {
    return absl::InvalidArgumentError("the HS256 secret must be at least 32 bytes");
  }
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  JwtPtr jwt(raw);
  jwt_add_grant(jwt.get(), "sub", o.subject.c_str());
  jwt_add_grant(jwt.get(), "org", o.organization_id.c_str());
  jwt_add_grant(jwt.get(), "iss", o.issuer.c_str());
  jwt_add_grant(jwt.get(), "aud", o.audience.c_str());
  jwt_add_grant_int(jwt.get(), "iat", absl::ToUnixSeconds(now));
  jwt_add_grant_int(jwt.get(), "exp", absl::ToUnixSeconds(now + o.ttl));
  nlohmann::json roles = {{"roles", o.roles}};
  jwt_add_grants_json(jwt.get(), roles.dump().c_str());
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256,
                  reinterpret_cast<const unsigned char*>(o.hs256_secret.data()),
                  static_cast<int>(o.hs256_secret.size())) != 0) {
    return absl::InternalError("jwt_set_alg failed");
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) return absl::InternalError("jwt_encode_str failed");
  std::string out(encoded);
  free(encoded);
  return out;
}

PermissionTable& PermissionTable::Allow(const std::string& method, std::set<std::string> roles) {
  allowed_[method] = std::move(roles);
  return *this;
}

absl::Status PermissionTable::Authorize(const Principal& principal,
                                        absl::string_view method) const {
  auto it = allowed_.find(method);
  if (it == allowed_.end()) {
    return kpo::core::Error(absl::StatusCode::kPermissionDenied, "METHOD_NOT_PERMITTED",
                            absl::StrCat("permission denied: ", method, " is not open to anyone"));
  }
  for (const auto& role : principal.roles) {
    if (it->second.contains(role)) return absl::OkStatus();
  }
  return kpo::core::Error(absl::StatusCode::kPermissionDenied, "ROLE_NOT_PERMITTED",
                          absl::StrCat("permission denied: ", method, " needs one of the roles [",
                                       absl::StrJoin(it->second, ", "), "]; the caller has [",
                                       absl::StrJoin(principal.roles, ", "), "]"),
                          {{"method", std::string(method)}});
}

absl::Status PermissionTable::CheckCovers(const std::vector<std::string>& methods) const {
  std::vector<std::string> missing;
  for (const auto& m : methods) {
    if (!allowed_.contains(m)) missing.push_back(m);
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::InternalError(
      absl::StrCat("permission table has no entry for: ", absl::StrJoin(missing, ", ")));
}

absl::Status CheckOrganization(const Principal& principal, absl::string_view resource_name,
                               absl::string_view field) {
  const std::string own = principal.organization_name();
  if (resource_name == own ||
      (absl::StartsWith(resource_name, own) && resource_name.size() > own.size() &&
       resource_name[own.size()] == '/')) {
    return absl::OkStatus();
  }
  return kpo::core::Error(absl::StatusCode::kPermissionDenied, "CROSS_TENANT_ACCESS",
                          absl::StrCat("permission denied: ", field, " '", resource_name,
                                       "' is outside the caller's organization ", own),
                          {{"field", std::string(field)}, {"caller_organization", own}});
}

absl::StatusOr<std::vector<std::string>> CheckName(const Principal& principal,
                                                   absl::string_view field, absl::string_view name,
                                                   kpo::core::Collections collections,
                                                   kpo::core::LastId last) {
  auto ids = kpo::core::ParseName(name, collections, last);
  if (!ids.has_value()) {
    return kpo::core::InvalidField(
        field, absl::StrCat(name.empty() ? "is required: " : absl::StrCat("'", name, "' is not "),
                            "a name of the form ", kpo::core::NamePattern(collections, last)));
  }
  if (absl::Status s = CheckOrganization(principal, name, field); !s.ok()) return s;
  return *std::move(ids);
}

}  // namespace kpo::auth
