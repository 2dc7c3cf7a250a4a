"""The console's pages."""

from __future__ import annotations

from fastapi import APIRouter

from crosscheck_console.api.auth import auth_router
from crosscheck_console.api.campaigns import campaigns_router
from crosscheck_console.api.dashboard import dashboard_router
from crosscheck_console.api.field import field_router
from crosscheck_console.api.home import home_router
from crosscheck_console.api.inventory import inventory_router
from crosscheck_console.api.rectification import rectification_router
from crosscheck_console.api.staff import staff_router
from crosscheck_console.api.texts import register_texts


def routers() -> list[APIRouter]:
    register_texts()
    return [
        auth_router(),
        home_router(),
        dashboard_router(),
        inventory_router(),
        staff_router(),
        campaigns_router(),
        field_router(),
        rectification_router(),
    ]
