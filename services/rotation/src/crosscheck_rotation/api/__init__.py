"""HTTP routers of the rotation service."""

from __future__ import annotations

from crosscheck_platform.http.identity import whoami_router
from fastapi import APIRouter


def routers() -> list[APIRouter]:
    return [whoami_router()]
