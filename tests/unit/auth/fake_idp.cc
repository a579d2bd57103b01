#include "tests/unit/auth/fake_idp.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace armada::auth::testing {
namespace {

using Json = nlohmann::json;

// Test code: a failed OpenSSL call is a broken test environment.
void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(absl::StrCat("OpenSSL: ", what));
}

EVP_PKEY* GenerateRsa() {
  EVP_PKEY* pkey = EVP_RSA_gen(2048);
  Check(pkey != nullptr, "EVP_RSA_gen");
  return pkey;
}

EVP_PKEY* GenerateEc(const char* curve) {
  EVP_PKEY* pkey = EVP_EC_gen(curve);
  Check(pkey != nullptr, "EVP_EC_gen");
  return pkey;
}

std::string BnBytes(EVP_PKEY* pkey, const char* param, int pad_to) {
  BIGNUM* bn = nullptr;
  Check(EVP_PKEY_get_bn_param(pkey, param, &bn) == 1, param);
  const int n = pad_to > 0 ? pad_to : BN_num_bytes(bn);
  std::string bytes(static_cast<size_t>(n), '\0');
  Check(BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), n) == n, "BN_bn2binpad");
  BN_free(bn);
  return bytes;
}

int EcFieldBytes(EVP_PKEY* pkey) { return (EVP_PKEY_get_bits(pkey) + 7) / 8; }

const EVP_MD* DigestFor(const std::string& alg) {
  if (absl::EndsWith(alg, "256")) return EVP_sha256();
  if (absl::EndsWith(alg, "384")) return EVP_sha384();
  return EVP_sha512();
}

std::string SigningInput(const Json& header, const Json& claims) {
  return absl::StrCat(B64(header.dump()), ".", B64(claims.dump()));
}

// A self-signed certificate for IP 127.0.0.1 under `key`.
X509* SelfSigned(EVP_PKEY* key) {
  X509* cert = X509_new();
  Check(cert != nullptr, "X509_new");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
  Check(san != nullptr && X509_add_ext(cert, san, -1) == 1, "subjectAltName");
  X509_EXTENSION_free(san);
  Check(X509_sign(cert, key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

}  // namespace

const TestKey& Rsa2048() {
  static const TestKey key{GenerateRsa()};
  return key;
}
const TestKey& OtherRsa2048() {
  static const TestKey key{GenerateRsa()};
  return key;
}
const TestKey& EcP256() {
  static const TestKey key{GenerateEc("P-256")};
  return key;
}
const TestKey& EcP384() {
  static const TestKey key{GenerateEc("P-384")};
  return key;
}

std::string B64(const std::string& bytes) { return absl::WebSafeBase64Escape(bytes); }

Json PublicJwk(const TestKey& key, const std::string& kid, const std::string& alg) {
  Json jwk = {{"kid", kid}, {"use", "sig"}};
  if (!alg.empty()) jwk["alg"] = alg;
  if (EVP_PKEY_get_base_id(key.pkey) == EVP_PKEY_RSA) {
    jwk["kty"] = "RSA";
    jwk["n"] = B64(BnBytes(key.pkey, OSSL_PKEY_PARAM_RSA_N, 0));
    jwk["e"] = B64(BnBytes(key.pkey, OSSL_PKEY_PARAM_RSA_E, 0));
  } else {
    const int field = EcFieldBytes(key.pkey);
    jwk["kty"] = "EC";
    jwk["crv"] = field == 32 ? "P-256" : field == 48 ? "P-384" : "P-521";
    jwk["x"] = B64(BnBytes(key.pkey, OSSL_PKEY_PARAM_EC_PUB_X, field));
    jwk["y"] = B64(BnBytes(key.pkey, OSSL_PKEY_PARAM_EC_PUB_Y, field));
  }
  return jwk;
}

std::string PublicPem(const TestKey& key) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_PUBKEY(bio, key.pkey) == 1, "PEM_write_bio_PUBKEY");
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  return pem;
}

