// fake_kube_apiserver: the fake Kubernetes API server as a standalone program.
//
//   fake_kube_apiserver [--port N] [--tls-cert FILE --tls-key FILE]
// Prints "listening on <url>" and serves until SIGINT/SIGTERM. Drive it with the /admin/ paths
// (see fake_kube_apiserver.h).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

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
    } else {
      std::fprintf(stderr, "usage: %s [--port N] [--tls-cert FILE --tls-key FILE]\n", argv[0]);
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
