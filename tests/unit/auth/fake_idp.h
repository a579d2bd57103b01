#pragma once

// A stand-in OIDC identity provider for tests: key pairs, token signing and
// an HTTPS server (cpp-httplib, self-signed certificate for 127.0.0.1) that
// serves the discovery document and a JWKS.

#include <openssl/evp.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "lib/auth/auth_config.h"

namespace armada::auth::testing {

// A signing key pair. Generated once per process (key generation is slow).
struct TestKey {
  EVP_PKEY* pkey;
};
const TestKey& Rsa2048();       // RS256 tokens
const TestKey& OtherRsa2048();  // forgeries: same kid, different key
const TestKey& EcP256();        // ES256 tokens
const TestKey& EcP384();        // ES384 tokens

// The public half as a JWK; `alg` "" leaves the member out.
nlohmann::json PublicJwk(const TestKey& key, const std::string& kid, const std::string& alg);
// The public half as PEM "PUBLIC KEY" (what an attacker can download).
std::string PublicPem(const TestKey& key);

// header.payload.signature signed with `key` by header["alg"] (RS* or ES*).
std::string SignJwt(const nlohmann::json& header, const nlohmann::json& claims, const TestKey& key);
// The same with an HMAC-SHA256 signature under `secret`.
std::string HmacSha256Jwt(const nlohmann::json& header, const nlohmann::json& claims,
                          const std::string& secret);
// header.payload. (no signature).
std::string UnsignedJwt(const nlohmann::json& header, const nlohmann::json& claims);
// Unpadded base64url of `bytes`.
std::string B64(const std::string& bytes);

class FakeIdp {
 public:
  // Listening on 127.0.0.1, an ephemeral port, once constructed.
  FakeIdp();
  ~FakeIdp();
  FakeIdp(const FakeIdp&) = delete;
  FakeIdp& operator=(const FakeIdp&) = delete;

  std::string url() const;                                 // https://127.0.0.1:<port>
  const std::string& ca_file() const { return ca_file_; }  // its certificate, PEM

  void ServeKeys(nlohmann::json jwks);
  // Down: every request gets 503.
  void SetDown(bool down) { down_ = down; }
  // Replaces the discovery document's jwks_uri (default url() + "/keys").
  void SetJwksUri(std::string uri);

  int discovery_hits() const { return discovery_hits_; }
  int jwks_hits() const { return jwks_hits_; }

 private:
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::string dir_;
  std::string ca_file_;
  std::atomic<bool> down_{false};
  std::atomic<int> discovery_hits_{0};
  std::atomic<int> jwks_hits_{0};
  mutable std::mutex mu_;
  nlohmann::json jwks_;
  std::string jwks_uri_;
};

// An OidcConfig for `idp`: clientId "armada", groupsClaim "groups", its CA.
OidcConfig ConfigFor(const FakeIdp& idp);

// The key set most tests serve: "rsa-1" (Rsa2048, RS256), "ec-1" (EcP256,
// ES256), "ec-384" (EcP384, no alg member).
nlohmann::json DefaultKeys();

}  // namespace armada::auth::testing
