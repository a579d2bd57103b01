#include "tools/loadtest/load_run.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/event.grpc.pb.h"
#include "api/submit.grpc.pb.h"
#include "cli/armada_client.h"
#include "lib/net/channel_credentials.h"
#include "tools/loadtest/stats.h"

namespace armada::loadtest {
namespace {

// One watched job set and what its stream showed.
struct Watcher {
  std::string queue;
  std::string job_set;
  long expected = 0;
  grpc::ClientContext context;
  std::vector<double> delays_ms;
  std::map<std::string, std::vector<double>> delays_by_kind_ms;
  std::vector<double> lease_ms;
  long leased = 0;
  long succeeded = 0;
  long ended = 0;
  long events = 0;
  std::optional<absl::Time> first_lease;    // created
  std::optional<absl::Time> last_success;   // created
  std::optional<absl::Time> last_end_seen;  // received
};

// A SubmitJobs request to make: `count` jobs of job set `job_set`.
struct Batch {
  int job_set;
  int count;
  long jobs_before;  // jobs in earlier batches (for rate pacing)
};

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const LoadOptions& options, int index,
    const std::shared_ptr<net::AuthorizationSource>& authorization) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own connection
  args.SetInt("armada.loadtest.channel", index);
  args.SetMaxReceiveMessageSize(64 << 20);
  return net::MakeChannel(options.url, options.tls, args, authorization);
}

absl::Time FromTimestamp(const google::protobuf::Message& ts) {
  const auto* r = ts.GetReflection();
  const auto* d = ts.GetDescriptor();
  return absl::FromUnixSeconds(r->GetInt64(ts, d->FindFieldByName("seconds"))) +
         absl::Nanoseconds(r->GetInt32(ts, d->FindFieldByName("nanos")));
}

void Watch(api::Event::Stub& stub, Watcher& w) {
  api::JobSetRequest request;
  request.set_queue(w.queue);
  request.set_id(w.job_set);
  request.set_watch(true);
  auto reader = stub.GetJobSetEvents(&w.context, request);
  std::unordered_map<std::string, absl::Time> submitted;
  std::unordered_map<std::string, bool> lease_seen;
  api::EventStreamMessage message;
  while (w.ended < w.expected && reader->Read(&message)) {
    const absl::Time now = absl::Now();
    const auto& event = message.message();
    const auto* oneof = event.GetDescriptor()->FindOneofByName("events");
    const auto* field = event.GetReflection()->GetOneofFieldDescriptor(event, oneof);
    if (field == nullptr) continue;
    const auto& inner = event.GetReflection()->GetMessage(event, field);
    const auto* created_field = inner.GetDescriptor()->FindFieldByName("created");
    const auto* id_field = inner.GetDescriptor()->FindFieldByName("job_id");
    if (created_field == nullptr || id_field == nullptr) continue;
    const absl::Time created =
        FromTimestamp(inner.GetReflection()->GetMessage(inner, created_field));
    const std::string job_id = inner.GetReflection()->GetString(inner, id_field);
    ++w.events;
    w.delays_ms.push_back(absl::ToDoubleMilliseconds(now - created));
    const std::string& kind = field->name();
    w.delays_by_kind_ms[kind].push_back(w.delays_ms.back());
    if (kind == "submitted") {
      submitted[job_id] = created;
    } else if (kind == "leased") {
      ++w.leased;
      if (!w.first_lease || created < *w.first_lease) w.first_lease = created;
      if (!lease_seen[job_id]) {
        lease_seen[job_id] = true;
        auto it = submitted.find(job_id);
        if (it != submitted.end())
          w.lease_ms.push_back(absl::ToDoubleMilliseconds(created - it->second));
      }
    } else if (kind == "succeeded" || kind == "failed" || kind == "cancelled") {
      ++w.ended;
      w.last_end_seen = now;
      if (kind == "succeeded") {
        ++w.succeeded;
        if (!w.last_success || created > *w.last_success) w.last_success = created;
      }
    }
  }
  w.context.TryCancel();
  reader->Finish().IgnoreError();
}

