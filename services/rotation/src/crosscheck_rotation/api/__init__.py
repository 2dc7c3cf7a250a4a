"""HTTP routers of the rotation service."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_platform.http.identity import whoami_router
from crosscheck_rotation.api.campaigns import campaigns_router
from crosscheck_rotation.api.changes import changes_router
from crosscheck_rotation.api.housekeeping import housekeeping_router
from crosscheck_rotation.api.roster import roster_router
from crosscheck_rotation.domain import messages


def routers() -> list[APIRouter]:
    messages.register()
    return [
        whoami_router(),
        housekeeping_router(),
        changes_router(),
        campaigns_router(),
        roster_router(),
    ]
