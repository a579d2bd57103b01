#pragma once

// Helpers for the TLS tests: test certificates (scripts/make-test-certs),
// free loopback ports, a redis-server of the test's own, the server
// certificate a TLS port presents, and bounded polling.

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/integration/temp_dir.h"

namespace armada::testing {

// A directory with the certificates scripts/make-test-certs writes
// (ca.crt, server.crt/.key, server2, executor, admin, other-ca, other-server).
class TestCerts {
 public:
  TestCerts();
  // "<dir>/<name>", e.g. File("ca.crt").
  std::string File(const std::string& name) const { return dir_.Path() + "/" + name; }
  const std::string& Dir() const { return dir_.Path(); }

 private:
  TempDir dir_;
};

// Copies `from` over `to` atomically (write beside, rename), as a secret
// volume or cert-manager replaces a file.
void ReplaceFile(const std::string& from, const std::string& to);

// A port nothing listens on right now.
int FreePort();

// The SHA-256 of the certificate a TLS server on 127.0.0.1:port presents
// (hex); empty when no handshake could start. Offers ALPN h2 so gRPC
// accepts the handshake.
std::string PresentedCertificateFingerprint(int port);
// The same for a PEM file.
std::string FileCertificateFingerprint(const std::string& pem_file);

// Calls `ready` until it returns true or `limit` passes; its last answer.
bool PollUntil(const std::function<bool()>& ready, absl::Duration limit = absl::Seconds(20));

// A redis-server on a free loopback port with `args` added, stopped (by
// its pid) and its files removed at the end.
class RedisProcess {
 public:
  explicit RedisProcess(std::vector<std::string> args, bool tls_only = false);
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;
  int port() const { return port_; }

 private:
  TempDir dir_;
  int port_;
  pid_t pid_ = -1;
};

// Open file descriptors and threads of this process (leak checks).
int OpenFdCount();
int ThreadCount();

}  // namespace armada::testing
