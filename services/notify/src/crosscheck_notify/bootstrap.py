"""Wiring of the notify service: what is its own; the platform does the rest."""

from __future__ import annotations

from fastapi import FastAPI

from crosscheck_notify.api import routers
from crosscheck_notify.consumers import consumers
from crosscheck_platform.http import ServiceSpec, load_settings, service_app
from crosscheck_platform.settings import ServiceSettings

SERVICE = "notify"
DEFAULT_PORT = 8104


def settings_from_env() -> ServiceSettings:
    return load_settings(default_port=DEFAULT_PORT)


def build_app(settings: ServiceSettings) -> FastAPI:
    """The notify app; its database schema is `notify` unless CROSSCHECK_DB_SCHEMA says
    otherwise."""
    return service_app(
        ServiceSpec(name=SERVICE, routers=routers(), consumers=consumers()), settings
    )
