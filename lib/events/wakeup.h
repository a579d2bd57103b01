#pragma once

// The pub/sub wake-up the relay sends after each batch it publishes, so that
// every server replica reads the streams that grew instead of polling them.
//
// Channel kWakeupChannel; payload: the stream keys that grew, one per line. A
// key holding a newline cannot be told apart, so such a batch sends "*" ("any
// stream may have grown") instead.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace armada::events {

inline constexpr char kWakeupChannel[] = "armada:events:wakeup";

struct Wakeup {
  bool all = false;               // every stream may have grown
  std::vector<std::string> keys;  // else: these streams grew
};

// The payload for `keys` (each once, in the order given). Cheap.
std::string EncodeWakeup(const std::vector<std::string>& keys);

// Reads a payload made by EncodeWakeup. Never fails: an unexpected payload
// decodes to whatever lines it has.
Wakeup DecodeWakeup(absl::string_view payload);

}  // namespace armada::events
