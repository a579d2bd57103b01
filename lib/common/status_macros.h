// Propagation macros for absl::Status and absl::StatusOr (STYLE.md convention 8).
//
// Abseil 20220623 ships neither macro, so we define them here. They are the only control-flow
// macros allowed besides ARMADA_CHECK; use them as full statements inside a block.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ARMADA_STATUS_MACROS_CONCAT_INNER_(a, b) a##b
#define ARMADA_STATUS_MACROS_CONCAT_(a, b) ARMADA_STATUS_MACROS_CONCAT_INNER_(a, b)

// RETURN_IF_ERROR(expr): evaluates `expr` (an absl::Status) exactly once; if it is not OK,
// returns it from the enclosing function, which must return absl::Status or absl::StatusOr<T>.
//
//   RETURN_IF_ERROR(store.Save(job));
#define RETURN_IF_ERROR(expr)                                 \
  do {                                                        \
    if (::absl::Status armada_status_macros_status_ = (expr); \
        !armada_status_macros_status_.ok()) {                 \
      return armada_status_macros_status_;                    \
    }                                                         \
  } while (false)

// ASSIGN_OR_RETURN(lhs, rexpr): evaluates `rexpr` (an absl::StatusOr<T>) exactly once; if it is
// not OK, returns its status from the enclosing function (which must return absl::Status or
// absl::StatusOr<U>); otherwise moves the value into `lhs`. `lhs` is either an existing
// variable or a declaration:
//
//   ASSIGN_OR_RETURN(auto job, store.LoadJob(id));
//   ASSIGN_OR_RETURN(int64_t milli, ParseQuantity(text));
//   ASSIGN_OR_RETURN(existing_, Load());
//
// It expands to several statements, so it cannot be the body of an unbraced `if`/`for`, and it
// may appear at most once per source line (the temporary is named after __LINE__). A `lhs`
// type containing a comma (std::pair<int, int> p) must use `auto` or an alias.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ARMADA_ASSIGN_OR_RETURN_IMPL_(     \
      ARMADA_STATUS_MACROS_CONCAT_(armada_status_macros_statusor_, __LINE__), lhs, rexpr)

#define ARMADA_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) {                                     \
    return std::move(statusor).status();                    \
  }                                                         \
  lhs = *std::move(statusor)
