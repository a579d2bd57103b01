#pragma once

// PostgreSQL access: a small connection pool and transactions with retry.
// libpqxx exceptions never leave this module: Run() maps them to absl::Status
// (broken connection -> kUnavailable, serialization failure or deadlock ->
// kAborted, unique violation -> kAlreadyExists, anything else -> kInternal
// with the SQLSTATE).

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace armada::store {

class Database {
 public:
  // Opens one connection to check that the URL works; more are opened on
  // demand, at most `max_connections` at a time.
  static absl::StatusOr<std::unique_ptr<Database>> Connect(const std::string& url,
                                                           int max_connections = 8);

  // Runs `body` in one transaction and commits it when `body` returns OK. A
  // non-OK status from `body` rolls back and is returned as is. Serialization
  // failures and deadlocks are retried up to `attempts` times in all, so `body`
  // must be safe to run again. Thread-safe.
  absl::Status Run(const std::function<absl::Status(pqxx::work&)>& body, int attempts = 5);

  // Runs `body` on a pooled connection outside any transaction (for LISTEN,
  // advisory locks held across transactions, and so on).
  absl::Status WithConnection(const std::function<absl::Status(pqxx::connection&)>& body);

  const std::string& url() const { return url_; }

  // The pool's state, for metrics. Thread-safe.
  struct PoolStats {
    int max = 0;              // max_connections
    int open = 0;             // connections open (idle or in use)
    int in_use = 0;           // lent to a caller now
    int waiting = 0;          // callers waiting for a connection now
    int64_t waits = 0;        // acquisitions that had to wait, since start
    double wait_seconds = 0;  // their total wait
  };
  PoolStats Stats() const;

 private:
  explicit Database(std::string url, int max_connections)
      : url_(std::move(url)), max_connections_(max_connections) {}

  absl::StatusOr<std::unique_ptr<pqxx::connection>> Acquire();
  void Release(std::unique_ptr<pqxx::connection> connection);

  const std::string url_;
  const int max_connections_;
  mutable std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mu_
  int open_ = 0;                                         // guarded by mu_
  int waiting_ = 0;                                      // guarded by mu_
  int64_t waits_ = 0;                                    // guarded by mu_
  double wait_seconds_ = 0;                              // guarded by mu_
};

// Maps a libpqxx or standard exception (the one being handled) to a status.
// Call only inside a catch block.
absl::Status StatusFromCurrentException();

}  // namespace armada::store
