"""Wiring of the ledgers service: what is its own; the platform does the rest."""

from __future__ import annotations

from fastapi import FastAPI

from crosscheck_ledgers.api import routers
from crosscheck_ledgers.consumers import consumers
from crosscheck_platform.http import ServiceSpec, load_settings, service_app
from crosscheck_platform.settings import ServiceSettings

SERVICE = "ledgers"
DEFAULT_PORT = 8105


def settings_from_env() -> ServiceSettings:
    return load_settings(default_port=DEFAULT_PORT)


def build_app(settings: ServiceSettings) -> FastAPI:
    """The ledgers app; its database schema is `ledgers` unless CROSSCHECK_DB_SCHEMA says
    otherwise."""
    return service_app(
        ServiceSpec(name=SERVICE, routers=routers(), consumers=consumers()), settings
    )
