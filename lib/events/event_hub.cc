#include "lib/events/event_hub.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/common/thread_guard.h"
#include "lib/events/event_relay.h"
#include "lib/events/redis_client.h"
#include "lib/events/redis_subscriber.h"
#include "spdlog/spdlog.h"

namespace armada::events {

// One watcher. `key`, `listener`, `watch` and `error_if_missing` never change;
// the rest is guarded by EventHub::mu_.
struct EventHub::Subscription {
  Handle handle = 0;
  std::string key;
  Listener* listener = nullptr;
  bool watch = true;
  bool error_if_missing = false;

  std::string after_id;             // the last id handed over (or the request's)
  bool initialized = false;         // the first read is done: until_id is fixed
  std::string until_id;             // watch=false: the last id to hand over ("" = none)
  bool want = true;                 // the listener is ready for a batch
  bool dirty = true;                // the stream may hold events after after_id
  bool queued = false;              // in ready_
  bool busy = false;                // a reader has it
  bool closed = false;              // unsubscribed
  bool ended = false;               // OnEnd was called
  std::optional<absl::Status> end;  // OnEnd to call at the next RequestMore
  std::thread::id delivering;       // the thread inside a listener call, if any
};

// What a reader needs to read a subscription, copied under the lock.
struct EventHub::Snapshot {
  std::string key;
  std::string after_id;
  bool watch = true;
  bool error_if_missing = false;
  bool initialized = false;
  std::string until_id;
  std::optional<absl::Status> end;
};

// What one read found for one subscription.
struct EventHub::Outcome {
  std::vector<StreamEvent> events;
  std::optional<absl::Status> end;  // after `events`
  bool more = false;                // a full batch: read again without waiting
  bool initialized = false;         // this was the first read; until_id follows
  std::string until_id;
};

// Where a subscription's commands sit in a round trip's pipeline (-1: not sent).
struct EventHub::Plan {
  int exists = -1;
  int last = -1;
  int read = -1;
};

namespace {

// watch=false: keeps the events up to `until` and says whether that is the end.
void ClipToEnd(std::vector<StreamEvent> events, const std::string& until, int batch_size,
               std::vector<StreamEvent>& kept, bool& reached) {
  const std::optional<StreamId> last = ParseStreamId(until);
  reached = !last.has_value() || static_cast<int>(events.size()) < batch_size;
  if (!last) return;  // the stream was empty or absent at the start
  for (StreamEvent& event : events) {
    const std::optional<StreamId> id = ParseStreamId(event.id);
    if (!id || *id > *last) {
      reached = true;
      return;
    }
    kept.push_back(std::move(event));
    if (*id == *last) {
      reached = true;
      return;
    }
  }
}

}  // namespace

EventHub::EventHub(Options options) : options_(std::move(options)) {
  // A throw escaping a loop would end the process: the guard logs it and
  // runs the loop again (each rebuilds its Redis connection at the top).
  const auto stopping = [this] { return stop_.load(); };
  threads_.emplace_back([this, stopping] {
    common::RunGuarded(
        "event-hub-subscriber", [this] { SubscriberLoop(); }, stopping);
  });
  for (int i = 0; i < std::max(1, options_.reader_threads); ++i) {
    threads_.emplace_back([this, stopping] {
      common::RunGuarded(
          "event-hub-reader", [this] { ReaderLoop(); }, stopping);
    });
  }
}

EventHub::~EventHub() { Stop(); }

void EventHub::Stop() {
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  stop_cv_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

EventHub::Handle EventHub::Subscribe(Request request, Listener* listener) {
  auto sub = std::make_shared<Subscription>();
  sub->key = JobSetStreamKey(request.queue, request.job_set);
  sub->listener = listener;
  sub->watch = request.watch;
  sub->error_if_missing = request.error_if_missing;
  sub->after_id = std::move(request.after_id);
  std::lock_guard lock(mu_);
  sub->handle = next_handle_++;
  subscriptions_[sub->handle] = sub;
  by_stream_[sub->key].insert(sub);
  MaybeQueueLocked(sub);
  return sub->handle;
}

void EventHub::RequestMore(Handle handle) {
  std::lock_guard lock(mu_);
  auto it = subscriptions_.find(handle);
  if (it == subscriptions_.end()) return;
  it->second->want = true;
  MaybeQueueLocked(it->second);
}

void EventHub::Unsubscribe(Handle handle) {
  std::unique_lock lock(mu_);
  auto it = subscriptions_.find(handle);
  if (it == subscriptions_.end()) return;
  SubscriptionPtr sub = it->second;
  subscriptions_.erase(it);
  auto stream = by_stream_.find(sub->key);
  stream->second.erase(sub);
  if (stream->second.empty()) by_stream_.erase(stream);
  sub->closed = true;
  const std::thread::id self = std::this_thread::get_id();
  delivered_cv_.wait(
      lock, [&] { return sub->delivering == std::thread::id() || sub->delivering == self; });
}

EventHub::Stats EventHub::stats() const {
  Stats stats;
  {
    std::lock_guard lock(mu_);
    stats.subscriptions = static_cast<int64_t>(subscriptions_.size());
  }
  stats.wakeups = wakeups_.load();
  stats.reads = reads_.load();
  stats.round_trips = round_trips_.load();
  return stats;
}

void EventHub::MaybeQueueLocked(const SubscriptionPtr& sub) {
  if (sub->closed || sub->ended || sub->busy || sub->queued || !sub->want) return;
  if (!sub->dirty && sub->initialized && !sub->end) return;
  sub->queued = true;
  ready_.push_back(sub);
  work_cv_.notify_one();
}

void EventHub::MarkLocked(const SubscriptionPtr& sub) {
  sub->dirty = true;
  MaybeQueueLocked(sub);
}

void EventHub::MarkAllLocked() {
  for (auto& [handle, sub] : subscriptions_) MarkLocked(sub);
}

void EventHub::HandleWakeup(const Wakeup& wakeup) {
  std::lock_guard lock(mu_);
  if (wakeup.all) {
    MarkAllLocked();
    return;
  }
  for (const std::string& key : wakeup.keys) {
    auto stream = by_stream_.find(key);
    if (stream == by_stream_.end()) continue;
    for (const SubscriptionPtr& sub : stream->second) MarkLocked(sub);
  }
}

bool EventHub::SleepUnlessStopped(absl::Duration pause) {
  std::unique_lock lock(mu_);
  return !stop_cv_.wait_for(lock, absl::ToChronoMilliseconds(pause), [&] { return stop_.load(); });
}

void EventHub::SubscriberLoop() {
  std::unique_ptr<RedisSubscriber> subscriber;
  absl::Time next_poll = absl::Now() + options_.safety_poll;
  bool warned = false;
  while (!stop_.load()) {
    if (!subscriber) {
      auto connected = RedisSubscriber::Connect(options_.redis_url, options_.channel);
      if (connected.ok()) {
        subscriber = std::move(*connected);
        if (warned) spdlog::info("event hub: wake-up channel {} back", options_.channel);
        warned = false;
        // Wake-ups sent while we were not listening are lost: read everyone.
        std::lock_guard lock(mu_);
        MarkAllLocked();
      } else {
        if (!warned) spdlog::warn("event hub: {}", std::string(connected.status().message()));
        warned = true;
        SleepUnlessStopped(options_.retry_pause);
      }
    }
    if (subscriber) {
      const absl::Duration wait =
          std::clamp(next_poll - absl::Now(), absl::ZeroDuration(), absl::Milliseconds(100));
      auto message = subscriber->Next(wait);
      if (!message.ok()) {
        spdlog::warn("event hub: {}", std::string(message.status().message()));
        warned = true;
        subscriber.reset();
      } else if (message->has_value()) {
        ++wakeups_;
        HandleWakeup(DecodeWakeup(**message));
      }
    }
    if (absl::Now() >= next_poll) {
      std::lock_guard lock(mu_);
      MarkAllLocked();
      next_poll = absl::Now() + options_.safety_poll;
    }
  }
}

std::vector<EventHub::SubscriptionPtr> EventHub::TakeWork(std::vector<Snapshot>& snapshots) {
  std::vector<SubscriptionPtr> work;
  std::unique_lock lock(mu_);
  while (work.empty()) {
    work_cv_.wait(lock, [&] { return stop_.load() || !ready_.empty(); });
    if (stop_.load()) return {};
    while (!ready_.empty() && static_cast<int>(work.size()) < options_.reads_per_round) {
      SubscriptionPtr sub = std::move(ready_.front());
      ready_.pop_front();
      sub->queued = false;
      if (sub->closed) continue;
      sub->busy = true;
      sub->dirty = false;  // a wake-up from now on marks it again
      snapshots.push_back({sub->key, sub->after_id, sub->watch, sub->error_if_missing,
                           sub->initialized, sub->until_id, sub->end});
      work.push_back(std::move(sub));
    }
  }
  return work;
}

void EventHub::Release(const std::vector<SubscriptionPtr>& work, bool mark) {
  std::lock_guard lock(mu_);
  for (const SubscriptionPtr& sub : work) {
    sub->busy = false;
    if (mark) sub->dirty = true;
    MaybeQueueLocked(sub);
  }
}

void EventHub::ReaderLoop() {
  std::unique_ptr<RedisClient> redis;
  bool warned = false;
  while (true) {
    std::vector<Snapshot> snapshots;
    std::vector<SubscriptionPtr> work = TakeWork(snapshots);
    if (work.empty()) return;  // stopping
    absl::Status status;
    if (!redis) {
      auto connected = RedisClient::Connect(options_.redis_url);
      if (connected.ok()) {
        redis = std::move(*connected);
      } else {
        status = connected.status();
      }
    }
    if (redis) status = Serve(*redis, work, snapshots);
    if (status.ok()) {
      warned = false;
      continue;
    }
    if (!warned) spdlog::warn("event hub: {}", std::string(status.message()));
    warned = true;
    SleepUnlessStopped(options_.retry_pause);
    Release(work, /*mark=*/true);
  }
}

std::vector<EventHub::Plan> EventHub::PlanRound(
    const std::vector<Snapshot>& snapshots, std::vector<std::vector<std::string>>& commands) const {
  std::vector<Plan> plans(snapshots.size());
  absl::flat_hash_map<std::pair<std::string, std::string>, int> shared_reads;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    const Snapshot& s = snapshots[i];
    if (s.end) continue;  // only OnEnd is left to call
    if (!s.initialized && s.error_if_missing) {
      plans[i].exists = static_cast<int>(commands.size());
      commands.push_back({"EXISTS", s.key});
    }
    if (!s.initialized && !s.watch) {  // the last id now is where it ends
      plans[i].last = static_cast<int>(commands.size());
      commands.push_back({"XREVRANGE", s.key, "+", "-", "COUNT", "1"});
    }
    // Watchers at the same place share a read, but a first read must come
    // after the XREVRANGE that fixes where a watch=false subscription ends.
    auto [it, added] = shared_reads.try_emplace({s.key, s.after_id}, commands.size());
    if (!added && !s.initialized) it->second = static_cast<int>(commands.size());
    if (added || !s.initialized) {
      commands.push_back(XReadCommand(s.key, s.after_id, options_.batch_size));
    }
    plans[i].read = it->second;
  }
  return plans;
}

EventHub::Outcome EventHub::Evaluate(const Snapshot& s, const Plan& plan,
                                     const std::vector<RedisReply>& replies) const {
  Outcome outcome;
  if (s.end) {
    outcome.end = s.end;
    return outcome;
  }
  std::string until = s.until_id;
  if (!s.initialized) {
    outcome.initialized = true;
    const RedisReply* last = plan.last >= 0 ? &replies[plan.last] : nullptr;
    if (last && !last->elements.empty() && !last->elements[0].elements.empty()) {
      outcome.until_id = last->elements[0].elements[0].str;
    }
    until = outcome.until_id;
    if (plan.exists >= 0 && replies[plan.exists].integer == 0) {
      outcome.end = absl::NotFoundError(absl::StrCat("job set stream ", s.key, " not found"));
      return outcome;
    }
  }
  auto events = EventsFromXRead(replies[plan.read], s.after_id);
  if (!events.ok()) {
    outcome.end = events.status();
  } else if (s.watch) {
    outcome.more = static_cast<int>(events->size()) == options_.batch_size;
    outcome.events = std::move(*events);
  } else {
    bool reached = false;
    ClipToEnd(std::move(*events), until, options_.batch_size, outcome.events, reached);
    if (reached) {
      outcome.end = absl::OkStatus();
    } else {
      outcome.more = true;
    }
  }
  return outcome;
}

absl::Status EventHub::Serve(RedisClient& redis, const std::vector<SubscriptionPtr>& work,
                             const std::vector<Snapshot>& snapshots) {
  std::vector<std::vector<std::string>> commands;
  const std::vector<Plan> plans = PlanRound(snapshots, commands);
  std::vector<RedisReply> replies;
  if (!commands.empty()) {
    auto sent = redis.Pipeline(commands);
    if (!sent.ok()) return sent.status();
    replies = std::move(*sent);
    ++round_trips_;
    for (const auto& command : commands) reads_ += command[0] == "XREAD" ? 1 : 0;
  }
  for (size_t i = 0; i < work.size(); ++i) {
    Deliver(work[i], Evaluate(snapshots[i], plans[i], replies));
  }
  return absl::OkStatus();
}

void EventHub::Deliver(const SubscriptionPtr& sub, Outcome outcome) {
  std::unique_lock lock(mu_);
  if (outcome.initialized) {
    sub->initialized = true;
    sub->until_id = std::move(outcome.until_id);
  }
  const bool nothing = outcome.events.empty() && !outcome.end;
  if (sub->closed || nothing) {
    sub->busy = false;
    if (outcome.more) sub->dirty = true;
    MaybeQueueLocked(sub);
    return;
  }
  // Bookkeeping first: the listener may call RequestMore (from any thread)
  // before its call returns.
  std::optional<absl::Status> end_now;
  sub->want = false;
  if (!outcome.events.empty()) {
    sub->after_id = outcome.events.back().id;
    if (outcome.more) sub->dirty = true;
    sub->end = std::move(outcome.end);  // handed over at the next RequestMore
  } else {
    end_now = std::move(outcome.end);
    sub->end.reset();
    sub->ended = true;
  }
  sub->delivering = std::this_thread::get_id();
  lock.unlock();
  if (end_now) {
    sub->listener->OnEnd(std::move(*end_now));
  } else {
    sub->listener->OnEvents(std::move(outcome.events));
  }
  lock.lock();
  sub->delivering = std::thread::id();
  sub->busy = false;
  MaybeQueueLocked(sub);
  delivered_cv_.notify_all();
}

}  // namespace armada::events
