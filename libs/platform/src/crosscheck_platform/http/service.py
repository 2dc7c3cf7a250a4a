"""Assembling a Crosscheck service: each service's bootstrap names what is its own
(name, default port, routers, consumers) and this module wires the rest the same way
for all of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI
from prometheus_client.metrics_core import Metric

from crosscheck_contracts.topics import Topics
from crosscheck_platform.http import infrastructure, observed
from crosscheck_platform.http.app import LifespanPart, create_app
from crosscheck_platform.http.runtime import ServiceRuntime
from crosscheck_platform.settings import ServiceSettings

# Started after the outbox relay and stopped before it, e.g. a Kafka consumer.
RuntimePart = Callable[[ServiceRuntime], AbstractAsyncContextManager[Any]]

# Read at each scrape of /metrics, e.g. a backlog counted in the service's own tables.
RuntimeMetrics = Callable[[ServiceRuntime], Awaitable[Sequence[Metric]]]

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
    metrics: Mapping[str, RuntimeMetrics] = field(default_factory=dict)


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


def _read(
    source: RuntimeMetrics, runtime: ServiceRuntime
) -> Callable[[], Awaitable[Sequence[Metric]]]:
    async def read() -> Sequence[Metric]:
        return await source(runtime)

    return read


_METRICS: Mapping[str, RuntimeMetrics] = {
    "outbox": observed.outbox_pending,
    "consumer_lag": observed.consumer_lag,
    "consumers": observed.consumer_counts,
    "kafka": observed.kafka_health,
}


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
            # Not Kafka: while it is away commands still land in the outbox (and the
            # relay retries), so every pod leaving the load balancer would turn a broker
            # outage into a full one. Kafka's health is crosscheck_kafka_up and an alert.
            "database": runtime.database_ready,
            "outbox_relay": runtime.relay_ready,
        },
        metrics_sources={
            name: _read(source, runtime) for name, source in {**_METRICS, **spec.metrics}.items()
        },
    )
    app.state.runtime = runtime
    return app
