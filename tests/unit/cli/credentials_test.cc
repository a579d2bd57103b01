// The authorization armadactl sends (credentials.h): Basic, execAuth with real commands,
// bearerTokenFile, and the kinds it refuses.
#include "cli/credentials.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/unit/cli/temp_file.h"

namespace armada::cli {
namespace {

using testing::TempFile;

AuthConfig Auth(AuthKind kind, const std::string& key) {
  AuthConfig auth;
  auth.kind = kind;
  auth.key = key;
  return auth;
}

// A shell script in a temp file, executable.
struct Script {
  explicit Script(const std::string& body) : file("helper.sh", "#!/bin/sh\n" + body) {
    chmod(file.path().c_str(), 0700);
  }
  TempFile file;
};

CredentialSources NoSources() {
  CredentialSources sources = CredentialSources::Real();
  sources.fetch = [](const HttpRequest& request) -> absl::StatusOr<HttpResponse> {
    FAIL("unexpected HTTP request to " << request.url);
    return HttpResponse{};
  };
  return sources;
}

TEST_CASE("Authorization: basicAuth", "[credentials]") {
  AuthConfig auth = Auth(AuthKind::kBasic, "basicAuth");
  auth.username = "user1";
  auth.password = "pw";
  CHECK(*Authorization(auth, NoSources()) == "Basic dXNlcjE6cHc=");
}

TEST_CASE("Authorization: bearerTokenFile", "[credentials]") {
  AuthConfig auth = Auth(AuthKind::kBearerTokenFile, "contexts.a.bearerTokenFile");
  TempFile token("token", "  eyJtoken\n");
  auth.token_file = token.path();
  CHECK(*Authorization(auth, NoSources()) == "Bearer eyJtoken");

  TempFile empty("empty", "\n");
  auth.token_file = empty.path();
  absl::StatusOr<std::string> refused = Authorization(auth, NoSources());
  CHECK(refused.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(std::string(refused.status().message()) ==
        "contexts.a.bearerTokenFile: " + empty.path() + ": the file is empty");

  auth.token_file = "/nonexistent/token";
  CHECK(Authorization(auth, NoSources()).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("Authorization: execAuth runs the command", "[credentials]") {
  AuthConfig auth = Auth(AuthKind::kExec, "contexts.a.execAuth");
  SECTION("the token on stdout; args and env reach it; stdin is /dev/null") {
    Script script("cat; echo \"  $1-$EXEC_TEST_OUTPUT\"\n");
    auth.exec.cmd = script.file.path();
    auth.exec.args = {"tok"};
    auth.exec.env = {{"EXEC_TEST_OUTPUT", "en"}};
    CHECK(*Authorization(auth, NoSources()) == "Bearer tok-en");
  }
  SECTION("a Kubernetes ExecCredential") {
    Script script(
        "echo '{\"apiVersion\": \"client.authentication.k8s.io/v1\", \"kind\": "
        "\"ExecCredential\", \"status\": {\"token\": \"k8s-token\"}}'\n");
    auth.exec.cmd = script.file.path();
    CHECK(*Authorization(auth, NoSources()) == "Bearer k8s-token");
  }
  SECTION("a command that fails") {
    Script script("echo half-a-token; exit 3\n");
    auth.exec.cmd = script.file.path();
    absl::StatusOr<std::string> refused = Authorization(auth, NoSources());
    CHECK(refused.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(std::string(refused.status().message()) ==
          "contexts.a.execAuth: " + script.file.path() + " exited with status 3");
  }
  SECTION("a command that prints nothing") {
    Script script("exit 0\n");
    auth.exec.cmd = script.file.path();
    CHECK(std::string(Authorization(auth, NoSources()).status().message()) ==
          "contexts.a.execAuth: the command printed no token");
  }
  SECTION("a command that does not exist") {
    auth.exec.cmd = "no-such-armada-token-helper";
    absl::StatusOr<std::string> refused = Authorization(auth, NoSources());
    CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(std::string(refused.status().message()) ==
          "contexts.a.execAuth: cannot run no-such-armada-token-helper: No such file or "
          "directory");
  }
  SECTION("a command found on PATH") {
    auth.exec.cmd = "echo";
    auth.exec.args = {"from-path"};
    CHECK(*Authorization(auth, NoSources()) == "Bearer from-path");
  }
}

TEST_CASE("TokenFromExecOutput", "[credentials]") {
  CHECK(*TokenFromExecOutput("abc\n") == "abc");
  CHECK(TokenFromExecOutput("{\"kind\": \"Other\"}").status().code() ==
        absl::StatusCode::kUnauthenticated);
  CHECK(std::string(TokenFromExecOutput("{\"kind\": \"ExecCredential\", \"status\": {}}")
                        .status()
                        .message()) == "the command's ExecCredential has no status.token");
  CHECK(TokenFromExecOutput("{not json").status().code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("Authorization: unsupported kinds name the alternatives", "[credentials]") {
  for (AuthKind kind :
       {AuthKind::kOpenIdPkce, AuthKind::kKubernetesNative, AuthKind::kOpenIdKubernetes}) {
    absl::StatusOr<std::string> refused =
        Authorization(Auth(kind, "contexts.prod.openIdAuth"), NoSources());
    CHECK(refused.status().code() == absl::StatusCode::kUnimplemented);
    CHECK(std::string(refused.status().message()) ==
          "contexts.prod.openIdAuth: not supported by this armadactl (the browser and Kubernetes "
          "logins); use openIdDeviceAuth, openIdPasswordAuth, openIdClientCredentialsAuth, "
          "execAuth (e.g. a token helper), bearerTokenFile or basicAuth");
  }
}

}  // namespace
}  // namespace armada::cli
