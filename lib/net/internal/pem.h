#pragma once

// Reading PEM files with OpenSSL, with errors that name the file.

#include <openssl/x509.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace armada::net::internal {

struct X509Free {
  void operator()(X509* x) const;
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const;
};
struct ChainFree {
  void operator()(STACK_OF(X509) * s) const;
};
struct StoreFree {
  void operator()(X509_STORE* s) const;
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using ChainPtr = std::unique_ptr<STACK_OF(X509), ChainFree>;
using StorePtr = std::unique_ptr<X509_STORE, StoreFree>;

// A certificate (the first in the file), the rest of the chain and its key.
struct KeyPair {
  X509Ptr cert;
  ChainPtr chain;  // the certificates after the first; never null
  PkeyPtr key;
};

// The whole file; kInvalidArgument "<what> <path>: <reason>" when unreadable.
absl::StatusOr<std::string> ReadFile(const std::string& path, const std::string& what);

// kInvalidArgument naming the file when either does not parse, the cert file
// has no certificate, or the key does not belong to the certificate.
absl::StatusOr<KeyPair> LoadKeyPair(const std::string& cert_file, const std::string& key_file);

// Every certificate in `path` in a new store; kInvalidArgument when none.
absl::StatusOr<StorePtr> LoadCaStore(const std::string& path);

// The pending OpenSSL error queue as text, emptied.
std::string OpenSslErrors();

}  // namespace armada::net::internal
