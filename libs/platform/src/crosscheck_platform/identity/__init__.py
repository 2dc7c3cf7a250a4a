"""The OpenID Connect provider from Crosscheck's side: logins provisioned by the registry
(`IdentityProvider`, Keycloak's Admin REST API) and tokens from the token endpoint
(`TokenClient`: password and refresh grants for scripts and tests).

Token verification is not here: services verify tokens with `crosscheck_platform.auth`.
"""

from crosscheck_platform.identity.errors import (
    IdentityConflict,
    IdentityError,
    IdentityRefused,
    IdentityUnreachable,
    IdentityUserNotFound,
    LoginRefused,
    PasswordRejected,
)
from crosscheck_platform.identity.provider import IdentityProvider
from crosscheck_platform.identity.settings import IdentitySettings
from crosscheck_platform.identity.tokens import CLI_CLIENT_ID, TokenClient, TokenSet
from crosscheck_platform.identity.users import (
    SCOPE_ATTRIBUTES,
    IdentityUser,
    RealmRole,
    UserSpec,
)

__all__ = [
    "CLI_CLIENT_ID",
    "SCOPE_ATTRIBUTES",
    "IdentityConflict",
    "IdentityError",
    "IdentityProvider",
    "IdentityRefused",
    "IdentitySettings",
    "IdentityUnreachable",
    "IdentityUser",
    "IdentityUserNotFound",
    "LoginRefused",
    "PasswordRejected",
    "RealmRole",
    "TokenClient",
    "TokenSet",
    "UserSpec",
]
