// armadactl's version, printed by `armadactl version`.
#pragma once

namespace armada::cli {

inline constexpr char kArmadactlVersion[] = "0.1.0";

}  // namespace armada::cli
