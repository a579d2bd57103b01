#include "server/scheduler/leader_lock.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/common/thread_guard.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

// An arbitrary constant key for the leader lock: "leader" in ASCII.
constexpr int64_t kLeaderLockKey = 0x6c6561646572;

// libpq's client-side keepalives, so that this side notices a dead server or
// network too, in either form of connection string.
std::string WithKeepalives(const std::string& url, absl::Duration timeout) {
  const int64_t idle = std::max<int64_t>(1, absl::ToInt64Seconds(timeout) / 3);
  const std::string user_timeout = absl::StrCat(absl::ToInt64Milliseconds(timeout));
  if (absl::StartsWith(url, "postgres://") || absl::StartsWith(url, "postgresql://")) {
    const char* sep = url.find('?') == std::string::npos ? "?" : "&";
    return absl::StrCat(url, sep, "keepalives=1&keepalives_idle=", idle,
                        "&keepalives_interval=1&keepalives_count=3&tcp_user_timeout=",
                        user_timeout);
  }
  return absl::StrCat(url, " keepalives=1 keepalives_idle=", idle,
                      " keepalives_interval=1 keepalives_count=3 tcp_user_timeout=", user_timeout);
}

std::string Millis(absl::Duration d) { return absl::StrCat(absl::ToInt64Milliseconds(d)); }

}  // namespace

LeaderLock::LeaderLock(std::string database_url, absl::Duration timeout)
    : url_(WithKeepalives(database_url, timeout)), timeout_(timeout) {
  keeper_ = std::thread([this] {
    common::RunGuarded(
        "leader-lock keeper", [this] { Keep(); },
        [this] {
          std::lock_guard lock(mu_);
          return stopping_;
        });
  });
}

LeaderLock::~LeaderLock() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  keeper_.join();
}

bool LeaderLock::Check() {
  std::lock_guard lock(mu_);
  return CheckLocked();
}

void LeaderLock::DropLocked() {
  term_ = 0;
  session_.reset();
}

bool LeaderLock::CheckLocked() {
  try {
    if (!session_ || !session_->is_open()) {
      term_ = 0;
      session_ = std::make_unique<pqxx::connection>(url_);
      pqxx::nontransaction setup(*session_);
      const int64_t idle = std::max<int64_t>(1, absl::ToInt64Seconds(timeout_) / 3);
      setup.exec(absl::StrCat("SET idle_session_timeout = ", Millis(timeout_),
                              "; SET tcp_keepalives_idle = ", idle,
                              "; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3",
                              "; SET tcp_user_timeout = ", Millis(timeout_),
                              "; SET statement_timeout = ", Millis(timeout_)));
    }
    pqxx::nontransaction q(*session_);
    if (term_ > 0) {
      q.exec("SELECT 1");  // the session lives, so the lock is still ours
      return true;
    }
    if (!q.exec_params1("SELECT pg_try_advisory_lock($1)", kLeaderLockKey)[0].as<bool>()) {
      return false;
    }
    // Waits for the previous leader's decision transactions to end.
    term_ = q.exec("UPDATE leader_term SET term = term + 1 RETURNING term")[0][0].as<int64_t>();
    spdlog::info("this replica is now the scheduling leader (term {})", term_.load());
    wake_.notify_all();
    return true;
  } catch (const std::exception& e) {
    if (term_ > 0) spdlog::error("lost the leader lock (term {}): {}", term_.load(), e.what());
    DropLocked();
    return false;
  }
}

void LeaderLock::Keep() {
  const auto every = absl::ToChronoMilliseconds(std::max(timeout_ / 5, absl::Milliseconds(100)));
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, every);
    if (!stopping_ && term_ > 0) CheckLocked();
  }
}

absl::Status LeaderLock::Fence(pqxx::work& tx) const {
  const int64_t term = term_.load();
  if (term == 0) return absl::FailedPreconditionError("not the scheduling leader");
  tx.exec(absl::StrCat("SET LOCAL idle_in_transaction_session_timeout = ", Millis(timeout_)));
  const int64_t stored = tx.exec1("SELECT term FROM leader_term FOR SHARE")[0].as<int64_t>();
  if (stored != term) {
    return absl::FailedPreconditionError(
        absl::StrCat("not the scheduling leader any more: term ", term, ", now ", stored));
  }
  return absl::OkStatus();
}

void LeaderLock::Release() {
  std::lock_guard lock(mu_);
  DropLocked();
}

}  // namespace armada::server
