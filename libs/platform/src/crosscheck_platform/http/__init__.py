"""The HTTP side every service shares: app factory, error answers, health, serving."""

from crosscheck_platform.http.app import LifespanPart, create_app
from crosscheck_platform.http.errors import error_response
from crosscheck_platform.http.health import ReadinessCheck
from crosscheck_platform.http.runtime import Runtime, ServiceRuntime
from crosscheck_platform.http.serve import run
from crosscheck_platform.http.service import RuntimePart, ServiceSpec, load_settings, service_app

__all__ = [
    "LifespanPart",
    "ReadinessCheck",
    "Runtime",
    "RuntimePart",
    "ServiceRuntime",
    "ServiceSpec",
    "create_app",
    "error_response",
    "load_settings",
    "run",
    "service_app",
]
