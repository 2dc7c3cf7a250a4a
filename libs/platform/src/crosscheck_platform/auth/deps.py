"""FastAPI dependencies: who is calling, and may they do this here.

The settings (secret, issuer) come from `app.state.settings`, set by `create_app`, so
tests and services build as many apps with different settings as they like.

    Admin = Annotated[Principal, Depends(require_roles(Role.TOWNSHIP_ADMIN))]

    @router.post("/v1/sites")
    async def register_site(principal: Admin, command: RegisterSite) -> ...:
        authorize_tenant(principal, command.tenant, write=True)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.auth.errors import Forbidden, Unauthenticated
from crosscheck_platform.auth.principal import Principal, Role
from crosscheck_platform.auth.tokens import InvalidToken, verify_token
from crosscheck_platform.settings import ServiceSettings

# Dependencies are async: a plain `def` would be run in a worker thread on every request.
# auto_error=False: a missing token must get our 401 (translated, WWW-Authenticate),
# not FastAPI's bare one. The scheme also documents bearer auth in OpenAPI.
_bearer = HTTPBearer(auto_error=False, description="JWT minted by crosscheck-token")


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


# Settings are read from the app here rather than through a dependency of their own:
# FastAPI resolves every dependency on every request, at a cost (~0.05-0.1 ms each
# in a profile of the hazards service) well above what these functions do.


async def verified_principal(request: Request, token: str) -> Principal:
    """The token's principal, verified once per request: the rate limit and the
    route's own dependencies all ask, and each would verify the signature again."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    settings = cast(ServiceSettings, request.app.state.settings)
    try:
        principal = verify_token(settings, token)
    except InvalidToken as exc:
        raise Unauthenticated("token_expired" if exc.expired else "unauthorized") from exc
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


def authorize_tenant(principal: Principal, tenant: Tenant, *, write: bool) -> None:
    """Raise 403 unless the principal may read (or, with write, change) the tenant's data."""
    if not principal.can_read(tenant):
        raise Forbidden("forbidden.scope", township=tenant.township)
    if write and not principal.can_write(tenant):
        raise Forbidden("forbidden.read_only", township=tenant.township)
