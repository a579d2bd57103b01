#pragma once

// LeaderLock: which replica schedules, and a fence that keeps every other
// replica from writing a decision.
//
// The lock is a session-level advisory lock on a dedicated connection. Its
// session is set up so that PostgreSQL notices a leader that stopped
// answering: TCP keepalives and tcp_user_timeout on both sides, and
// idle_session_timeout = the lock timeout, so that a leader frozen (SIGSTOP,
// a stalled VM) or cut off loses the lock after that long, and another
// replica takes over.
//
// Holding the lock is not enough to write: a replica learns it lost the lock
// only when it next checks. So taking the lock also increments a fencing term
// (table leader_term), and every decision transaction calls Fence first: it
// reads the term FOR SHARE and fails unless it is still this replica's. A new
// leader's increment waits for such transactions to end, so once a new term
// exists no decision of an older term can commit.
//
// While leader, a keeper thread pings the lock session every timeout / 5, so
// a long cycle never looks like a frozen leader, and a lost session is
// noticed within that time: from then on Fence fails. Thread-safe.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace armada::server {

class LeaderLock {
 public:
  // `timeout`: how long a silent lock session keeps the lock.
  LeaderLock(std::string database_url, absl::Duration timeout);
  ~LeaderLock();
  LeaderLock(const LeaderLock&) = delete;
  LeaderLock& operator=(const LeaderLock&) = delete;

  // Tries to take the lock, or checks that the session holding it is alive.
  // Returns whether this replica is leader now. Never throws.
  bool Check();

  // Whether the last Check found this replica leader.
  bool is_leader() const { return term_.load() > 0; }

  // This leadership's fencing term; 0 when not leader.
  int64_t term() const { return term_.load(); }

  // Call first in every decision transaction. kFailedPrecondition when this
  // replica is not (or no longer) the leader. Also bounds how long the
  // transaction may sit idle, so that a frozen leader cannot hold the term
  // row, and with it a new leader, for ever.
  absl::Status Fence(pqxx::work& tx) const;

  // Gives the lock up (closes its session).
  void Release();

 private:
  bool CheckLocked();  // REQUIRES: mu_ held
  void DropLocked();   // REQUIRES: mu_ held
  void Keep();         // the keeper thread's body

  const std::string url_;
  const absl::Duration timeout_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::unique_ptr<pqxx::connection> session_;  // guarded by mu_
  bool stopping_ = false;                      // guarded by mu_
  std::atomic<int64_t> term_{0};
  std::thread keeper_;
};

}  // namespace armada::server
