#include "lib/common/ids.h"

#include <algorithm>
#include <cstdint>

#include "absl/random/random.h"
#include "absl/time/time.h"

namespace armada::common {
namespace {

constexpr std::string_view kCrockford = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr std::string_view kHex = "0123456789abcdef";
constexpr int kRandomBits = 80;
constexpr int64_t kMaxTimestampMs = (int64_t{1} << 48) - 1;

bool IsCrockford(char c) { return kCrockford.find(c) != std::string_view::npos; }

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// 26 base32 digits hold 130 bits; the first digit carries only the top 3 bits of `value`.
std::string EncodeUlid(absl::uint128 value) {
  std::string out(kJobIdLength, '0');
  for (std::size_t i = kJobIdLength; i-- > 0;) {
    out[i] = kCrockford[static_cast<std::size_t>(absl::Uint128Low64(value) & 31)];
    value >>= 5;
  }
  return out;
}

IdGenerator& ProcessGenerator() {
  // Leaked on purpose: no destruction-order problems at exit.
  static RealClock* const clock = new RealClock();
  static absl::BitGen* const bitgen = new absl::BitGen();
  static IdGenerator* const generator = new IdGenerator(*clock, *bitgen);
  return *generator;
}

}  // namespace

IdGenerator::IdGenerator(const Clock& clock, absl::BitGenRef bitgen)
    : clock_(clock), bitgen_(bitgen) {}

std::string IdGenerator::NewJobId() {
  const int64_t ms = std::clamp<int64_t>(absl::ToUnixMillis(clock_.Now()), 0, kMaxTimestampMs);
  absl::MutexLock lock(&mu_);
  const uint64_t last_ms = absl::Uint128Low64(last_ >> kRandomBits);
  if (has_last_ && static_cast<uint64_t>(ms) <= last_ms) {
    ++last_;
  } else {
    const uint64_t random_high = bitgen_() & 0xffff;
    const uint64_t random_low = bitgen_();
    last_ = (absl::uint128(static_cast<uint64_t>(ms)) << kRandomBits) |
            absl::MakeUint128(random_high, random_low);
    has_last_ = true;
  }
  return EncodeUlid(last_);
}

std::string IdGenerator::NewRunId() {
  uint64_t high;
  uint64_t low;
  {
    absl::MutexLock lock(&mu_);
    high = bitgen_();
    low = bitgen_();
  }
  high = (high & ~uint64_t{0xf000}) | uint64_t{0x4000};          // Version 4.
  low = (low & ~(uint64_t{0xc} << 60)) | (uint64_t{0x8} << 60);  // Variant 10xx.
  std::string out;
  out.reserve(kRunIdLength);
  for (int nibble = 0; nibble < 32; ++nibble) {
    if (nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20) out.push_back('-');
    const uint64_t word = nibble < 16 ? high : low;
    const int shift = 60 - 4 * (nibble % 16);
    out.push_back(kHex[(word >> shift) & 0xf]);
  }
  return out;
}

std::string NewJobId() { return ProcessGenerator().NewJobId(); }

std::string NewRunId() { return ProcessGenerator().NewRunId(); }

bool IsValidJobId(std::string_view id) {
  return id.size() == kJobIdLength && id[0] >= '0' && id[0] <= '7' &&
         std::all_of(id.begin(), id.end(), IsCrockford);
}

bool IsValidRunId(std::string_view id) {
  if (id.size() != kRunIdLength) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? id[i] != '-' : !IsLowerHex(id[i])) return false;
  }
  return id[14] == '4' && (id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
}

}  // namespace armada::common
