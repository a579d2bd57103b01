#include "lib/net/tls_bridge.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "lib/net/internal/pem.h"
#include "spdlog/spdlog.h"

namespace armada::net {
namespace {

void SetBlocking(int fd, bool blocking) {
  const int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK));
}

void SetIoTimeout(int fd, absl::Duration timeout) {
  const timeval tv = absl::ToTimeval(timeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

// A connected TCP socket (blocking) or kUnavailable.
absl::StatusOr<int> DialTcp(const std::string& host, int port, absl::Duration timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string where = absl::StrCat(host, ":", port);
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError(absl::StrCat(where, ": ", gai_strerror(rc)));
  }
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    SetBlocking(fd, false);
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
      int so_error = ETIMEDOUT;
      socklen_t len = sizeof(so_error);
      if (rc == 1) getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      rc = so_error == 0 ? 0 : -1;
      errno = so_error;
    }
    if (rc == 0) {
      SetBlocking(fd, true);
      freeaddrinfo(found);
      return fd;
    }
    error = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  return absl::UnavailableError(absl::StrCat(where, ": ", error));
}

// Runs `fn` with SIGPIPE blocked in this thread and discards one it raised:
// OpenSSL writes with write(2), which signals when the server has gone.
template <typename F>
auto WithoutSigpipe(F fn) {
  sigset_t pipe, old;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, &old);
  auto result = fn();
  sigset_t pending;
  sigpending(&pending);
  if (!sigismember(&old, SIGPIPE) && sigismember(&pending, SIGPIPE)) {
    const timespec zero{0, 0};
    sigtimedwait(&pipe, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return result;
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

absl::StatusOr<SSL_CTX*> MakeContext(const TlsBridgeOptions& options) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return absl::InternalError(internal::OpenSslErrors());
  auto fail = [ctx](absl::Status status) {
    SSL_CTX_free(ctx);
    return status;
  };
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // A record that carries no data (a TLS 1.3 session ticket) must return to
  // the pump's poll, not block in SSL_read while the library waits to send.
  SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);
  if (options.verify_peer) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const int loaded = options.ca_file.empty()
                           ? SSL_CTX_set_default_verify_paths(ctx)
                           : SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      return fail(absl::InvalidArgumentError(
          absl::StrCat("CA file ", options.ca_file, ": ", internal::OpenSslErrors())));
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return fail(
        absl::InvalidArgumentError("a client certificate needs both its cert and key file"));
  }
  if (!options.cert_file.empty()) {
    absl::StatusOr<internal::KeyPair> pair =
        internal::LoadKeyPair(options.cert_file, options.key_file);
    if (!pair.ok()) return fail(pair.status());
    if (SSL_CTX_use_cert_and_key(ctx, pair->cert.get(), pair->key.get(), pair->chain.get(), 1) !=
        1) {
      return fail(absl::InvalidArgumentError(internal::OpenSslErrors()));
    }
  }
  return ctx;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsBridge>> TlsBridge::Connect(const TlsBridgeOptions& options) {
  ERR_clear_error();
  absl::StatusOr<SSL_CTX*> ctx = MakeContext(options);
  if (!ctx.ok()) return ctx.status();
  if (!options.verify_peer) {
    spdlog::warn("tls {}:{}: the server's certificate is not verified", options.host, options.port);
  }
  absl::StatusOr<int> tcp = DialTcp(options.host, options.port, options.connect_timeout);
  if (!tcp.ok()) {
    SSL_CTX_free(*ctx);
    return tcp.status();
  }
  SSL* ssl = SSL_new(*ctx);
  auto fail = [&](const std::string& why) {
    SSL_free(ssl);
    SSL_CTX_free(*ctx);
    close(*tcp);
    return absl::UnavailableError(absl::StrCat("tls ", options.host, ":", options.port, ": ", why));
  };
  if (ssl == nullptr) return fail(internal::OpenSslErrors());
  const bool ip = IsIpLiteral(options.host);
  if (!ip) SSL_set_tlsext_host_name(ssl, options.host.c_str());
  if (options.verify_peer && options.check_hostname) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    const int named = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, options.host.c_str())
                         : X509_VERIFY_PARAM_set1_host(param, options.host.c_str(), 0);
    if (named != 1) return fail("cannot set the name to verify");
  }
  SSL_set_fd(ssl, *tcp);
  SetIoTimeout(*tcp, options.connect_timeout);
  if (WithoutSigpipe([ssl] { return SSL_connect(ssl); }) != 1) {
    std::string why = internal::OpenSslErrors();
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      why = absl::StrCat("certificate verify failed: ", X509_verify_cert_error_string(verify));
    }
    return fail(why);
  }
  SetIoTimeout(*tcp, absl::ZeroDuration());  // the pump waits as long as it takes
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return fail(absl::StrCat("socketpair: ", std::strerror(errno)));
  }
  const int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    close(pair[0]);
    close(pair[1]);
    return fail(absl::StrCat("eventfd: ", std::strerror(errno)));
  }
  SetBlocking(pair[1], false);
  return std::unique_ptr<TlsBridge>(new TlsBridge(*ctx, ssl, *tcp, pair[0], pair[1], wake));
}

