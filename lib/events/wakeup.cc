#include "lib/events/wakeup.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace armada::events {

std::string EncodeWakeup(const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    if (key.find('\n') != std::string::npos) return "*";
  }
  return absl::StrJoin(keys, "\n");
}

Wakeup DecodeWakeup(absl::string_view payload) {
  Wakeup wakeup;
  if (payload == "*") {
    wakeup.all = true;
    return wakeup;
  }
  wakeup.keys = absl::StrSplit(payload, '\n', absl::SkipEmpty());
  return wakeup;
}

}  // namespace armada::events