api::JobSubmitRequestItem JobTemplate(const LoadOptions& options) {
  api::JobSubmitRequestItem item;
  item.set_priority(0);
  item.set_namespace_("default");
  (*item.mutable_annotations())["armadaproject.io/fakeRuntime"] = options.runtime;
  auto* spec = item.add_pod_specs();
  spec->set_restartpolicy("Never");
  auto* container = spec->add_containers();
  container->set_name("main");
  container->set_image("busybox:latest");
  container->add_command("sleep");
  container->add_command("1");
  for (auto* side : {container->mutable_resources()->mutable_requests(),
                     container->mutable_resources()->mutable_limits()}) {
    (*side)["cpu"].set_string(options.cpu);
    (*side)["memory"].set_string(options.memory);
  }
  return item;
}

std::vector<Batch> PlanBatches(const LoadOptions& options, const std::vector<long>& per_set) {
  std::vector<Batch> plan;
  std::vector<long> left = per_set;
  long before = 0;
  for (bool more = true; more;) {
    more = false;
    for (int j = 0; j < options.job_sets; ++j) {
      if (left[j] == 0) continue;
      const int n = static_cast<int>(std::min<long>(left[j], options.batch));
      plan.push_back({j, n, before});
      before += n;
      left[j] -= n;
      more = more || left[j] > 0;
    }
  }
  return plan;
}

