"""HTTP routers of the ledgers service."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_ledgers.api.exports import router as exports_router
from crosscheck_ledgers.api.ledgers import router as ledgers_router
from crosscheck_platform.http.identity import whoami_router


def routers() -> list[APIRouter]:
    return [whoami_router(), ledgers_router, exports_router]
