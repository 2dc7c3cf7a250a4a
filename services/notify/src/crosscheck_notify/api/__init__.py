"""HTTP routers of the notify service."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_notify.api.contacts import router as contacts_router
from crosscheck_notify.api.messages import register_messages
from crosscheck_notify.api.notices import router as notices_router
from crosscheck_platform.http.identity import whoami_router


def routers() -> list[APIRouter]:
    register_messages()
    return [whoami_router(), contacts_router, notices_router]
