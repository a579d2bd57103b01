// fake_kube_apiserver: the fake Kubernetes API server as a standalone program.
//
//   fake_kube_apiserver [--port N] [--tls-cert FILE --tls-key FILE] [--rbac-rules FILE]
// --rbac-rules: a JSON list of RBAC rules (a ClusterRole's `rules`); requests they do not
// allow are answered 403 Forbidden.
// Prints "listening on <url>" and serves until SIGINT/SIGTERM. Drive it with the /admin/ paths
// (see fake_kube_apiserver.h).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/fakes/fake_kube_apiserver/fake_kube_apiserver.h"

int main(int argc, char** argv) {
  armada::fakes::FakeKubeApiServer::Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 < argc && arg == "--port") {
      options.port = std::atoi(argv[++i]);
    } else if (i + 1 < argc && arg == "--tls-cert") {
      options.tls_cert_file = argv[++i];
    } else if (i + 1 < argc && arg == "--tls-key") {
      options.tls_key_file = argv[++i];
    } else if (i + 1 < argc && arg == "--rbac-rules") {
      const std::string file = argv[++i];
      std::ifstream in(file);
      nlohmann::json rules = nlohmann::json::parse(in, nullptr, false);
      auto parsed = armada::fakes::ParseRbacRules(rules);
      if (!in || !parsed.ok()) {
        std::fprintf(stderr, "--rbac-rules %s: %s\n", file.c_str(),
                     parsed.ok() ? "not readable JSON" : parsed.status().ToString().c_str());
        return 2;
      }
      options.rbac_rules = std::move(*parsed);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--port N] [--tls-cert FILE --tls-key FILE] [--rbac-rules FILE]\n",
                   argv[0]);
      return 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  armada::fakes::FakeKubeApiServer server(options);
  if (absl::Status s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("listening on %s\n", server.url().c_str());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  server.Stop();
  return 0;
}
