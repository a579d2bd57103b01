// The `authorization` value armadactl sends with every call, from the context's authentication
// block (auth_config.h). Obtained once per armadactl invocation (Session in armadactl.cc keeps
// it), so a fetched OpenID token or an execAuth command is requested once, not per call.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "cli/auth_config.h"
#include "cli/http_client.h"
#include "cli/oidc_client.h"

namespace armada::cli {

// Where credentials come from; Real() is the process's, tests replace members.
struct CredentialSources {
  HttpFetch fetch;
  DeviceFlowIo device_io;
  // Runs an execAuth command and returns its stdout (RunExecCommand).
  std::function<absl::StatusOr<std::string>(const ExecAuthConfig&)> run_command;

  // CurlFetch, the device prompt on stderr with real sleeps, RunExecCommand.
  static CredentialSources Real();
};

// Authorization(auth, sources): the header value for `auth`:
//   basicAuth                     "Basic " + base64(username:password)
//   openIdPasswordAuth, openIdClientCredentialsAuth, openIdDeviceAuth
//                                 "Bearer " + the access token (oidc_client.h)
//   execAuth                      "Bearer " + TokenFromExecOutput(the command's stdout)
//   bearerTokenFile               "Bearer " + the file's contents, whitespace trimmed
// Errors carry `auth.key` first ("contexts.dev.execAuth: ..."): those of FetchOidcToken and
// RunExecCommand; kNotFound when the token file cannot be read; kUnauthenticated when it or the
// command's output holds no token; kUnimplemented for openIdAuth (browser login),
// kubernetesNativeAuth and openIdKubernetesAuth, naming the kinds that work.
absl::StatusOr<std::string> Authorization(const AuthConfig& auth, const CredentialSources& sources);

// RunExecCommand(exec): runs exec.cmd with exec.args (PATH lookup when cmd has no '/'), with
// armadactl's environment plus exec.env (which wins on a clash), stdin from armadactl when
// exec.interactive else /dev/null, stderr to armadactl's stderr; returns what it printed on
// stdout. Errors: kFailedPrecondition "cannot run <cmd>: <reason>" when it cannot be started;
// kUnauthenticated "<cmd> exited with status N" (or "was killed by signal N"). Blocks until the
// command exits.
absl::StatusOr<std::string> RunExecCommand(const ExecAuthConfig& exec);

// TokenFromExecOutput(output): the token in an execAuth command's stdout. Armada's contract is
// the bare token (surrounding whitespace dropped); a Kubernetes ExecCredential JSON object
// (kind ExecCredential, as client-go credential plugins print) gives its status.token.
// Errors: kUnauthenticated for empty output, or JSON that is not an ExecCredential with a
// status.token.
absl::StatusOr<std::string> TokenFromExecOutput(const std::string& output);

}  // namespace armada::cli
