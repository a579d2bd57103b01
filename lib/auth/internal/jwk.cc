#include "lib/auth/internal/jwk.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "lib/auth/internal/base64url.h"

namespace armada::auth::internal {
namespace {

using Json = nlohmann::json;

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// A key left out, with the reason; or the key.
struct Outcome {
  std::optional<Jwk> key;
  std::string skip_reason;
};
Outcome Skip(std::string reason) { return Outcome{std::nullopt, std::move(reason)}; }

std::optional<std::string> Base64Member(const Json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return DecodeBase64Url(it->get_ref<const std::string&>());
}

// EVP_PKEY_fromdata for a public key of `type` ("RSA", "EC").
Pkey FromParams(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  return Pkey(pkey);
}

std::optional<std::string> ToPem(EVP_PKEY* pkey) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), pkey) != 1) return std::nullopt;
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0) return std::nullopt;
  return std::string(data, static_cast<size_t>(n));
}

Outcome RsaKey(const Json& jwk, Jwk key) {
  std::optional<std::string> n = Base64Member(jwk, "n");
  std::optional<std::string> e = Base64Member(jwk, "e");
  if (!n || !e || n->empty() || e->empty()) return Skip("RSA key without valid n and e");
  const auto* n_bytes = reinterpret_cast<const unsigned char*>(n->data());
  const auto* e_bytes = reinterpret_cast<const unsigned char*>(e->data());
  std::unique_ptr<BIGNUM, BnFree> bn_n(BN_bin2bn(n_bytes, static_cast<int>(n->size()), nullptr));
  std::unique_ptr<BIGNUM, BnFree> bn_e(BN_bin2bn(e_bytes, static_cast<int>(e->size()), nullptr));
  if (bn_n == nullptr || bn_e == nullptr) return Skip("RSA key: out of memory");
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return Skip(absl::StrCat("RSA key of ", bits, " bits"));
  }
  if (!BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) return Skip("RSA key with invalid e");
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return Skip("RSA key: out of memory");
  }
  Pkey pkey = FromParams("RSA", bld.get());
  if (pkey == nullptr) return Skip("RSA key OpenSSL does not accept");
  std::optional<std::string> pem = ToPem(pkey.get());
  if (!pem) return Skip("RSA key OpenSSL cannot encode");
  key.type = KeyType::kRsa;
  key.pem = std::move(*pem);
  return Outcome{std::move(key), ""};
}

Outcome EcKey(const Json& jwk, Jwk key) {
  auto crv = jwk.find("crv");
  if (crv == jwk.end() || !crv->is_string()) return Skip("EC key without crv");
  const std::string& curve = crv->get_ref<const std::string&>();
  const char* group = nullptr;
  size_t field_bytes = 0;
  if (curve == "P-256") {
    group = "prime256v1";
    field_bytes = 32;
  } else if (curve == "P-384") {
    group = "secp384r1";
    field_bytes = 48;
  } else if (curve == "P-521") {
    group = "secp521r1";
    field_bytes = 66;
  } else {
    return Skip(absl::StrCat("EC curve ", curve.substr(0, 16), " not supported"));
  }
  std::optional<std::string> x = Base64Member(jwk, "x");
  std::optional<std::string> y = Base64Member(jwk, "y");
  // RFC 7518 6.2.1.2: x and y are exactly the field size.
  if (!x || !y || x->size() != field_bytes || y->size() != field_bytes) {
    return Skip("EC key without valid x and y");
  }
  const std::string point = absl::StrCat("\x04", *x, *y);  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return Skip("EC key: out of memory");
  }
  Pkey pkey = FromParams("EC", bld.get());
  if (pkey == nullptr) return Skip("EC key whose point is not on its curve");
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return Skip("EC key whose point is not on its curve");
  }
  std::optional<std::string> pem = ToPem(pkey.get());
  if (!pem) return Skip("EC key OpenSSL cannot encode");
  key.type = KeyType::kEc;
  key.curve = curve;
  key.pem = std::move(*pem);
  return Outcome{std::move(key), ""};
}

Outcome ParseOne(const Json& jwk) {
  if (!jwk.is_object()) return Skip("not a JSON object");
  Jwk key;
  if (auto kid = jwk.find("kid"); kid != jwk.end()) {
    if (!kid->is_string()) return Skip("kid is not a string");
    key.kid = kid->get<std::string>();
  }
  if (auto use = jwk.find("use"); use != jwk.end()) {
    if (!use->is_string() || use->get_ref<const std::string&>() != "sig")
      return Skip("use is not sig");
  }
  if (auto alg = jwk.find("alg"); alg != jwk.end()) {
    if (!alg->is_string()) return Skip("alg is not a string");
    key.alg = alg->get<std::string>();
  }
  auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string()) return Skip("no kty");
  const std::string& type = kty->get_ref<const std::string&>();
  if (type == "RSA") return RsaKey(jwk, std::move(key));
  if (type == "EC") return EcKey(jwk, std::move(key));
  return Skip(absl::StrCat("kty ", type.substr(0, 16), " not supported"));
}

}  // namespace

absl::StatusOr<JwkSet> ParseJwkSet(std::string_view json) {
  const Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError("key set is not a JSON object");
  }
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) {
    return absl::InvalidArgumentError("key set has no \"keys\" array");
  }
  JwkSet set;
  for (const Json& jwk : *keys) {
    Outcome outcome = ParseOne(jwk);
    std::string kid;
    if (jwk.is_object()) {
      auto it = jwk.find("kid");
      if (it != jwk.end() && it->is_string()) kid = it->get<std::string>();
    }
    if (!outcome.key) {
      set.skipped.emplace(kid, std::move(outcome.skip_reason));
    } else if (!set.keys.contains(kid)) {
      set.keys.emplace(kid, std::move(*outcome.key));
    }
  }
  return set;
}

bool KeyAcceptsAlg(const Jwk& key, std::string_view alg) {
  if (!key.alg.empty() && key.alg != alg) return false;
  if (alg == "RS256" || alg == "RS384" || alg == "RS512") return key.type == KeyType::kRsa;
  if (key.type != KeyType::kEc) return false;
  if (alg == "ES256") return key.curve == "P-256";
  if (alg == "ES384") return key.curve == "P-384";
  if (alg == "ES512") return key.curve == "P-521";
  return false;
}

}  // namespace armada::auth::internal
