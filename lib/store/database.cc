#include "lib/store/database.h"

#include <chrono>
#include <condition_variable>
#include <exception>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace armada::store {

absl::Status StatusFromCurrentException() {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(absl::StrCat("database connection lost: ", e.what()));
  } catch (const pqxx::serialization_failure& e) {
    return absl::AbortedError(absl::StrCat("serialization failure: ", e.what()));
  } catch (const pqxx::deadlock_detected& e) {
    return absl::AbortedError(absl::StrCat("deadlock: ", e.what()));
  } catch (const pqxx::unique_violation& e) {
    return absl::AlreadyExistsError(e.what());
  } catch (const pqxx::sql_error& e) {
    return absl::InternalError(absl::StrCat("SQLSTATE ", e.sqlstate(), ": ", e.what()));
  } catch (const std::exception& e) {
    return absl::InternalError(e.what());
  }
}

absl::StatusOr<std::unique_ptr<Database>> Database::Connect(const std::string& url,
                                                            int max_connections) {
  std::unique_ptr<Database> db(new Database(url, max_connections));
  auto connection = db->Acquire();
  if (!connection.ok()) return connection.status();
  db->Release(std::move(*connection));
  return db;
}

Database::PoolStats Database::Stats() const {
  std::lock_guard lock(mu_);
  return {.max = max_connections_,
          .open = open_,
          .in_use = open_ - static_cast<int>(idle_.size()),
          .waiting = waiting_,
          .waits = waits_,
          .wait_seconds = wait_seconds_};
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> Database::Acquire() {
  {
    std::unique_lock lock(mu_);
    const auto ready = [&] { return !idle_.empty() || open_ < max_connections_; };
    if (!ready()) {
      const auto start = std::chrono::steady_clock::now();
      ++waiting_;
      available_.wait(lock, ready);
      --waiting_;
      ++waits_;
      wait_seconds_ +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;
  }
  try {
    auto connection = std::make_unique<pqxx::connection>(url_);
    // JIT compiling pays for analytics, not for our short statements: a count over a large
    // queue spent 35 ms of its 72 ms compiling (docs/benchmarks.md, "History").
    pqxx::nontransaction(*connection).exec0("SET jit = off");
    return connection;
  } catch (...) {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    available_.notify_one();
    return StatusFromCurrentException();
  }
}

void Database::Release(std::unique_ptr<pqxx::connection> connection) {
  {
    std::lock_guard lock(mu_);
    if (connection && connection->is_open()) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
    }
  }
  available_.notify_one();
}

absl::Status Database::Run(const std::function<absl::Status(pqxx::work&)>& body, int attempts) {
  absl::Status status;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    auto connection = Acquire();
    if (!connection.ok()) return connection.status();
    try {
      pqxx::work tx(**connection);
      status = body(tx);
      if (status.ok()) tx.commit();
    } catch (...) {
      status = StatusFromCurrentException();
    }
    bool broken = status.code() == absl::StatusCode::kUnavailable;
    if (broken) connection->reset();
    Release(std::move(*connection));
    if (status.code() != absl::StatusCode::kAborted && !broken) return status;
    spdlog::debug("transaction attempt {} failed, retrying: {}", attempt,
                  std::string(status.message()));
  }
  return status;
}

absl::Status Database::WithConnection(const std::function<absl::Status(pqxx::connection&)>& body) {
  auto connection = Acquire();
  if (!connection.ok()) return connection.status();
  absl::Status status;
  try {
    status = body(**connection);
  } catch (...) {
    status = StatusFromCurrentException();
  }
  if (status.code() == absl::StatusCode::kUnavailable) connection->reset();
  Release(std::move(*connection));
  return status;
}

}  // namespace armada::store