TlsBridge::TlsBridge(SSL_CTX* ctx, SSL* ssl, int tcp_fd, int local_fd, int pump_fd, int wake_fd)
    : ctx_(ctx),
      ssl_(ssl),
      tcp_fd_(tcp_fd),
      local_fd_(local_fd),
      pump_fd_(pump_fd),
      wake_fd_(wake_fd) {
  pump_ = std::thread([this] { Pump(); });
}

TlsBridge::~TlsBridge() {
  stop_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
  // An SSL_read waiting for the rest of a record wakes up too.
  shutdown(tcp_fd_, SHUT_RDWR);
  pump_.join();
  SSL_free(ssl_);
  SSL_CTX_free(ctx_);
  close(tcp_fd_);
  close(pump_fd_);
  close(wake_fd_);
  if (local_fd_ >= 0) close(local_fd_);
}

int TlsBridge::TakeLocalFd() {
  const int fd = local_fd_;
  local_fd_ = -1;
  return fd;
}

bool TlsBridge::WriteToLocal(const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = send(pump_fd_, data, size, MSG_NOSIGNAL);
    if (n > 0) {
      data += n;
      size -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The library is not reading: wait for room, or for the stop request.
      pollfd fds[2] = {{pump_fd_, POLLOUT, 0}, {wake_fd_, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR) return false;
      if (fds[1].revents != 0 || stop_) return false;
      continue;
    }
    return false;  // the library closed its end
  }
  return true;
}

void TlsBridge::Pump() {
  // This thread's writes to a server that has gone return EPIPE, never
  // signal (a thread-directed SIGPIPE left pending dies with the thread).
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  char buffer[16 << 10];
  bool clean_close = false;
  while (!stop_) {
    // Decrypted bytes OpenSSL already holds would not wake poll().
    if (SSL_has_pending(ssl_) == 0) {
      pollfd fds[3] = {{pump_fd_, POLLIN, 0}, {tcp_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      if (poll(fds, 3, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[2].revents != 0) break;
      if (fds[0].revents != 0) {
        const ssize_t n = recv(pump_fd_, buffer, sizeof(buffer), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) {  // the library closed its end: end the session politely
          clean_close = true;
          break;
        }
        if (SSL_write(ssl_, buffer, static_cast<int>(n)) <= 0) break;
      }
      if (fds[1].revents == 0) continue;
    }
    const int n = SSL_read(ssl_, buffer, sizeof(buffer));
    if (n <= 0) {
      const int error = SSL_get_error(ssl_, n);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) continue;
      break;  // the server closed, or the connection broke
    }
    if (!WriteToLocal(buffer, static_cast<size_t>(n))) break;
  }
  if (clean_close) SSL_shutdown(ssl_);
  // The library reads EOF. Only our sending side is shut: its own writes
  // still succeed (and are dropped) until the bridge goes, instead of
  // raising SIGPIPE in its thread; it then fails on the EOF it reads.
  shutdown(pump_fd_, SHUT_WR);
  ERR_clear_error();
}

}  // namespace armada::net
