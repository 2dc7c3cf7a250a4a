"""Wiring of the registry service: what is its own; the platform does the rest."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from crosscheck_platform.http import RuntimePart, ServiceSpec, load_settings, service_app
from crosscheck_platform.http.runtime import ServiceRuntime
from crosscheck_platform.settings import ServiceSettings
from crosscheck_registry.adapters.identity import identity_provider
from crosscheck_registry.api import routers
from crosscheck_registry.app.logins import Logins
from crosscheck_registry.consumers import consumers

SERVICE = "registry"
DEFAULT_PORT = 8101


def settings_from_env() -> ServiceSettings:
    return load_settings(default_port=DEFAULT_PORT)


def closing(logins: Logins) -> RuntimePart:
    @contextlib.asynccontextmanager
    async def part(_: ServiceRuntime) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await logins.close()

    return part


def build_app(settings: ServiceSettings) -> FastAPI:
    """The registry app; its database schema is `registry` unless CROSSCHECK_DB_SCHEMA says
    otherwise. The read model's tables are created at start, before any request.
    With the identity provider's client settings it also manages logins."""
    logins = Logins(identity_provider(settings))
    spec = ServiceSpec(
        name=SERVICE,
        routers=routers(),
        consumers=[closing(logins), *consumers(logins)],
    )
    app = service_app(spec, settings)
    app.state.logins = logins
    return app
