"""`GET /v1/whoami`: the caller's principal as the service sees it.

Every service mounts it, so a client (or an operator with a fresh token) can check
end to end that a token is accepted and scoped as intended.
"""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_platform.auth import Principal
from crosscheck_platform.auth.deps import CurrentPrincipal


def whoami_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["identity"])

    @router.get("/whoami")
    async def whoami(principal: CurrentPrincipal) -> Principal:
        return principal

    return router
