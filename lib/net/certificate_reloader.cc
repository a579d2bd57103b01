#include "lib/net/certificate_reloader.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <chrono>

#include "spdlog/spdlog.h"

namespace armada::net {
namespace {

long long MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CertificateReloader>> CertificateReloader::Create(
    const TlsServerConfig& config) {
  std::unique_ptr<CertificateReloader> reloader(new CertificateReloader(config));
  std::lock_guard lock(reloader->mutex_);
  absl::Status loaded = reloader->Load();
  if (!loaded.ok()) return loaded;
  reloader->last_check_ns_ = MonotonicNanos();
  return reloader;
}

CertificateReloader::~CertificateReloader() = default;

CertificateReloader::Stamps CertificateReloader::CurrentStamps() const {
  auto stamp = [](const std::string& path) {
    FileStamp s;
    struct stat st {};
    if (path.empty() || ::stat(path.c_str(), &st) != 0) return s;
    s.inode = st.st_ino;
    s.size = st.st_size;
    s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    return s;
  };
  return {stamp(config_.cert_file), stamp(config_.key_file), stamp(config_.client_ca_file)};
}

absl::Status CertificateReloader::Load() {
  // Stamps first: a file replaced while we read is seen as changed next time.
  const Stamps stamps = CurrentStamps();
  absl::StatusOr<internal::KeyPair> pair =
      internal::LoadKeyPair(config_.cert_file, config_.key_file);
  if (!pair.ok()) return pair.status();
  internal::StorePtr ca;
  if (!config_.client_ca_file.empty()) {
    absl::StatusOr<internal::StorePtr> store = internal::LoadCaStore(config_.client_ca_file);
    if (!store.ok()) return store.status();
    ca = std::move(*store);
  }
  pair_ = std::move(*pair);
  ca_ = std::move(ca);
  stamps_ = stamps;
  ++loads_;
  return absl::OkStatus();
}

void CertificateReloader::MaybeReload() {
  std::lock_guard lock(mutex_);
  const long long now = MonotonicNanos();
  if (now - last_check_ns_ <
      static_cast<long long>(config_.refresh_interval_seconds) * 1000000000LL) {
    return;
  }
  last_check_ns_ = now;
  if (CurrentStamps() == stamps_) return;
  absl::Status loaded = Load();
  if (loaded.ok()) {
    spdlog::info("tls: reloaded certificate {}", config_.cert_file);
  } else {
    // Often a rotation caught halfway (certificate written, key not yet):
    // keep serving the old pair and look again at the next interval.
    spdlog::warn("tls: keeping the current certificate: {}", std::string(loaded.message()));
  }
}

int CertificateReloader::LoadsForTest() const {
  std::lock_guard lock(mutex_);
  return loads_;
}

bool CertificateReloader::Configure(SSL_CTX& ctx) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  {
    // The context's own pair as well, so it is never without one.
    std::lock_guard lock(mutex_);
    if (SSL_CTX_use_cert_and_key(&ctx, pair_.cert.get(), pair_.key.get(), pair_.chain.get(), 1) !=
        1) {
      return false;
    }
  }
  SSL_CTX_set_cert_cb(&ctx, &CertificateReloader::CertCallback, this);
  if (!config_.client_ca_file.empty()) {
    // Requested, verified when sent, never required here (see the header).
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
  }
  return true;
}

int CertificateReloader::CertCallback(SSL* ssl, void* self) {
  return static_cast<CertificateReloader*>(self)->Install(ssl);
}

int CertificateReloader::Install(SSL* ssl) {
  MaybeReload();
  std::lock_guard lock(mutex_);
  // Both take their own references: a reload later does not touch this SSL.
  if (SSL_use_cert_and_key(ssl, pair_.cert.get(), pair_.key.get(), pair_.chain.get(), 1) != 1) {
    return 0;
  }
  if (ca_ && SSL_set1_verify_cert_store(ssl, ca_.get()) != 1) return 0;
  return 1;
}

std::string CertificateReloader::VerifiedClientName(const SSL* ssl) {
  if (ssl == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return "";
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr) return "";
  X509_NAME* subject = X509_get_subject_name(peer);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return "";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return "";
  std::string name(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return name;
}

}  // namespace armada::net