std::string SignJwt(const Json& header, const Json& claims, const TestKey& key) {
  const std::string input = SigningInput(header, claims);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Check(EVP_DigestSignInit(ctx, nullptr, DigestFor(header.at("alg").get<std::string>()), nullptr,
                           key.pkey) == 1,
        "EVP_DigestSignInit");
  size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  Check(EVP_DigestSign(ctx, nullptr, &len, data, input.size()) == 1, "EVP_DigestSign size");
  std::string sig(len, '\0');
  Check(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                       input.size()) == 1,
        "EVP_DigestSign");
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (EVP_PKEY_get_base_id(key.pkey) == EVP_PKEY_EC) {
    // JWS wants r || s, each the field size (RFC 7518 3.4), not DER.
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* ec = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    Check(ec != nullptr, "d2i_ECDSA_SIG");
    const int field = EcFieldBytes(key.pkey);
    std::string raw(static_cast<size_t>(2 * field), '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    BN_bn2binpad(ECDSA_SIG_get0_r(ec), out, field);
    BN_bn2binpad(ECDSA_SIG_get0_s(ec), out + field, field);
    ECDSA_SIG_free(ec);
    sig = raw;
  }
  return absl::StrCat(input, ".", B64(sig));
}

std::string HmacSha256Jwt(const Json& header, const Json& claims, const std::string& secret) {
  const std::string input = SigningInput(header, claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Check(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
             &len) != nullptr,
        "HMAC");
  return absl::StrCat(input, ".", B64(std::string(reinterpret_cast<char*>(mac), len)));
}

std::string UnsignedJwt(const Json& header, const Json& claims) {
  return absl::StrCat(SigningInput(header, claims), ".");
}

FakeIdp::FakeIdp() {
  char dir[] = "/tmp/fake-idp-XXXXXX";
  Check(mkdtemp(dir) != nullptr, "mkdtemp");
  dir_ = dir;
  EVP_PKEY* tls_key = EcP256().pkey;
  X509* cert = SelfSigned(tls_key);
  ca_file_ = dir_ + "/ca.pem";
  FILE* f = std::fopen(ca_file_.c_str(), "w");
  Check(f != nullptr && PEM_write_X509(f, cert) == 1, "write ca.pem");
  std::fclose(f);
  server_ = std::make_unique<httplib::SSLServer>(cert, tls_key);  // takes references
  X509_free(cert);
  Check(server_->is_valid(), "SSLServer");

  server_->Get("/.well-known/openid-configuration",
               [this](const httplib::Request&, httplib::Response& res) {
                 ++discovery_hits_;
                 if (down_) {
                   res.status = 503;
                   return;
                 }
                 std::lock_guard<std::mutex> lock(mu_);
                 Json doc = {{"issuer", url()}, {"jwks_uri", jwks_uri_}};
                 res.set_content(doc.dump(), "application/json");
               });
  server_->Get("/keys", [this](const httplib::Request&, httplib::Response& res) {
    ++jwks_hits_;
    if (down_) {
      res.status = 503;
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    res.set_content(jwks_.dump(), "application/json");
  });
  server_->Get("/ready", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  Check(port_ > 0, "bind");
  jwks_uri_ = url() + "/keys";
  jwks_ = Json{{"keys", Json::array()}};
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // One served request proves the accept loop runs (so stop() in the
  // destructor cannot come before it and leave the thread blocked).
  httplib::SSLClient probe("127.0.0.1", port_);
  probe.set_ca_cert_path(ca_file_.c_str());
  probe.enable_server_certificate_verification(true);
  auto res = probe.Get("/ready");
  Check(res && res->status == 200, "fake IdP did not answer /ready");
}

FakeIdp::~FakeIdp() {
  server_->stop();
  thread_.join();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string FakeIdp::url() const { return absl::StrCat("https://127.0.0.1:", port_); }

void FakeIdp::ServeKeys(Json jwks) {
  std::lock_guard<std::mutex> lock(mu_);
  jwks_ = std::move(jwks);
}

void FakeIdp::SetJwksUri(std::string uri) {
  std::lock_guard<std::mutex> lock(mu_);
  jwks_uri_ = std::move(uri);
}

OidcConfig ConfigFor(const FakeIdp& idp) {
  OidcConfig config;
  config.provider_url = idp.url();
  config.client_id = "armada";
  config.groups_claim = "groups";
  config.ca_file = idp.ca_file();
  return config;
}

Json DefaultKeys() {
  return Json{{"keys",
               {PublicJwk(Rsa2048(), "rsa-1", "RS256"), PublicJwk(EcP256(), "ec-1", "ES256"),
                PublicJwk(EcP384(), "ec-384", "")}}};
}

}  // namespace armada::auth::testing
