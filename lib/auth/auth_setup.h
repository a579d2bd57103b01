#pragma once

// Builds the authenticator chain and the permission policy from `auth:`.

#include <memory>

#include "absl/status/statusor.h"
#include "lib/auth/auth_config.h"
#include "lib/auth/authenticator.h"
#include "lib/auth/permissions.h"
#include "lib/common/clock.h"

namespace armada::auth {

// The methods of `config` in order. Not configured: anonymous only.
// kInvalidArgument when a configured method is incomplete or no method is on.
absl::StatusOr<std::unique_ptr<AuthenticatorChain>> MakeAuthenticatorChain(
    const AuthConfig& config, const common::Clock& clock);

// Not configured: every permission for everyone; else the configured mappings.
PermissionPolicy MakePermissionPolicy(const AuthConfig& config);

}  // namespace armada::auth
