"""Wiring of the notify service: what is its own; the platform does the rest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI

from crosscheck_notify.adapters.backlog import due_backlog
from crosscheck_notify.api import routers
from crosscheck_notify.app.workers_part import workers_part
from crosscheck_notify.consumers import consumers
from crosscheck_notify.settings import NotifySettings, refuse_unsafe_webhook_secret
from crosscheck_platform.clock import system_clock
from crosscheck_platform.http import ServiceSpec, load_settings, service_app
from crosscheck_platform.settings import ServiceSettings

SERVICE = "notify"
DEFAULT_PORT = 8104


def settings_from_env() -> ServiceSettings:
    return load_settings(default_port=DEFAULT_PORT)


def build_app(
    settings: ServiceSettings,
    notify: NotifySettings | None = None,
    clock: Callable[[], datetime] = system_clock,
) -> FastAPI:
    """The notify app; its database schema is `notify` unless CROSSCHECK_DB_SCHEMA says
    otherwise. The schedule consumer comes before the workers, which read its tables."""
    notify = notify or NotifySettings()
    # The service's own environment decides, whatever the notify settings were built with.
    refuse_unsafe_webhook_secret(settings.environment, notify.webhook_secret)
    parts = [*consumers(notify.policy()), workers_part(notify, clock)]
    spec = ServiceSpec(
        name=SERVICE,
        routers=routers(),
        consumers=parts,
        metrics={"notify_backlog": due_backlog(clock)},
    )
    return service_app(spec, settings)
