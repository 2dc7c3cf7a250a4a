"""Assembling a Crosscheck service: each service's bootstrap names what is its own
(name, default port, routers, consumers) and this module wires the rest the same way
for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI

from crosscheck_contracts.topics import Topics
from crosscheck_platform.http import infrastructure
from crosscheck_platform.http.app import LifespanPart, create_app
from crosscheck_platform.http.runtime import ServiceRuntime
from crosscheck_platform.settings import ServiceSettings

# Started after the outbox relay and stopped before it, e.g. a Kafka consumer.
RuntimePart = Callable[[ServiceRuntime], AbstractAsyncContextManager[Any]]

_INFRASTRUCTURE: tuple[RuntimePart, ...] = (
    infrastructure.database,
    infrastructure.event_store,
    infrastructure.producer,
    infrastructure.outbox_relay,
)


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    routers: Sequence[APIRouter] = ()
    consumers: Sequence[RuntimePart] = ()


def load_settings(*, default_port: int) -> ServiceSettings:
    """Settings from the environment, with the service's own port unless
    CROSSCHECK_HTTP_PORT says otherwise."""
    settings = ServiceSettings()
    if "http_port" not in settings.model_fields_set:
        settings = settings.model_copy(update={"http_port": default_port})
    return settings


def _bound(part: RuntimePart, runtime: ServiceRuntime) -> LifespanPart:
    def enter(_: FastAPI) -> AbstractAsyncContextManager[Any]:
        return part(runtime)

    return enter


def service_app(spec: ServiceSpec, settings: ServiceSettings) -> FastAPI:
    """The service's app; nothing connects until the app's lifespan starts."""
    runtime = ServiceRuntime(
        service=spec.name,
        settings=settings,
        schema=settings.db_schema or spec.name,
        topics=Topics(settings.topic_namespace),
    )
    app = create_app(
        service=spec.name,
        settings=settings,
        lifespan_parts=[_bound(p, runtime) for p in (*_INFRASTRUCTURE, *spec.consumers)],
        routers=spec.routers,
        readiness_checks={
            "database": runtime.database_ready,
            "kafka": runtime.kafka_ready,
            "outbox_relay": runtime.relay_ready,
        },
    )
    app.state.runtime = runtime
    return app
