#pragma once

// EventHub: serves any number of job-set watchers in one process from a fixed
// set of threads and Redis connections.
//
// A watcher subscribes to one job set's stream from a message id and is handed
// the events after it, in order, one batch at a time: the hub sends the next
// batch only once the watcher asks for it (RequestMore), so a slow watcher
// holds at most one batch and never blocks the others.
//
// Threads and connections, whatever the number of watchers:
//   * one subscriber thread with one connection SUBSCRIBEd to the relay's
//     wake-up channel (lib/events/wakeup.h): a wake-up marks the watchers of
//     the streams named; every `safety_poll` it marks every watcher, so a lost
//     wake-up (Redis restart, dropped connection) delays events, never loses
//     them;
//   * `reader_threads` readers, each with its own connection, reading marked
//     watchers' streams with pipelined XREADs (never BLOCK), one round trip
//     per `reads_per_round` watchers, watchers at the same place in the same
//     stream sharing one read.
//
// Listener calls come from reader threads, never two at a time for one
// subscription and never while the hub holds a lock, so a listener may call
// RequestMore or Unsubscribe from inside them.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/events/event_reader.h"
#include "lib/events/wakeup.h"

namespace armada::events {

class RedisClient;

class EventHub {
 public:
  struct Options {
    std::string redis_url;  // required: redis://host:port[/db]
    // Reader threads, each with one Redis connection. REQUIRES: >= 1.
    int reader_threads = 4;
    // Most events handed to a listener at once. REQUIRES: >= 1.
    int batch_size = 500;
    // Most subscriptions one reader serves per pipelined round trip.
    int reads_per_round = 64;
    // Every subscription is read at least this often, wake-up or not.
    absl::Duration safety_poll = absl::Seconds(3);
    // Pause before retrying after Redis is unreachable.
    absl::Duration retry_pause = absl::Milliseconds(500);
    std::string channel = kWakeupChannel;
  };

  // What a subscription follows.
  struct Request {
    std::string queue;
    std::string job_set;
    std::string after_id;  // resume strictly after this message id; "" = from the start
    // false: only the events present when the subscription is first read (up
    // to the stream's last id then), then OnEnd(OK).
    bool watch = true;
    // OnEnd(kNotFound) when the stream does not exist at that first read.
    bool error_if_missing = false;
  };

  // Implemented by a watcher. Calls never overlap for one subscription.
  class Listener {
   public:
    virtual ~Listener() = default;
    // The next events (never empty), in stream order, following the previous
    // batch with no gap or duplicate. No further call comes until RequestMore.
    virtual void OnEvents(std::vector<StreamEvent> events) = 0;
    // The subscription is over: OK when a watch=false subscription has had
    // every event it covers; kNotFound (error_if_missing); kInvalidArgument (a
    // malformed after_id). Comes after RequestMore like OnEvents, and last.
    virtual void OnEnd(absl::Status status) = 0;
  };

  using Handle = uint64_t;

  struct Stats {
    int64_t subscriptions = 0;  // current
    int64_t wakeups = 0;        // wake-up messages received
    int64_t reads = 0;          // XREADs sent
    int64_t round_trips = 0;    // pipelines sent by readers
  };

  // Starts the subscriber and reader threads; they connect to Redis on their
  // own and keep retrying, so construction never fails.
  explicit EventHub(Options options);
  // Stop().
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Stops and joins the threads; listeners get no call after it returns.
  // Idempotent. Subscriptions still open are never served again.
  void Stop();

  // Registers `listener` (borrowed: it must outlive the subscription, that is
  // until Unsubscribe returns) and schedules its first read: the listener is
  // ready for a batch. Never calls the listener before returning. Thread-safe.
  Handle Subscribe(Request request, Listener* listener);

  // The listener has taken its last batch and wants the next (or OnEnd). No-op
  // for an unknown or ended subscription. Cheap; thread-safe; may be called
  // from inside a listener call.
  void RequestMore(Handle handle);

  // Ends the subscription. When it returns no listener call for it is running
  // (except one on this very thread, when called from inside a listener
  // call) and none will start. No-op for an unknown handle. Thread-safe.
  void Unsubscribe(Handle handle);

  Stats stats() const;

 private:
  struct Subscription;
  struct Snapshot;
  struct Outcome;
  struct Plan;
  using SubscriptionPtr = std::shared_ptr<Subscription>;

  void SubscriberLoop();
  void HandleWakeup(const Wakeup& wakeup);
  void MarkAllLocked();
  void MarkLocked(const SubscriptionPtr& sub);
  void MaybeQueueLocked(const SubscriptionPtr& sub);

  void ReaderLoop();
  std::vector<SubscriptionPtr> TakeWork(std::vector<Snapshot>& snapshots);
  // One round trip for `work`: plans the commands, sends them, delivers.
  absl::Status Serve(RedisClient& redis, const std::vector<SubscriptionPtr>& work,
                     const std::vector<Snapshot>& snapshots);
  std::vector<Plan> PlanRound(const std::vector<Snapshot>& snapshots,
                              std::vector<std::vector<std::string>>& commands) const;
  Outcome Evaluate(const Snapshot& snapshot, const Plan& plan,
                   const std::vector<RedisReply>& replies) const;
  void Deliver(const SubscriptionPtr& sub, Outcome outcome);
  void Release(const std::vector<SubscriptionPtr>& work, bool mark);
  bool SleepUnlessStopped(absl::Duration pause);

  const Options options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;       // readers wait for ready_
  std::condition_variable stop_cv_;       // retry pauses wait for stop_
  std::condition_variable delivered_cv_;  // Unsubscribe waits for a listener call to end
  std::atomic<bool> stop_{false};         // written under mu_
  Handle next_handle_ = 1;                // guarded by mu_
  absl::flat_hash_map<Handle, SubscriptionPtr> subscriptions_;  // guarded by mu_
  // Stream key -> its subscriptions (guarded by mu_).
  absl::flat_hash_map<std::string, absl::flat_hash_set<SubscriptionPtr>> by_stream_;
  std::deque<SubscriptionPtr> ready_;  // guarded by mu_: to be read, in order

  std::atomic<int64_t> wakeups_{0};
  std::atomic<int64_t> reads_{0};
  std::atomic<int64_t> round_trips_{0};

  std::mutex stop_mu_;  // serializes Stop()
  std::vector<std::thread> threads_;
};

}  // namespace armada::events
