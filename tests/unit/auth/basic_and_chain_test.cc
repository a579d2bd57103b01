// Basic authentication, the chain's order and refusals, anonymous and
// client-certificate principals, and the `auth:` section's parsing.

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "lib/auth/auth_config.h"
#include "lib/auth/auth_setup.h"
#include "lib/auth/basic_authenticator.h"
#include "lib/auth/password_hash.h"
#include "lib/auth/static_authenticators.h"
#include "lib/common/clock.h"

namespace armada::auth {
namespace {

std::string BasicHeader(const std::string& user, const std::string& password) {
  return "Basic " + absl::Base64Escape(user + ":" + password);
}

AuthConfig Parse(const std::string& yaml) {
  AuthConfig config;
  absl::Status status = ParseAuthConfig(YAML::Load(yaml), &config);
  INFO(status.message());
  REQUIRE(status.ok());
  return config;
}

absl::Status ParseError(const std::string& yaml) {
  AuthConfig config;
  return ParseAuthConfig(YAML::Load(yaml), &config);
}

TEST_CASE("a password hash verifies its password and nothing else") {
  auto hash = HashPassword("s3cret");
  REQUIRE(hash.ok());
  CHECK(hash->rfind("$y$", 0) == 0);
  CHECK(VerifyPassword("s3cret", *hash));
  CHECK_FALSE(VerifyPassword("s3cret ", *hash));
  CHECK_FALSE(VerifyPassword("", *hash));
  CHECK_FALSE(VerifyPassword("s3cret", "plain-text"));
  CHECK_FALSE(CheckPasswordHash("s3cret").ok());
}

TEST_CASE("Basic authentication names the user and its groups") {
  common::SimulatedClock clock(absl::FromUnixSeconds(1000));
  AuthConfig config = Parse(R"(
basicAuth:
  users:
    alice: {password: alice-password, groups: [team-a]}
)");
  BasicAuthenticator basic(config.basic_users, clock);

  auto alice = basic.Authenticate({BasicHeader("alice", "alice-password"), ""});
  REQUIRE(alice.ok());
  REQUIRE(alice->has_value());
  CHECK((*alice)->name == "alice");
  CHECK((*alice)->auth_method == "Basic");
  CHECK((*alice)->SortedGroups() == std::vector<std::string>{"everyone", "team-a"});
  // The scheme is case-insensitive, as HTTP's.
  CHECK(
      basic.Authenticate({"basic " + absl::Base64Escape("alice:alice-password"), ""})->has_value());
  // A remembered success does not let a wrong password through.
  CHECK(absl::IsUnauthenticated(basic.Authenticate({BasicHeader("alice", "wrong"), ""}).status()));
}

TEST_CASE("Basic refuses wrong passwords, unknown users and garbage alike") {
  common::SimulatedClock clock(absl::FromUnixSeconds(1000));
  std::map<std::string, BasicUser> users;
  users["alice"] = BasicUser{*HashPassword("alice-password"), {}};
  BasicAuthenticator basic(users, clock);

  auto wrong = basic.Authenticate({BasicHeader("alice", "alice-passwort"), ""});
  auto unknown = basic.Authenticate({BasicHeader("mallory", "alice-password"), ""});
  CHECK(absl::IsUnauthenticated(wrong.status()));
  CHECK(absl::IsUnauthenticated(unknown.status()));
  // The message never carries the password, and does not tell the two apart.
  CHECK(std::string(wrong.status().message()).find("passwort") == std::string::npos);
  CHECK(std::string(unknown.status().message()).find("wrong user name or password") !=
        std::string::npos);
  CHECK(absl::IsUnauthenticated(basic.Authenticate({"Basic !!!not-base64", ""}).status()));
  CHECK(absl::IsUnauthenticated(
      basic.Authenticate({"Basic " + absl::Base64Escape("no-colon"), ""}).status()));
  // Not Basic at all: the next method's business.
  CHECK_FALSE(basic.Authenticate({"Bearer abc", ""})->has_value());
  CHECK_FALSE(basic.Authenticate({"", ""})->has_value());
}

TEST_CASE("the chain tries methods in order and a refusal is final") {
  common::SimulatedClock clock(absl::FromUnixSeconds(1000));
  AuthConfig config = Parse(R"(
anonymousAuth: true
basicAuth:
  users:
    alice: {password: alice-password}
)");
  auto chain = MakeAuthenticatorChain(config, clock);
  REQUIRE(chain.ok());
  CHECK((*chain)->Methods() == std::vector<std::string>{"Basic", "Anonymous"});
  CHECK((*chain)->Authenticate({BasicHeader("alice", "alice-password"), ""})->name == "alice");
  CHECK((*chain)->Authenticate({"", ""})->name == "anonymous");
  // A wrong password never falls through to anonymous.
  CHECK(
      absl::IsUnauthenticated((*chain)->Authenticate({BasicHeader("alice", "nope"), ""}).status()));
}

TEST_CASE("without anonymous access, no credentials is UNAUTHENTICATED naming the methods") {
  common::SimulatedClock clock(absl::FromUnixSeconds(1000));
  auto chain = MakeAuthenticatorChain(Parse(R"(
basicAuth: {users: {alice: {password: x}}}
clientCertificateAuth: {enabled: true, groups: {executor-a: [executors]}}
)"),
                                      clock);
  REQUIRE(chain.ok());
  auto none = (*chain)->Authenticate({"", ""});
  CHECK(absl::IsUnauthenticated(none.status()));
  CHECK(none.status().message() == "no credentials: this server accepts ClientCertificate, Basic");
  auto other = (*chain)->Authenticate({"Negotiate abc", ""});
  CHECK(absl::IsUnauthenticated(other.status()));
  auto cert = (*chain)->Authenticate({"", "executor-a"});
  REQUIRE(cert.ok());
  CHECK(cert->auth_method == "ClientCertificate");
  CHECK(cert->InGroup("executors"));
}

TEST_CASE("an absent auth section means anonymous callers with every permission") {
  common::SimulatedClock clock(absl::FromUnixSeconds(1000));
  AuthConfig config;  // not configured
  auto chain = MakeAuthenticatorChain(config, clock);
  REQUIRE(chain.ok());
  auto caller = (*chain)->Authenticate({"", ""});
  REQUIRE(caller.ok());
  PermissionPolicy policy = MakePermissionPolicy(config);
  for (Permission permission : AllPermissions()) CHECK(policy.Has(*caller, permission));
}

TEST_CASE("a configured section with no method is refused") {
  common::SimulatedClock clock(absl::FromUnixSeconds(1000));
  auto chain = MakeAuthenticatorChain(Parse("anonymousAuth: false"), clock);
  CHECK(absl::IsInvalidArgument(chain.status()));
  auto listed = MakeAuthenticatorChain(Parse("methods: [basic]"), clock);
  CHECK(absl::IsInvalidArgument(listed.status()));
}

TEST_CASE("auth config errors name the key") {
  auto check = [](const std::string& yaml, const std::string& fragment) {
    absl::Status status = ParseError(yaml);
    INFO(yaml << " -> " << status.message());
    CHECK(absl::IsInvalidArgument(status));
    CHECK(std::string(status.message()).find(fragment) != std::string::npos);
  };
  check("permissionGroupMapping: {submit_all_jobs: [x]}", "permissionGroupMapping.submit_all_jobs");
  check("basicAuth: {users: {bob: {groups: [x]}}}", "basicAuth.users.bob");
  check("basicAuth: {users: {bob: {passwordHash: plain}}}", "basicAuth.users.bob.passwordHash");
  check("basicAuth: {users: {bob: {password: a, passwordHash: b}}}", "not both");
  check("methods: [kerberos]", "kerberos");
  check("openIdAuth: {providerUrl: https://idp}", "openIdAuth.clientId");
  check("anonymus: true", "anonymus");
}

}  // namespace
}  // namespace armada::auth