absl::Status CreateQueues(const LoadOptions& options, const std::shared_ptr<grpc::Channel>& ch) {
  cli::ArmadaClient client(ch);
  for (int q = 0; q < options.queues; ++q) {
    api::Queue queue;
    queue.set_name(absl::StrCat(options.queue_prefix, "-", q));
    queue.set_priority_factor(1);
    absl::Status s = client.CreateQueue(queue);
    if (!s.ok() && s.code() != absl::StatusCode::kAlreadyExists) {
      return absl::Status(s.code(), absl::StrCat("create queue ", queue.name(), ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

// Sends the plan's SubmitJobs calls from `options.submitters` threads, paced to
// options.rate when set. Stops at the first error and returns it.
absl::Status SubmitAll(const LoadOptions& options,
                       const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                       const std::vector<long>& per_set,
                       const std::function<std::string(int)>& queue_of,
                       const std::function<std::string(int)>& set_name,
                       std::atomic<long>& submitted) {
  const std::vector<Batch> plan = PlanBatches(options, per_set);
  const api::JobSubmitRequestItem item = JobTemplate(options);
  std::atomic<size_t> next = 0;
  std::mutex error_mu;
  absl::Status error;
  const auto steady_start = std::chrono::steady_clock::now();
  std::vector<std::thread> submitters;
  for (int t = 0; t < options.submitters; ++t) {
    submitters.emplace_back([&, t] {
      auto stub = api::Submit::NewStub(channels[t % channels.size()]);
      for (size_t k = next++; k < plan.size(); k = next++) {
        const Batch& b = plan[k];
        if (options.rate > 0) {
          std::this_thread::sleep_until(
              steady_start + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::duration<double>(b.jobs_before / options.rate)));
        }
        api::JobSubmitRequest request;
        request.set_queue(queue_of(b.job_set));
        request.set_job_set_id(set_name(b.job_set));
        for (int i = 0; i < b.count; ++i) *request.add_job_request_items() = item;
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));
        api::JobSubmitResponse response;
        grpc::Status status = stub->SubmitJobs(&context, request, &response);
        if (!status.ok()) {
          std::lock_guard lock(error_mu);
          if (error.ok()) error = cli::FromGrpcStatus(status);
          next = plan.size();
          return;
        }
        submitted += b.count;
      }
    });
  }
  for (auto& t : submitters) t.join();
  return error;
}

// Adds what the watchers saw to `result`.
void Summarize(const std::vector<std::unique_ptr<Watcher>>& watchers, absl::Time submit_start,
               LoadResult& result) {
  std::vector<double> delays, leases;
  std::optional<absl::Time> first_lease, last_success, last_end;
  long ended = 0;
  std::map<std::string, std::vector<double>> by_kind;
  for (auto& w : watchers) {
    for (auto& [kind, d] : w->delays_by_kind_ms) {
      by_kind[kind].insert(by_kind[kind].end(), d.begin(), d.end());
    }
    delays.insert(delays.end(), w->delays_ms.begin(), w->delays_ms.end());
    leases.insert(leases.end(), w->lease_ms.begin(), w->lease_ms.end());
    result.leased += w->leased;
    result.succeeded += w->succeeded;
    result.events += w->events;
    ended += w->ended;
    if (w->first_lease && (!first_lease || *w->first_lease < *first_lease))
      first_lease = w->first_lease;
    if (w->last_success && (!last_success || *w->last_success > *last_success))
      last_success = w->last_success;
    if (w->last_end_seen && (!last_end || *w->last_end_seen > *last_end))
      last_end = w->last_end_seen;
  }
  result.failed = ended - result.succeeded;
  result.lease_p50_ms = Percentile(leases, 50);
  result.lease_p99_ms = Percentile(leases, 99);
  result.event_delay_p50_ms = Percentile(delays, 50);
  result.event_delay_p99_ms = Percentile(delays, 99);
  for (auto& [kind, d] : by_kind) {
    result.delay_by_kind_ms[kind] = {Percentile(d, 50), Percentile(d, 99)};
  }
  if (last_end) {
    result.watch_seconds = absl::ToDoubleSeconds(*last_end - submit_start);
    result.completion_rate = ended / std::max(result.watch_seconds, 1e-9);
  }
  if (first_lease && last_success && *last_success > *first_lease) {
    result.throughput = result.succeeded / absl::ToDoubleSeconds(*last_success - *first_lease);
  }
}

}  // namespace

absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options) {
  if (options.jobs <= 0 || options.job_sets <= 0 || options.queues <= 0 || options.batch <= 0 ||
      options.submitters <= 0 || options.channels <= 0) {
    return absl::InvalidArgumentError("jobs, jobsets, queues, batch, submitters, channels: > 0");
  }
  auto authorization = net::AuthorizationSource::Create(options.auth);
  if (!authorization.ok()) return authorization.status();
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < options.channels; ++i) {
    auto channel = MakeChannel(options, i, *authorization);
    if (!channel.ok()) return channel.status();
    channels.push_back(std::move(*channel));
  }
  if (absl::Status s = CreateQueues(options, channels[0]); !s.ok()) return s;

  const std::string prefix = options.job_set_prefix.empty()
                                 ? absl::StrCat("lt-", absl::ToUnixSeconds(absl::Now()))
                                 : options.job_set_prefix;
  std::vector<long> per_set(options.job_sets, options.jobs / options.job_sets);
  for (long j = 0; j < options.jobs % options.job_sets; ++j) ++per_set[j];
  auto queue_of = [&](int j) {
    return absl::StrCat(options.queue_prefix, "-", j % options.queues);
  };
  auto set_name = [&](int j) { return absl::StrCat(prefix, "-", j); };

  // Watchers first, so that they see every event live.
  std::vector<std::unique_ptr<Watcher>> watchers;
  std::vector<std::unique_ptr<api::Event::Stub>> event_stubs;
  for (auto& ch : channels) event_stubs.push_back(api::Event::NewStub(ch));
  std::vector<std::thread> watch_threads;
  if (options.watch) {
    for (int j = 0; j < options.job_sets; ++j) {
      auto w = std::make_unique<Watcher>();
      w->queue = queue_of(j);
      w->job_set = set_name(j);
      w->expected = per_set[j];
      watchers.push_back(std::move(w));
    }
    for (int j = 0; j < options.job_sets; ++j) {
      watch_threads.emplace_back(
          [&, j] { Watch(*event_stubs[j % event_stubs.size()], *watchers[j]); });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500 + options.job_sets));
  }

  std::atomic<long> submitted = 0;
  const absl::Time submit_start = absl::Now();
  const absl::Status error = SubmitAll(options, channels, per_set, queue_of, set_name, submitted);
  LoadResult result;
  result.submitted = submitted.load();
  result.submit_seconds = absl::ToDoubleSeconds(absl::Now() - submit_start);
  result.submit_rate = result.submitted / std::max(result.submit_seconds, 1e-9);
  if (!error.ok()) {
    for (auto& w : watchers) w->context.TryCancel();
    for (auto& t : watch_threads) t.join();
    return absl::Status(error.code(), absl::StrCat("submit: ", error.message()));
  }
  if (!options.watch) return result;

  // Wait for the watchers, cancelling the rest at the timeout.
  std::atomic<bool> finished = false;
  std::thread timer([&] {
    const absl::Time deadline = submit_start + absl::Seconds(options.timeout_seconds);
    while (!finished.load() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(100));
    if (finished.load()) return;
    result.timed_out = true;
    for (auto& w : watchers) w->context.TryCancel();
  });
  for (auto& t : watch_threads) t.join();
  finished = true;
  timer.join();

  Summarize(watchers, submit_start, result);
  return result;
}

}  // namespace armada::loadtest
