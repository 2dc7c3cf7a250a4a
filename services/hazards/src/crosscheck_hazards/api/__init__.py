"""HTTP routers of the hazards service."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_hazards.api import (
    checklists,
    evidence,
    hazards,
    inspections,
    messages,
    notices,
    presence,
)
from crosscheck_platform.http.identity import whoami_router


def routers() -> list[APIRouter]:
    messages.register_messages()
    return [
        whoami_router(),
        inspections.router,
        hazards.router,
        checklists.router,
        evidence.router,
        notices.router,
        notices.public_router,
        presence.router,
    ]
