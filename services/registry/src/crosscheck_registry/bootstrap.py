"""Wiring of the registry service: what is its own; the platform does the rest."""

from __future__ import annotations

from fastapi import FastAPI

from crosscheck_platform.http import ServiceSpec, load_settings, service_app
from crosscheck_platform.settings import ServiceSettings
from crosscheck_registry.adapters.lifespan import read_model
from crosscheck_registry.api import routers
from crosscheck_registry.consumers import consumers

SERVICE = "registry"
DEFAULT_PORT = 8101


def settings_from_env() -> ServiceSettings:
    return load_settings(default_port=DEFAULT_PORT)


def build_app(settings: ServiceSettings) -> FastAPI:
    """The registry app; its database schema is `registry` unless CROSSCHECK_DB_SCHEMA says
    otherwise. The read model's tables are created at start, before any request."""
    spec = ServiceSpec(name=SERVICE, routers=routers(), consumers=[read_model, *consumers()])
    return service_app(spec, settings)
