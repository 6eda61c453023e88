#pragma once

// Authentication and authorization. Callers present `authorization: Bearer <JWT>`.
// The token is verified (HS256 with a shared secret for the local stack, RS256 with a
// public key in production; the algorithm is pinned by configuration, never taken from
// the token), its expiry, issuer and audience checked, and turned into a Principal.
// The organization of every request comes from the Principal, never from the request:
// CheckOrganization refuses a resource name of another organization.
//
// Claims: sub (the caller; a person id or a client name), org (organization id),
// roles (array of role names below), exp, iat, iss, aud.
// All classes are immutable after construction and thread-safe.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kpo/core/resource_name.h"

namespace kpo::auth {

// Role names as they appear in tokens (lower-case forms of kpo.people.v1.Role, plus
// "service" for other systems that consume or feed the platform, and
// "platform_operator" for the people who run the platform: service-wide operations such
// as rebuilding reporting's projections, which show no organization's data).
inline constexpr char kTeamMember[] = "team_member";
inline constexpr char kTeamLeader[] = "team_leader";
inline constexpr char kMiddleManager[] = "middle_manager";
inline constexpr char kSeniorLeader[] = "senior_leader";
inline constexpr char kKpoSpecialist[] = "kpo_specialist";
inline constexpr char kExternalSensei[] = "external_sensei";
inline constexpr char kOrgAdmin[] = "org_admin";
inline constexpr char kFinance[] = "finance";
inline constexpr char kService[] = "service";
inline constexpr char kPlatformOperator[] = "platform_operator";

// True for the names above.
bool IsKnownRole(absl::string_view role);

struct Principal {
  std::string subject;
  std::string organization_id;
  std::set<std::string> roles;

  std::string organization_name() const { return "organizations/" + organization_id; }
  // The caller's person: "organizations/{organization}/people/{subject}"; a subject that
  // is already a resource name passes through.
  std::string person_name() const;
  bool HasRole(absl::string_view role) const { return roles.contains(std::string(role)); }
};

struct VerifierOptions {
  // Exactly one of the two must be set.
  std::string hs256_secret;
  std::string rs256_public_key_pem;
  std::string issuer = "kpo-local";
  std::string audience = "kpo";
  absl::Duration leeway = absl::Seconds(30);
  // Tokens verified recently are remembered (bounded; 0 turns the cache off), so that a
  // client's calls pay the signature check and claim parsing once per token.
  int cache_capacity = 10000;
};

class TokenCache;

// Copies share one token cache; the key is fixed at construction, so a new key means a
// new Verifier with an empty cache: no token verified under an old key is accepted.
class Verifier {
 public:
  static absl::StatusOr<Verifier> Create(VerifierOptions options);
  // `authorization` is the header value ("Bearer <token>"). UNAUTHENTICATED with a
  // message saying what is wrong (missing, malformed, bad signature, expired, wrong
  // issuer/audience, no organization). A token found in the cache is accepted only
  // while `now` is within its expiry (plus leeway), the same test as a full check.
  absl::StatusOr<Principal> Verify(absl::string_view authorization, absl::Time now) const;

 private:
  explicit Verifier(VerifierOptions options);
  absl::StatusOr<Principal> VerifyToken(const std::string& token, absl::Time now,
                                        absl::Time* valid_until) const;
  VerifierOptions options_;
  std::shared_ptr<TokenCache> cache_;
};

struct MintOptions {
  std::string hs256_secret;
  std::string subject;
  std::string organization_id;
  std::vector<std::string> roles;
  absl::Duration ttl = absl::Hours(12);
  std::string issuer = "kpo-local";
  std::string audience = "kpo";
};

// Signs an HS256 token (kpoctl and tests; production tokens come from the identity
// provider).
absl::StatusOr<std::string> MintHs256(const MintOptions& options, absl::Time now);

// Which roles may call which RPC, keyed by full method name
// ("/kpo.people.v1.PeopleService/CreateSite"). A method missing from the table is
// refused to everyone, and CheckCovers lets a server refuse to start with a gap.
class PermissionTable {
 public:
  PermissionTable& Allow(const std::string& method, std::set<std::string> roles);
  // OK, or PERMISSION_DENIED naming the method and the roles that may call it.
  absl::Status Authorize(const Principal& principal, absl::string_view method) const;
  // INTERNAL listing every method of `methods` without an entry.
  absl::Status CheckCovers(const std::vector<std::string>& methods) const;

 private:
  std::map<std::string, std::set<std::string>, std::less<>> allowed_;
};

// Every role of an organization's members (all but platform_operator): for methods any
// member of the organization may call.
std::set<std::string> AnyRole();

// OK if `resource_name` is "organizations/{principal's org}" or below it; otherwise
// PERMISSION_DENIED (reason CROSS_TENANT_ACCESS) naming both organizations. `field` is
// the request field the name came from, for the message.
absl::Status CheckOrganization(const Principal& principal, absl::string_view resource_name,
                               absl::string_view field);

// How every RPC checks a name or parent field: first its shape — INVALID_ARGUMENT (a
// BadRequest violation of `field` stating the pattern) when `name` is not a name of
// `collections` — and only then its tenancy: PERMISSION_DENIED (CROSS_TENANT_ACCESS)
// for a well-formed name of another organization. Returns the name's ids (the last one
// "-" when `last` allows it and the name asks for every parent at once).
absl::StatusOr<std::vector<std::string>> CheckName(
    const Principal& principal, absl::string_view field, absl::string_view name,
    kpo::core::Collections collections, kpo::core::LastId last = kpo::core::LastId::kRequired);

}  // namespace kpo::auth
