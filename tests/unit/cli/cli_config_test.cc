#include "cli/cli_config.h"

#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "tests/unit/cli/temp_file.h"

namespace armada::cli {
namespace {

using testing::TempFile;

constexpr char kConfig[] = R"(currentContext: main
contexts:
  main:
    armadaUrl: armada.example.com:443
    openIdAuth:
      providerUrl: https://idp.example.com
      clientId: armadactl
  dev:
    armadaUrl: localhost:50051
    forceNoTls: true
    basicAuth: {username: user1, password: pw}
    localLogDir: /tmp/armada-executor
)";

CliConfig Parse(const std::string& text) {
  absl::StatusOr<CliConfig> config = ParseCliConfig(text, "cfg.yaml");
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  return *config;
}

TEST_CASE("ParseCliConfig reads Armada's contexts", "[cli_config]") {
  const CliConfig config = Parse(kConfig);
  CHECK(config.path == "cfg.yaml");
  CHECK(config.current_context == "main");
  REQUIRE(config.contexts.size() == 2);
  const ContextConfig& dev = config.contexts.at("dev");
  CHECK(dev.armada_url == "localhost:50051");
  CHECK(dev.force_no_tls);
  REQUIRE(dev.auth.size() == 1);
  CHECK(dev.auth[0].kind == AuthKind::kBasic);
  CHECK(dev.auth[0].key == "contexts.dev.basicAuth");
  CHECK(dev.auth[0].username == "user1");
  CHECK(dev.auth[0].password == "pw");
  CHECK(dev.local_log_dir == "/tmp/armada-executor");
  const ContextConfig& main = config.contexts.at("main");
  CHECK_FALSE(main.force_no_tls);
  REQUIRE(main.auth.size() == 1);
  CHECK(main.auth[0].kind == AuthKind::kOpenIdPkce);
  CHECK(main.auth[0].oidc.provider_url == "https://idp.example.com");
  CHECK(main.notes.empty());
}

TEST_CASE("ParseCliConfig notes Armada keys it does not use", "[cli_config]") {
  const CliConfig config =
      Parse("contexts:\n  a:\n    armadaUrl: x:1\n    cacheRefreshToken: true\n");
  REQUIRE(config.contexts.at("a").notes.size() == 1);
  CHECK(config.contexts.at("a").notes[0] ==
        "cfg.yaml:4: contexts.a.cacheRefreshToken: ignored: this armadactl keeps tokens in memory, "
        "for one command");
}

TEST_CASE("ParseCliConfig reads top-level connection keys", "[cli_config]") {
  const CliConfig config = Parse("armadaUrl: server:50051\nforceNoTls: true\n");
  CHECK(config.contexts.empty());
  CHECK(config.top_level.armada_url == "server:50051");
  CHECK(config.top_level.force_no_tls);
  CHECK(Parse("").contexts.empty());
}

struct BadCase {
  std::string name;
  std::string text;
  std::string error;
};

const std::vector<BadCase> kBadCases = {
    {"wrong bool", "contexts:\n  dev:\n    forceNoTls: maybe\n",
     "cfg.yaml:3: contexts.dev.forceNoTls: expected true or false, got \"maybe\""},
    {"unknown key", "contexts:\n  dev:\n    armadaURL: x\n",
     "cfg.yaml:3: contexts.dev.armadaURL: unknown connection key"},
    {"contexts not a map", "contexts: [a]\n",
     "cfg.yaml:1: contexts: expected a map of contexts, got a list"},
    {"unknown top-level key", "currentContext: a\ncolour: red\n",
     "cfg.yaml:2: colour: unknown key (expected currentContext, contexts or a connection key)"},
    {"basicAuth not a map", "basicAuth: user\n",
     "cfg.yaml:1: basicAuth: expected a map, got \"user\""},
};

TEST_CASE("ParseCliConfig errors name the file, line and key", "[cli_config]") {
  const BadCase c = GENERATE(from_range(kBadCases));
  DYNAMIC_SECTION(c.name) {
    absl::StatusOr<CliConfig> config = ParseCliConfig(c.text, "cfg.yaml");
    REQUIRE_FALSE(config.ok());
    CHECK(config.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(config.status().message()) == c.error);
  }
}

TEST_CASE("ConfigPath precedence", "[cli_config]") {
  bool explicit_path = false;
  CliEnvironment env{"/home/u", "", ""};
  CHECK(ConfigPath(GlobalFlags{}, env, &explicit_path) == "/home/u/.armadactl.yaml");
  CHECK_FALSE(explicit_path);
  env.armadactl_config = "/etc/armadactl.yaml";
  CHECK(ConfigPath(GlobalFlags{}, env, &explicit_path) == "/etc/armadactl.yaml");
  CHECK(explicit_path);
  CHECK(ConfigPath(GlobalFlags{"/x.yaml", "", ""}, env, &explicit_path) == "/x.yaml");
}

TEST_CASE("ResolveConnection precedence", "[cli_config]") {
  const CliConfig config = Parse(kConfig);
  const CliEnvironment env;
  SECTION("current context, TLS by default") {
    absl::StatusOr<ResolvedConnection> c = ResolveConnection(config, GlobalFlags{}, env);
    REQUIRE(c.ok());
    CHECK(c->context == "main");
    CHECK(c->options.url == "armada.example.com:443");
    CHECK(c->options.use_tls);
    CHECK(c->options.metadata.empty());
    REQUIRE(c->auth.has_value());
    CHECK(c->auth->kind == AuthKind::kOpenIdPkce);
    CHECK(c->notes.empty());
  }
  SECTION("--context, basic auth, forceNoTls, log dir") {
    absl::StatusOr<ResolvedConnection> c = ResolveConnection(config, {"", "dev", ""}, env);
    REQUIRE(c.ok());
    CHECK(c->options.url == "localhost:50051");
    CHECK_FALSE(c->options.use_tls);
    REQUIRE(c->auth.has_value());
    CHECK(c->auth->username == "user1");
    CHECK(c->local_log_dir == "/tmp/armada-executor");
  }
  SECTION("ARMADA_URL beats the context, --armadaUrl beats both") {
    CliEnvironment with_url{"", "env:1", ""};
    CHECK(ResolveConnection(config, {}, with_url)->options.url == "env:1");
    CHECK(ResolveConnection(config, {"", "", "flag:2"}, with_url)->options.url == "flag:2");
  }
  SECTION("unknown context") {
    absl::StatusOr<ResolvedConnection> c = ResolveConnection(config, {"", "prod", ""}, env);
    CHECK(c.status().code() == absl::StatusCode::kNotFound);
    CHECK(std::string(c.status().message()) == "context prod is not in cfg.yaml");
  }
  SECTION("no config file: plaintext to localhost") {
    absl::StatusOr<ResolvedConnection> c = ResolveConnection(CliConfig(), {}, env);
    REQUIRE(c.ok());
    CHECK(c->options.url == "localhost:50051");
    CHECK_FALSE(c->options.use_tls);
    CHECK(c->context.empty());
  }
}

TEST_CASE("SetCurrentContext keeps the rest of the file", "[cli_config]") {
  CHECK(SetCurrentContext("# mine\ncurrentContext: main\ncontexts: {}\n", "dev") ==
        "# mine\ncurrentContext: dev\ncontexts: {}\n");
  CHECK(SetCurrentContext("contexts: {}\n", "dev") == "currentContext: dev\ncontexts: {}\n");
}

TEST_CASE("config use-context, get-contexts and current-context", "[cli_config]") {
  TempFile file("armadactl.yaml", kConfig);
  std::ostringstream out;
  REQUIRE(RunUseContext(file.path(), "dev", out).ok());
  CHECK(out.str() == "Switched to context dev\n");
  absl::StatusOr<CliConfig> config = LoadCliConfig(file.path(), /*must_exist=*/true);
  REQUIRE(config.ok());
  CHECK(config->current_context == "dev");

  std::ostringstream contexts;
  REQUIRE(RunGetContexts(*config, contexts).ok());
  CHECK(contexts.str() ==
        "CURRENT  NAME  ARMADA URL\n"
        "*        dev   localhost:50051\n"
        "         main  armada.example.com:443\n");
  std::ostringstream current;
  REQUIRE(RunCurrentContext(*config, current).ok());
  CHECK(current.str() == "dev\n");

  CHECK(RunUseContext(file.path(), "nope", out).code() == absl::StatusCode::kNotFound);
  CHECK(RunCurrentContext(CliConfig(), current).code() == absl::StatusCode::kNotFound);
  CHECK(LoadCliConfig("/nonexistent/armadactl.yaml", true).status().code() ==
        absl::StatusCode::kNotFound);
  CHECK(LoadCliConfig("/nonexistent/armadactl.yaml", false)->path.empty());
}

}  // namespace
}  // namespace armada::cli
