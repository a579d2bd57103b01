// Identifiers for jobs and runs.
//
// Job ids are lower-case ULIDs: 26 Crockford base32 characters encoding a 48-bit Unix
// millisecond timestamp followed by 80 random bits, so they sort by creation time. Run ids are
// random RFC 4122 version 4 UUIDs in lower-case 8-4-4-4-12 form.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/numeric/int128.h"
#include "absl/random/bit_gen_ref.h"
#include "absl/synchronization/mutex.h"
#include "lib/common/clock.h"

namespace armada::common {

inline constexpr std::size_t kJobIdLength = 26;
inline constexpr std::size_t kRunIdLength = 36;

// NewJobId(): a new job id from the system clock and a process-wide absl::BitGen. Ids returned
// by one process are unique and strictly increasing in lexical order, also within one
// millisecond and if the system clock steps back. Thread-safe; takes a process-wide mutex.
// Not fork-safe: a forked child continues the parent's sequence.
std::string NewJobId();

// NewRunId(): a new random UUID v4 ("xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx", lower-case)
// from the process-wide generator. Thread-safe.
std::string NewRunId();

// IsValidJobId(id): true iff `id` has the form of a job id: 26 characters from the lower-case
// alphabet "0123456789abcdefghjkmnpqrstvwxyz", the first at most '7' (128 bits). Upper-case
// ids are rejected. Cheap (no allocation); safe on any input.
bool IsValidJobId(std::string_view id);

// IsValidRunId(id): true iff `id` is a lower-case UUID v4 in 8-4-4-4-12 form.
bool IsValidRunId(std::string_view id);

// IdGenerator: the generator behind NewJobId()/NewRunId(), with its clock and randomness
// injected so tests are deterministic.
//
// Ids from one generator are strictly increasing: when the clock has not moved past the last
// id's millisecond (same millisecond, or the clock went back), the next id is the last one plus
// one (the ULID spec's monotonic mode; an overflow of the random part carries into the
// timestamp instead of failing). Times before 1970 encode as 0. The guarantee holds until the
// 48-bit timestamp runs out in the year 10889.
//
// Thread-safe: calls are serialized by an internal mutex. `clock` and `bitgen` are borrowed,
// must outlive the generator, and `bitgen` must not be used by anyone else concurrently.
class IdGenerator {
 public:
  IdGenerator(const Clock& clock, absl::BitGenRef bitgen);

  IdGenerator(const IdGenerator&) = delete;
  IdGenerator& operator=(const IdGenerator&) = delete;

  std::string NewJobId();
  std::string NewRunId();

 private:
  const Clock& clock_;
  absl::Mutex mu_;
  absl::BitGenRef bitgen_ ABSL_GUARDED_BY(mu_);
  bool has_last_ ABSL_GUARDED_BY(mu_) = false;
  absl::uint128 last_ ABSL_GUARDED_BY(mu_) = 0;  // The last job id as a 128-bit number.
};

}  // namespace armada::common
