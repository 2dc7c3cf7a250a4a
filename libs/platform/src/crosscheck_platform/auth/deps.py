"""FastAPI dependencies: who is calling, and may they do this here.

The token verifier comes from `app.state.token_verifier`, set by `create_app` from the
settings, so tests and services build as many apps with different issuers as they like.

    Admin = Annotated[Principal, Depends(require_roles(Role.TOWNSHIP_ADMIN))]

    @router.post("/v1/checklists/items")
    async def add_item(principal: Admin, body: AddItem) -> ...:

Which township or village data a principal reaches is `crosscheck_platform.tenancy`'s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from crosscheck_platform.auth.errors import Forbidden, IdentityUnavailable, Unauthenticated
from crosscheck_platform.auth.jwks import IssuerUnavailable
from crosscheck_platform.auth.principal import Principal, Role
from crosscheck_platform.auth.verifier import InvalidToken, TokenVerifier

# Dependencies are async: a plain `def` would be run in a worker thread on every request.
# auto_error=False: a missing token must get our 401 (translated, WWW-Authenticate),
# not FastAPI's bare one. The scheme also documents bearer auth in OpenAPI.
_bearer = HTTPBearer(
    auto_error=False,
    description="An access token from the OpenID Connect issuer the service trusts",
)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


# The verifier is read from the app here rather than through a dependency of its own:
# FastAPI resolves every dependency on every request, at a cost (visible in a profile
# of the hazards service) well above what these functions do.


async def verified_principal(request: Request, token: str) -> Principal:
    """The token's principal, verified once per request: the rate limit and the
    route's own dependencies all ask, and each would verify the signature again."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = await verifier.verify(token)
    except InvalidToken as exc:
        raise Unauthenticated("token_expired" if exc.expired else "unauthorized") from exc
    except IssuerUnavailable as exc:
        raise IdentityUnavailable() from exc
    request.state.principal = principal
    return principal


async def current_principal(request: Request, credentials: Credentials) -> Principal:
    if credentials is None:
        raise Unauthenticated()
    return await verified_principal(request, credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Request, Credentials], Awaitable[Principal]]:
    """A dependency that admits only `roles`:
    `Annotated[Principal, Depends(require_roles(Role.TOWNSHIP_ADMIN))]`."""
    allowed = frozenset(roles)

    async def principal_in_role(request: Request, credentials: Credentials) -> Principal:
        principal = await current_principal(request, credentials)
        if principal.role not in allowed:
            raise Forbidden("forbidden.role", role=principal.role.value)
        return principal

    return principal_in_role
