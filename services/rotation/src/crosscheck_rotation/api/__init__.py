"""HTTP routers of the rotation service."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_platform.http.identity import whoami_router
from crosscheck_rotation.api import (
    campaigns,
    changes,
    county,
    county_texts,
    housekeeping,
    messages,
    roster,
)


def routers() -> list[APIRouter]:
    messages.register()
    county_texts.register()
    return [
        whoami_router(),
        housekeeping.router,
        changes.router,
        campaigns.router,
        roster.router,
        county.router,
    ]
