#pragma once

// A TLS client connection offered as a plain socket: for libraries that
// cannot speak TLS themselves (hiredis 0.14). Connect() dials the server,
// completes a verified TLS handshake and returns a bridge whose
// TakeLocalFd() is one end of a socketpair; a pump thread copies bytes
// between the other end and the TLS connection. The library uses the fd as
// if it were the TCP socket (hiredis: redisConnectFd) and closes it when
// done, which ends the TLS session (close_notify) and the pump.

#include <openssl/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace armada::net {

struct TlsBridgeOptions {
  std::string host;
  int port = 0;
  // PEM CAs the server must chain to; empty: OpenSSL's default paths.
  std::string ca_file;
  // Both or neither: a client certificate for mutual TLS.
  std::string cert_file;
  std::string key_file;
  // false: any certificate is accepted (testing only; logged as a warning).
  bool verify_peer = true;
  // With verify_peer: the certificate must name `host` (DNS name or IP).
  bool check_hostname = true;
  absl::Duration connect_timeout = absl::Seconds(5);
};

// Thread-compatible: one owner. The pump thread is internal.
class TlsBridge {
 public:
  // kUnavailable when the server cannot be reached or the handshake fails
  // (a certificate that does not verify included, with OpenSSL's reason);
  // kInvalidArgument naming the file when a CA or key file is unusable.
  static absl::StatusOr<std::unique_ptr<TlsBridge>> Connect(const TlsBridgeOptions& options);
  // Ends the pump (whether or not the local fd was closed) and frees
  // everything. Blocks only for the pump thread to notice.
  ~TlsBridge();
  TlsBridge(const TlsBridge&) = delete;
  TlsBridge& operator=(const TlsBridge&) = delete;

  // The caller's end of the socketpair, once (-1 after); the caller owns and
  // closes it.
  int TakeLocalFd();

 private:
  TlsBridge(SSL_CTX* ctx, SSL* ssl, int tcp_fd, int local_fd, int pump_fd, int wake_fd);
  void Pump();
  bool WriteToLocal(const char* data, size_t size);

  SSL_CTX* ctx_;
  SSL* ssl_;
  int tcp_fd_;
  int local_fd_;
  int pump_fd_;  // non-blocking
  int wake_fd_;  // eventfd: the destructor's stop request
  std::atomic<bool> stop_{false};
  std::thread pump_;
};

}  // namespace armada::net
