#include "kpo/auth/auth.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpo/core/errors.h"

namespace kpo::auth {
namespace {

using ::testing::HasSubstr;

const std::string kSecret(40, 's');
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

std::string Token(MintOptions o = {}) {
  if (o.hs256_secret.empty()) o.hs256_secret = kSecret;
  if (o.subject.empty()) o.subject = "p-1";
  if (o.organization_id.empty()) o.organization_id = "acme";
  if (o.roles.empty()) o.roles = {kOrgAdmin, "no_such_role"};
  return "Bearer " + MintHs256(o, kNow).value();
}

Verifier MakeVerifier() { return Verifier::Create({.hs256_secret = kSecret}).value(); }

TEST(VerifierTest, AcceptsAValidTokenAndKeepsOnlyKnownRoles) {
  auto p = MakeVerifier().Verify(Token(), kNow);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->organization_id, "acme");
  EXPECT_EQ(p->organization_name(), "organizations/acme");
  EXPECT_EQ(p->subject, "p-1");
  EXPECT_EQ(p->roles, std::set<std::string>{kOrgAdmin});
}

TEST(VerifierTest, RefusesMissingMalformedForgedExpiredAndForeignTokens) {
  Verifier v = MakeVerifier();
  auto code = [&](absl::string_view header, absl::Time now = kNow) {
    return v.Verify(header, now).status().code();
  };
  EXPECT_EQ(code(""), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(code("Basic abc"), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(code("Bearer not.a.jwt"), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(code(Token({.hs256_secret = std::string(40, 'x')})),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(code(Token(), kNow + absl::Hours(13)), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(v.Verify(Token(), kNow + absl::Hours(13)).status().message(), HasSubstr("expired"));
  EXPECT_EQ(code(Token({.issuer = "evil"})), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(code(Token({.audience = "other"})), absl::StatusCode::kUnauthenticated);
  // A tampered payload (organization swapped) breaks the signature.
  std::string t = Token();
  std::string other = Token({.organization_id = "globex"});
  auto p1 = t.find('.'), p2 = t.find('.', p1 + 1);
  auto q1 = other.find('.'), q2 = other.find('.', q1 + 1);
  std::string forged = t.substr(0, p1 + 1) + other.substr(q1 + 1, q2 - q1 - 1) + t.substr(p2);
  EXPECT_EQ(code(forged), absl::StatusCode::kUnauthenticated);
}

// An RSA key pair as PEM strings (private, public), made with OpenSSL.
std::pair<std::string, std::string> RsaKeyPair() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  auto pem = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, n);
    BIO_free(bio);
    return out;
  };
  std::string priv =
      pem([&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
  std::string pub = pem([&](BIO* b) { PEM_write_bio_PUBKEY(b, key); });
  EVP_PKEY_free(key);
  return {priv, pub};
}

std::string SignRs256(const std::string& private_pem, const std::string& org) {
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_add_grant(jwt, "sub", "idp-user");
  jwt_add_grant(jwt, "org", org.c_str());
  jwt_add_grant(jwt, "iss", "kpo-local");
  jwt_add_grant(jwt, "aud", "kpo");
  jwt_add_grant_int(jwt, "exp", absl::ToUnixSeconds(kNow + absl::Hours(1)));
  jwt_add_grants_json(jwt, R"({"roles":["kpo_specialist"]})");
  jwt_set_alg(jwt, JWT_ALG_RS256, reinterpret_cast<const unsigned char*>(private_pem.data()),
              static_cast<int>(private_pem.size()));
  char* s = jwt_encode_str(jwt);
  std::string out = s;
  free(s);
  jwt_free(jwt);
  return out;
}

TEST(VerifierTest, ARememberedTokenIsRefusedOnceItExpires) {
  Verifier v = MakeVerifier();
  const std::string t = Token({.ttl = absl::Hours(1)});
  ASSERT_TRUE(v.Verify(t, kNow).ok());  // verified, and remembered
  EXPECT_TRUE(v.Verify(t, kNow + absl::Minutes(59)).ok());
  // Within the 30 s leeway, then past it: the remembered token is refused like a new one.
  EXPECT_TRUE(v.Verify(t, kNow + absl::Hours(1) + absl::Seconds(29)).ok());
  auto late = v.Verify(t, kNow + absl::Hours(1) + absl::Seconds(31));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(late.status().message(), HasSubstr("expired"));
  // And stays refused (the refusal is not remembered as an acceptance).
  EXPECT_FALSE(v.Verify(t, kNow + absl::Hours(2)).ok());
}

TEST(VerifierTest, ANewKeyAcceptsNoTokenRememberedUnderTheOldOne) {
  Verifier old_key = MakeVerifier();
  const std::string t = Token();
  ASSERT_TRUE(old_key.Verify(t, kNow).ok());
  Verifier copy = old_key;  // copies share the remembered tokens and the key
  EXPECT_TRUE(copy.Verify(t, kNow).ok());
  Verifier new_key = Verifier::Create({.hs256_secret = std::string(40, 'n')}).value();
  EXPECT_EQ(new_key.Verify(t, kNow).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(new_key.Verify(Token({.hs256_secret = std::string(40, 'n')}), kNow).ok());
}

TEST(VerifierTest, TheTokenCacheIsBoundedAndEvictionNeverChangesAnAnswer) {
  Verifier v = Verifier::Create({.hs256_secret = kSecret, .cache_capacity = 16}).value();
  std::vector<std::string> tokens;
  for (int i = 0; i < 200; ++i) tokens.push_back(Token({.subject = "p-" + std::to_string(i)}));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 200; ++i) {
      auto p = v.Verify(tokens[i], kNow);
      ASSERT_TRUE(p.ok()) << p.status();
      EXPECT_EQ(p->subject, "p-" + std::to_string(i)) << "never another token's principal";
    }
  }
  // A forged token is refused every time: refusals are not remembered as anything.
  std::string forged = tokens[0];
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(v.Verify(forged, kNow).ok());
  EXPECT_FALSE(v.Verify(forged, kNow).ok());
}

TEST(VerifierTest, Rs256TokensVerifyWithThePublicKeyOnly) {
  auto [priv, pub] = RsaKeyPair();
  auto v = Verifier::Create({.rs256_public_key_pem = pub});
  ASSERT_TRUE(v.ok()) << v.status();
  auto p = v->Verify("Bearer " + SignRs256(priv, "acme"), kNow);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->organization_id, "acme");
  EXPECT_TRUE(p->HasRole(kKpoSpecialist));
  // Another key's signature, and an HS256 token, are refused by an RS256 verifier.
  auto [other_priv, other_pub] = RsaKeyPair();
  EXPECT_EQ(v->Verify("Bearer " + SignRs256(other_priv, "acme"), kNow).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(v->Verify(Token(), kNow).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(VerifierTest, ConfigurationMustNameExactlyOneKey) {
  EXPECT_FALSE(Verifier::Create({}).ok());
  EXPECT_FALSE(Verifier::Create({.hs256_secret = "short"}).ok());
  EXPECT_FALSE(Verifier::Create({.hs256_secret = kSecret, .rs256_public_key_pem = "x"}).ok());
}

TEST(PermissionTableTest, AllowsListedRolesOnlyAndNamesThem) {
  PermissionTable table;
  table.Allow("/svc/Write", {kOrgAdmin}).Allow("/svc/Read", AnyRole());
  Principal member{"p", "acme", {kTeamMember}};
  EXPECT_TRUE(table.Authorize(member, "/svc/Read").ok());
  absl::Status denied = table.Authorize(member, "/svc/Write");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.message(), HasSubstr("org_admin"));
  EXPECT_EQ(table.Authorize(member, "/svc/Unknown").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(table.CheckCovers({"/svc/Read", "/svc/Write"}).ok());
  EXPECT_THAT(table.CheckCovers({"/svc/Read", "/svc/Gap"}).message(), HasSubstr("/svc/Gap"));
}

TEST(CheckOrganizationTest, RefusesOtherTenantsIncludingPrefixTricks) {
  Principal p{"p", "acme", {kOrgAdmin}};
  EXPECT_TRUE(CheckOrganization(p, "organizations/acme", "name").ok());
  EXPECT_TRUE(CheckOrganization(p, "organizations/acme/sites/lyon", "name").ok());
  absl::Status s = CheckOrganization(p, "organizations/globex/sites/x", "parent");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(kpo::core::ErrorReason(s), "CROSS_TENANT_ACCESS");
  EXPECT_FALSE(CheckOrganization(p, "organizations/acmecorp", "name").ok());
  EXPECT_FALSE(CheckOrganization(p, "", "name").ok());
}

TEST(PrincipalTest, PersonNameIsTheSubjectInTheOrganization) {
  Principal p{"lyon-tl-1", "acme", {kTeamLeader}};
  EXPECT_EQ(p.person_name(), "organizations/acme/people/lyon-tl-1");
  p.subject = "organizations/acme/people/kpo-lead";
  EXPECT_EQ(p.person_name(), "organizations/acme/people/kpo-lead") << "a full name passes through";
}

}  // namespace
}  // namespace kpo::auth
