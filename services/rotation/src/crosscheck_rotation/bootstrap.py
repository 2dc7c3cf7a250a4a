"""Wiring of the rotation service: what is its own; the platform does the rest."""

from __future__ import annotations

from fastapi import FastAPI

from crosscheck_platform.clock import Clock, system_clock
from crosscheck_platform.http import ServiceSpec, load_settings, service_app
from crosscheck_platform.settings import ServiceSettings
from crosscheck_rotation.api import routers
from crosscheck_rotation.api.causes import infeasible_answer
from crosscheck_rotation.consumers import consumers
from crosscheck_rotation.domain.causes import RotationInfeasible

SERVICE = "rotation"
DEFAULT_PORT = 8102


def settings_from_env() -> ServiceSettings:
    return load_settings(default_port=DEFAULT_PORT)


def build_app(settings: ServiceSettings, *, clock: Clock = system_clock) -> FastAPI:
    """The rotation app; its database schema is `rotation` unless CROSSCHECK_DB_SCHEMA says
    otherwise. Tests inject the clock (which day it is decides whether a campaign started)."""
    app = service_app(ServiceSpec(name=SERVICE, routers=routers(), consumers=consumers()), settings)
    app.state.clock = clock
    # An impossible plan's causes are codes and parameters: rendered here, in both languages.
    app.add_exception_handler(RotationInfeasible, infeasible_answer)
    return app
