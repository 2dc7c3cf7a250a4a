"""HTTP routers of the registry service."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_platform.http.identity import whoami_router
from crosscheck_registry.api.imports import imports_router
from crosscheck_registry.api.logins import router as logins_router
from crosscheck_registry.api.messages import register_messages
from crosscheck_registry.api.sites import sites_router
from crosscheck_registry.api.staff import staff_router
from crosscheck_registry.api.townships import townships_router


def routers() -> list[APIRouter]:
    register_messages()
    return [
        whoami_router(),
        townships_router(),
        sites_router(),
        staff_router(),
        imports_router(),
        logins_router,
    ]
