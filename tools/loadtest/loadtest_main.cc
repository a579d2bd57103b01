// armada-loadtest: load an Armada server and report what it sustained.
//
//   armada-loadtest --url 127.0.0.1:50051 --jobs 10000 --jobsets 10 --queues 5 --batch 100
//   armada-loadtest --url host:50051 --ca-file ca.crt --username u --password-file pw ...
//   armada-loadtest redis-baseline --redis 127.0.0.1:6379 --readers 1000 --events 10
//
// See docs/benchmarks.md for the method and scripts/bench for the full benchmark.

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "tools/loadtest/load_run.h"
#include "tools/loadtest/redis_baseline.h"

namespace {

using armada::loadtest::LoadOptions;
using armada::loadtest::LoadResult;
using armada::loadtest::RedisBaselineOptions;
using armada::loadtest::RedisBaselineResult;

nlohmann::json ToJson(const LoadResult& r) {
  nlohmann::json by_kind = nlohmann::json::object();
  for (const auto& [kind, p] : r.delay_by_kind_ms) by_kind[kind] = {p.first, p.second};
  return {{"event_delay_by_kind_ms", by_kind},
          {"submitted", r.submitted},
          {"submit_seconds", r.submit_seconds},
          {"submit_jobs_per_s", r.submit_rate},
          {"leased", r.leased},
          {"succeeded", r.succeeded},
          {"failed_or_cancelled", r.failed},
          {"events", r.events},
          {"lease_p50_ms", r.lease_p50_ms},
          {"lease_p99_ms", r.lease_p99_ms},
          {"event_delay_p50_ms", r.event_delay_p50_ms},
          {"event_delay_p99_ms", r.event_delay_p99_ms},
          {"completion_jobs_per_s", r.completion_rate},
          {"leased_completed_jobs_per_s", r.throughput},
          {"watch_seconds", r.watch_seconds},
          {"timed_out", r.timed_out}};
}

void PrintTable(const LoadResult& r, bool watched) {
  std::printf("%-34s %12ld\n", "jobs submitted", r.submitted);
  std::printf("%-34s %12.0f  (%.2f s)\n", "submit rate (jobs/s)", r.submit_rate, r.submit_seconds);
  if (!watched) return;
  std::printf("%-34s %12ld\n", "jobs leased", r.leased);
  std::printf("%-34s %12ld\n", "jobs succeeded", r.succeeded);
  std::printf("%-34s %12ld\n", "jobs failed or cancelled", r.failed);
  std::printf("%-34s %12.1f / %.1f\n", "submit to lease p50 / p99 (ms)", r.lease_p50_ms,
              r.lease_p99_ms);
  std::printf("%-34s %12.0f  (%.2f s)\n", "completion rate (jobs/s)", r.completion_rate,
              r.watch_seconds);
  std::printf("%-34s %12.0f\n", "leased-and-completed (jobs/s)", r.throughput);
  std::printf("%-34s %12ld\n", "events received", r.events);
  std::printf("%-34s %12.1f / %.1f\n", "event delay p50 / p99 (ms)", r.event_delay_p50_ms,
              r.event_delay_p99_ms);
  for (const auto& [kind, p] : r.delay_by_kind_ms) {
    std::printf("  %-32s %12.1f / %.1f\n", (kind + " delay p50 / p99 (ms)").c_str(), p.first,
                p.second);
  }
  if (r.timed_out) std::printf("TIMED OUT before every job ended\n");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"armada-loadtest: submit jobs, watch them to the end, report rates and delays"};
  LoadOptions o;
  bool json = false;
  bool no_watch = false;
  app.add_option("--url", o.url, "armada-server gRPC address");
  app.add_option("--jobs", o.jobs, "jobs to submit");
  app.add_option("--jobsets", o.job_sets, "job sets (one watcher each)");
  app.add_option("--queues", o.queues, "queues (created if missing)");
  app.add_option("--queue-prefix", o.queue_prefix, "queue names: <prefix>-<n>");
  app.add_option("--jobset-prefix", o.job_set_prefix, "job set names: <prefix>-<n>");
  app.add_option("--batch", o.batch, "items per SubmitJobs request");
  app.add_option("--rate", o.rate, "target jobs per second (0: as fast as possible)");
  app.add_option("--submitters", o.submitters, "concurrent SubmitJobs calls");
  app.add_option("--channels", o.channels, "gRPC connections");
  app.add_option("--cpu", o.cpu, "cpu request of each job");
  app.add_option("--memory", o.memory, "memory request of each job");
  app.add_option("--runtime", o.runtime, "fake backend runtime (armadaproject.io/fakeRuntime)");
  app.add_option("--timeout", o.timeout_seconds, "seconds to wait for every job to end");
  app.add_flag("--no-watch", no_watch, "submit only");
  app.add_flag("--json", json, "print JSON instead of a table");
  bool tls = false;
  app.add_flag("--tls", tls, "connect with TLS (implied by --ca-file, --cert-file)");
  app.add_option("--ca-file", o.tls.ca_file, "PEM CAs for the server (default: system roots)");
  app.add_option("--cert-file", o.tls.cert_file, "client certificate (mutual TLS)");
  app.add_option("--key-file", o.tls.key_file, "client certificate's key");
  app.add_option("--server-name", o.tls.server_name, "name the server certificate must carry");
  app.add_option("--username", o.auth.username, "Basic auth user");
  app.add_option("--password-file", o.auth.password_file, "Basic auth password, from a file");
  app.add_option("--token-file", o.auth.token_file, "Bearer token file (re-read on change)");

