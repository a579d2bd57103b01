#include "lib/net/internal/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace armada::net::internal {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr MemoryBio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

absl::Status Invalid(const std::string& what, const std::string& path, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": ", why));
}

}  // namespace

void X509Free::operator()(X509* x) const { X509_free(x); }
void PkeyFree::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
void ChainFree::operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
void StoreFree::operator()(X509_STORE* s) const { X509_STORE_free(s); }

std::string OpenSslErrors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid(what, path, "cannot be read");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

absl::StatusOr<KeyPair> LoadKeyPair(const std::string& cert_file, const std::string& key_file) {
  ERR_clear_error();
  absl::StatusOr<std::string> cert_pem = ReadFile(cert_file, "certificate");
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = ReadFile(key_file, "key");
  if (!key_pem.ok()) return key_pem.status();
  KeyPair pair;
  BioPtr bio = MemoryBio(*cert_pem);
  pair.cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!pair.cert) return Invalid("certificate", cert_file, "no PEM certificate");
  pair.chain.reset(sk_X509_new_null());
  while (X509* next = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(pair.chain.get(), next);
  }
  ERR_clear_error();  // the end of the file ends the loop with an error
  BioPtr key_bio = MemoryBio(*key_pem);
  pair.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!pair.key) return Invalid("key", key_file, "no unencrypted PEM private key");
  if (X509_check_private_key(pair.cert.get(), pair.key.get()) != 1) {
    ERR_clear_error();
    return Invalid("key", key_file, absl::StrCat("does not match the certificate ", cert_file));
  }
  return pair;
}

absl::StatusOr<StorePtr> LoadCaStore(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(path, "CA file");
  if (!pem.ok()) return pem.status();
  StorePtr store(X509_STORE_new());
  BioPtr bio = MemoryBio(*pem);
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store.get(), cert);  // takes its own reference
    X509_free(cert);
    ++count;
  }
  ERR_clear_error();
  if (count == 0) return Invalid("CA file", path, "no PEM certificate");
  return store;
}

}  // namespace armada::net::internal
