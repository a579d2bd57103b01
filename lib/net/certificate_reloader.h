#pragma once

// TLS for an OpenSSL server (the HTTP port): the certificate, key and client
// CAs of a TlsServerConfig, installed on each connection from the
// SSL_CTX's certificate callback, so that files replaced on disk (a renewed
// certificate) are served from the next handshake on, without a restart.

#include <openssl/types.h>
#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "lib/net/internal/pem.h"
#include "lib/net/tls_config.h"

namespace armada::net {

class CertificateReloader {
 public:
  // Loads the files now. kInvalidArgument naming the file when one is
  // missing, unparsable, or the key does not match the certificate.
  // REQUIRES: config.enabled().
  static absl::StatusOr<std::unique_ptr<CertificateReloader>> Create(const TlsServerConfig& config);
  ~CertificateReloader();
  CertificateReloader(const CertificateReloader&) = delete;
  CertificateReloader& operator=(const CertificateReloader&) = delete;

  // Sets up `ctx` (TLS 1.2 or later, the certificate callback, client
  // certificate verification when client_ca_file is set) to serve with this
  // reloader, which must outlive it. Returns false on an OpenSSL error.
  // Client certificates are requested but never required at the handshake,
  // so that a caller can leave some paths (/health) open; see
  // HasVerifiedClientCertificate.
  bool Configure(SSL_CTX& ctx);

  // Re-reads the files when their modification time, size or inode changed
  // since the last load and they form a valid pair; otherwise (unchanged, or
  // half-written: the pair does not match) keeps the current ones. Called on
  // each handshake, at most once per refresh_interval_seconds; thread-safe.
  void MaybeReload();

  // How many times the files were loaded (1 after Create). For tests.
  int LoadsForTest() const;

  // The CN of the verified client certificate on `ssl`; empty when the peer
  // sent none or it did not verify.
  static std::string VerifiedClientName(const SSL* ssl);

 private:
  struct FileStamp {
    ino_t inode = 0;
    off_t size = 0;
    long long mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  struct Stamps {
    FileStamp cert, key, ca;
    bool operator==(const Stamps&) const = default;
  };

  explicit CertificateReloader(TlsServerConfig config) : config_(std::move(config)) {}
  Stamps CurrentStamps() const;
  absl::Status Load();
  static int CertCallback(SSL* ssl, void* self);
  int Install(SSL* ssl);

  const TlsServerConfig config_;
  mutable std::mutex mutex_;
  internal::KeyPair pair_;       // GUARDED_BY(mutex_)
  internal::StorePtr ca_;        // GUARDED_BY(mutex_); null without client_ca_file
  Stamps stamps_;                // GUARDED_BY(mutex_)
  long long last_check_ns_ = 0;  // GUARDED_BY(mutex_), monotonic
  int loads_ = 0;                // GUARDED_BY(mutex_)
};

}  // namespace armada::net
