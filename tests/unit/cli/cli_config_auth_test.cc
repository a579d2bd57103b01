// The authentication and TLS keys of armadactl contexts (cli_config.h, auth_config.h).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "cli/cli_config.h"

namespace armada::cli {
namespace {

constexpr char kContexts[] = R"(currentContext: password
contexts:
  password:
    armadaUrl: armada.example.com:443
    openIdPasswordAuth:
      providerUrl: https://idp.example.com/realms/armada
      clientId: armadactl
      clientSecret: s3cret
      scopes: [openid, armada]
      username: alice
      password: alice-password
  machine:
    armadaUrl: armada.example.com:443
    caFile: /etc/armada/ca.crt
    openIdClientCredentialsAuth:
      providerUrl: https://idp.example.com/realms/armada
      clientId: robot
      clientSecret: robot-secret
      scopes: [armada]
  device:
    openIdDeviceAuth: {providerUrl: "https://idp.example.com", clientId: cli, scopes: [email]}
  browser:
    openIdAuth: {providerUrl: "https://idp.example.com", clientId: cli, localPort: 8085}
  exec:
    execAuth:
      cmd: /usr/local/bin/token-helper
      args: [--get-token, --quiet]
      env:
        - {name: TOKEN_ENDPOINT, value: "http://localhost:5556/dex/token"}
      interactive: true
  file:
    armadaUrl: 127.0.0.1:50051
    bearerTokenFile: /run/secrets/armada-token
  mtls:
    armadaUrl: 10.0.0.5:50051
    caFile: ca.crt
    clientCertFile: me.crt
    clientKeyFile: me.key
    tlsServerName: armada.internal
  both:
    armadaUrl: localhost:50051
    execAuth: {cmd: helper}
    basicAuth: {username: admin, password: pw}
)";

CliConfig Parse(const std::string& text) {
  absl::StatusOr<CliConfig> config = ParseCliConfig(text, "cfg.yaml");
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  return *config;
}

const AuthConfig& OnlyAuth(const CliConfig& config, const std::string& context) {
  const ContextConfig& keys = config.contexts.at(context);
  REQUIRE(keys.auth.size() == 1);
  return keys.auth[0];
}

TEST_CASE("ParseCliConfig reads every authentication block", "[cli_config]") {
  const CliConfig config = Parse(kContexts);
  SECTION("openIdPasswordAuth") {
    const AuthConfig& auth = OnlyAuth(config, "password");
    CHECK(auth.kind == AuthKind::kOpenIdPassword);
    CHECK(auth.key == "contexts.password.openIdPasswordAuth");
    CHECK(auth.oidc.provider_url == "https://idp.example.com/realms/armada");
    CHECK(auth.oidc.client_id == "armadactl");
    CHECK(auth.oidc.client_secret == "s3cret");
    CHECK(auth.oidc.scopes == std::vector<std::string>{"openid", "armada"});
    CHECK(auth.oidc.username == "alice");
    CHECK(auth.oidc.password == "alice-password");
  }
  SECTION("openIdClientCredentialsAuth") {
    const AuthConfig& auth = OnlyAuth(config, "machine");
    CHECK(auth.kind == AuthKind::kOpenIdClientCredentials);
    CHECK(auth.oidc.client_id == "robot");
    CHECK(auth.oidc.client_secret == "robot-secret");
    CHECK(auth.oidc.ca_file.empty());  // ResolveConnection fills it from the context
  }
  SECTION("openIdDeviceAuth and openIdAuth") {
    CHECK(OnlyAuth(config, "device").kind == AuthKind::kOpenIdDevice);
    CHECK(OnlyAuth(config, "device").oidc.scopes == std::vector<std::string>{"email"});
    CHECK(OnlyAuth(config, "browser").kind == AuthKind::kOpenIdPkce);
  }
  SECTION("execAuth") {
    const AuthConfig& auth = OnlyAuth(config, "exec");
    CHECK(auth.kind == AuthKind::kExec);
    CHECK(auth.exec.cmd == "/usr/local/bin/token-helper");
    CHECK(auth.exec.args == std::vector<std::string>{"--get-token", "--quiet"});
    REQUIRE(auth.exec.env.size() == 1);
    CHECK(auth.exec.env[0].first == "TOKEN_ENDPOINT");
    CHECK(auth.exec.env[0].second == "http://localhost:5556/dex/token");
    CHECK(auth.exec.interactive);
  }
  SECTION("bearerTokenFile") {
    const AuthConfig& auth = OnlyAuth(config, "file");
    CHECK(auth.kind == AuthKind::kBearerTokenFile);
    CHECK(auth.token_file == "/run/secrets/armada-token");
  }
  SECTION("TLS keys") {
    const ContextConfig& mtls = config.contexts.at("mtls");
    CHECK(mtls.ca_file == "ca.crt");
    CHECK(mtls.client_cert_file == "me.crt");
    CHECK(mtls.client_key_file == "me.key");
    CHECK(mtls.tls_server_name == "armada.internal");
    CHECK(mtls.auth.empty());
  }
}

struct BadCase {
  std::string name;
  std::string text;
  std::string error;
};

const std::vector<BadCase> kBadAuth = {
    {"basicAuth unknown key", "basicAuth: {username: a, pass: b}\n",
     "cfg.yaml:1: basicAuth.pass: unknown key (expected username, password)"},
    {"basicAuth without username", "basicAuth: {password: b}\n",
     "cfg.yaml:1: basicAuth: missing username"},
    {"password grant without password",
     "contexts:\n  a:\n    openIdPasswordAuth:\n      providerUrl: https://idp\n"
     "      clientId: c\n      username: u\n",
     "cfg.yaml:4: contexts.a.openIdPasswordAuth: missing password"},
    {"client credentials without secret",
     "openIdClientCredentialsAuth: {providerUrl: https://idp, clientId: c}\n",
     "cfg.yaml:1: openIdClientCredentialsAuth: missing clientSecret"},
    {"client credentials with a username",
     "openIdClientCredentialsAuth: {providerUrl: https://idp, clientId: c, clientSecret: s, "
     "username: u}\n",
     "cfg.yaml:1: openIdClientCredentialsAuth.username: unknown key (expected providerUrl, "
     "clientId, scopes, caFile, clientSecret)"},
    {"OIDC without providerUrl", "openIdDeviceAuth: {clientId: c}\n",
     "cfg.yaml:1: openIdDeviceAuth: missing providerUrl"},
    {"scopes not a list", "openIdDeviceAuth: {providerUrl: p, clientId: c, scopes: openid}\n",
     "cfg.yaml:1: openIdDeviceAuth.scopes: expected a list, got \"openid\""},
    {"execAuth without cmd", "execAuth: {args: [x]}\n", "cfg.yaml:1: execAuth: missing cmd"},
    {"execAuth env not a list", "execAuth: {cmd: x, env: {A: b}}\n",
     "cfg.yaml:1: execAuth.env: expected a list of {name, value}, got a map"},
    {"execAuth env item key", "execAuth:\n  cmd: x\n  env:\n    - {name: A, val: b}\n",
     "cfg.yaml:4: execAuth.env[0].val: unknown key (expected name, value)"},
    {"execAuth interactive", "execAuth: {cmd: x, interactive: sometimes}\n",
     "cfg.yaml:1: execAuth.interactive: expected true or false, got \"sometimes\""},
    {"bearerTokenFile a map", "bearerTokenFile: {path: x}\n",
     "cfg.yaml:1: bearerTokenFile: expected a string, got a map"},
    {"caFile a list", "caFile: [a]\n", "cfg.yaml:1: caFile: expected a string, got a list"},
};

TEST_CASE("ParseCliConfig authentication errors name the key", "[cli_config]") {
  const BadCase c = GENERATE(from_range(kBadAuth));
  DYNAMIC_SECTION(c.name) {
    absl::StatusOr<CliConfig> config = ParseCliConfig(c.text, "cfg.yaml");
    REQUIRE_FALSE(config.ok());
    CHECK(config.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(config.status().message()) == c.error);
  }
}

absl::StatusOr<ResolvedConnection> Resolve(const CliConfig& config, const std::string& context,
                                           const std::string& url_flag = "") {
  return ResolveConnection(config, GlobalFlags{"", context, url_flag}, CliEnvironment{});
}

TEST_CASE("ResolveConnection picks the authentication block", "[cli_config]") {
  const CliConfig config = Parse(kContexts);
  SECTION("Armada's precedence: basicAuth before execAuth, with a note") {
    absl::StatusOr<ResolvedConnection> c = Resolve(config, "both");
    REQUIRE(c.ok());
    REQUIRE(c->auth.has_value());
    CHECK(c->auth->kind == AuthKind::kBasic);
    CHECK(c->notes ==
          std::vector<std::string>{"contexts.both.execAuth: ignored: contexts.both.basicAuth takes "
                                   "precedence (as in Armada)"});
  }
  SECTION("an OpenID block takes the context's caFile") {
    absl::StatusOr<ResolvedConnection> c = Resolve(config, "machine");
    REQUIRE(c.ok());
    CHECK(c->auth->oidc.ca_file == "/etc/armada/ca.crt");
    CHECK(c->options.ca_file == "/etc/armada/ca.crt");
    CHECK(c->options.use_tls);
  }
  SECTION("no block: no credentials") {
    absl::StatusOr<ResolvedConnection> c = ResolveConnection(CliConfig(), {}, CliEnvironment{});
    REQUIRE(c.ok());
    CHECK_FALSE(c->auth.has_value());
  }
}

struct TlsCase {
  std::string name;
  std::string keys;  // the context's keys, one per line
  std::string url_flag;
  bool use_tls;
};

const std::vector<TlsCase> kTlsCases = {
    {"remote: TLS", "armadaUrl: armada.example.com:443", "", true},
    {"remote, forceNoTls", "armadaUrl: armada.example.com:443\nforceNoTls: true", "", false},
    {"127.0.0.1 without TLS keys: plaintext", "armadaUrl: 127.0.0.1:50051", "", false},
    {"127.9.8.7: plaintext", "armadaUrl: 127.9.8.7:50051", "", false},
    {"localhost: plaintext", "armadaUrl: localhost:50051", "", false},
    {"[::1]: plaintext", "armadaUrl: \"[::1]:50051\"", "", false},
    {"loopback with caFile: TLS", "armadaUrl: 127.0.0.1:50051\ncaFile: ca.crt", "", true},
    {"loopback with tlsServerName: TLS", "armadaUrl: localhost:1\ntlsServerName: armada", "", true},
    {"--armadaUrl to loopback decides", "armadaUrl: armada.example.com:443", "127.0.0.1:1", false},
    {"--armadaUrl to a remote host decides", "armadaUrl: 127.0.0.1:1", "armada.example.com:443",
     true},
    {"no armadaUrl: localhost:50051, plaintext", "forceNoTls: false", "", false},
};

TEST_CASE("ResolveConnection TLS rule", "[cli_config]") {
  const TlsCase c = GENERATE(from_range(kTlsCases));
  DYNAMIC_SECTION(c.name) {
    const std::string text = absl::StrCat("contexts:\n  x:\n    ",
                                          absl::StrReplaceAll(c.keys, {{"\n", "\n    "}}), "\n");
    absl::StatusOr<ResolvedConnection> resolved = Resolve(Parse(text), "x", c.url_flag);
    REQUIRE(resolved.ok());
    CHECK(resolved->options.use_tls == c.use_tls);
  }
}

TEST_CASE("ResolveConnection refuses contradictory TLS keys", "[cli_config]") {
  SECTION("forceNoTls with caFile") {
    absl::StatusOr<ResolvedConnection> c =
        Resolve(Parse("contexts:\n  x:\n    forceNoTls: true\n    caFile: ca.crt\n"), "x");
    CHECK(c.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(c.status().message()) ==
          "context x: forceNoTls: true with caFile, clientCertFile, clientKeyFile or "
          "tlsServerName");
  }
  SECTION("a client certificate without its key") {
    absl::StatusOr<ResolvedConnection> c = Resolve(Parse("clientCertFile: me.crt\n"), "");
    CHECK(std::string(c.status().message()) ==
          "the config file: clientCertFile and clientKeyFile go together");
  }
}

TEST_CASE("IsLoopbackUrl", "[cli_config]") {
  for (const char* url : {"127.0.0.1:50051", "127.255.0.1:1", "localhost:50051", "LOCALHOST:1",
                          "armada.localhost:1", "[::1]:50051", "::1", "dns:///localhost:50051",
                          "ipv4:127.0.0.1:5", "unix:/tmp/armada.sock", "localhost"}) {
    INFO(url);
    CHECK(IsLoopbackUrl(url));
  }
  for (const char* url :
       {"armada.example.com:443", "10.0.0.1:50051", "128.0.0.1:1", "127.0.0.256:1", "127.0.0:1",
        "localhost.example.com:1", "[::2]:1", "dns:///armada:443", "127.0.0.1.example.com:1"}) {
    INFO(url);
    CHECK_FALSE(IsLoopbackUrl(url));
  }
}

}  // namespace
}  // namespace armada::cli