  CLI::App* redis = app.add_subcommand("redis-baseline", "raw Redis XADD -> XREAD delay");
  RedisBaselineOptions ro;
  std::string redis_address = "127.0.0.1:6379";
  redis->add_option("--redis", redis_address, "host:port");
  redis->add_option("--readers", ro.readers, "reader connections, one stream each");
  redis->add_option("--events", ro.events_per_reader, "entries per stream");
  redis->add_option("--rate", ro.rate, "XADDs per second in all (0: as fast as possible)");
  redis->add_flag("--json", json, "print JSON instead of a table");
  CLI11_PARSE(app, argc, argv);

  if (redis->parsed()) {
    const size_t colon = redis_address.rfind(':');
    ro.host = redis_address.substr(0, colon);
    if (colon != std::string::npos) ro.port = std::stoi(redis_address.substr(colon + 1));
    auto r = armada::loadtest::RunRedisBaseline(ro);
    if (!r.ok()) {
      std::cerr << "Error: " << r.status().message() << "\n";
      return 1;
    }
    if (json) {
      std::cout << nlohmann::json{{"events", r->events},
                                  {"seconds", r->seconds},
                                  {"delay_p50_ms", r->delay_p50_ms},
                                  {"delay_p99_ms", r->delay_p99_ms}}
                       .dump()
                << "\n";
    } else {
      std::printf("%-34s %12ld  (%.2f s)\n", "entries read", r->events, r->seconds);
      std::printf("%-34s %12.2f / %.2f\n", "XADD->XREAD delay p50 / p99 (ms)", r->delay_p50_ms,
                  r->delay_p99_ms);
    }
    return 0;
  }

  o.watch = !no_watch;
  o.tls.plaintext = !tls && o.tls.ca_file.empty() && o.tls.cert_file.empty();
  if (const char* password = std::getenv("ARMADA_PASSWORD")) o.auth.password = password;
  auto r = armada::loadtest::RunLoad(o);
  if (!r.ok()) {
    std::cerr << "Error: " << r.status().message() << "\n";
    return 1;
  }
  if (json) {
    std::cout << ToJson(*r).dump() << "\n";
  } else {
    PrintTable(*r, o.watch);
  }
  return r->timed_out ? 3 : 0;
}
