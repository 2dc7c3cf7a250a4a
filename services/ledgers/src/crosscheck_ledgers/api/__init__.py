"""HTTP routers of the ledgers service."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_platform.http.identity import whoami_router


def routers() -> list[APIRouter]:
    return [whoami_router()]
