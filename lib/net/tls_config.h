#pragma once

// TLS settings for armada's ports and clients, as read from YAML. Plain data:
// the functions in server_credentials.h, channel_credentials.h and
// certificate_reloader.h validate them.

#include <string>

namespace armada::net {

// A server's side. PEM files; cert_file may hold the chain after the leaf.
struct TlsServerConfig {
  // Empty: plaintext (no TLS at all). REQUIRES: key_file set with it.
  std::string cert_file = {};
  std::string key_file = {};
  // Set: client certificates are requested and verified against these CAs.
  // Empty: no client certificate is asked for.
  std::string client_ca_file = {};
  // With client_ca_file: a connection without a valid client certificate is
  // refused (gRPC at the handshake; HTTP answers 401, except /health).
  bool require_client_certificate = false;
  // How often replaced files are looked for, in seconds (REQUIRES: >= 1).
  unsigned int refresh_interval_seconds = 10;

  bool enabled() const { return !cert_file.empty(); }
};

// A client's side. PEM files.
struct TlsClientConfig {
  // The CAs the server's certificate must chain to; empty: the system roots.
  std::string ca_file = {};
  // Both or neither: the client certificate for mutual TLS.
  std::string cert_file = {};
  std::string key_file = {};
  // The name the server's certificate must carry, when it is not the host
  // of the target address (e.g. dialing an IP). Empty: the target's host.
  std::string server_name = {};
  // true: no TLS (the other fields are ignored).
  bool plaintext = false;
};

}  // namespace armada::net
