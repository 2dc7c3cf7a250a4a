"""/metrics: request durations by route template, and the gauges read at scrape time
(outbox backlog, consumer lag, dead letters) moving with what happens on the real
broker and database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.events import TownshipRegistered
from crosscheck_contracts.samples import sample
from crosscheck_contracts.topics import Topics
from crosscheck_platform.consumer import ReceivedEvent
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.http import ServiceSpec, create_app, service_app
from crosscheck_platform.http.consumers import consumer_part
from crosscheck_platform.http.infrastructure import load_catalogue
from crosscheck_platform.http.observed import outbox_pending
from crosscheck_platform.http.runtime import ServiceRuntime
from crosscheck_platform.kafka import reliable_producer
from crosscheck_platform.outbox import OutboxRelay
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.infra import Infra
from crosscheck_testing.sample_events import TENANT
from crosscheck_testing.schema import migrated

# Any issuer: these apps verify no token, and need no identity provider running.
NO_ISSUER = "https://issuer.invalid/realms/test"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(app: FastAPI) -> Samples:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every series of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


async def eventually(app: FastAPI, check: Callable[[Samples], bool], what: str) -> Samples:
    try:
        async with asyncio.timeout(60):
            while not check(samples := await scrape(app)):
                await asyncio.sleep(0.1)
    except TimeoutError:
        pytest.fail(f"never seen at /metrics: {what}")
    return samples


async def test_requests_are_timed_by_route_template_method_and_status() -> None:
    router = APIRouter()

    @router.get("/v1/places/{place_id}")
    async def place(place_id: str) -> dict[str, str]:
        return {"id": place_id}

    app = create_app(
        service="probe", settings=ServiceSettings(oidc_issuer=NO_ISSUER), routers=[router]
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        for place_id in ("p-1", "p-2", "p-3"):
            assert (await client.get(f"/v1/places/{place_id}")).status_code == 200
        assert (await client.get("/v1/nowhere")).status_code == 404
        assert (await client.delete("/v1/places/p-1")).status_code == 405

    samples = await scrape(app)
    count = "http_request_duration_seconds_count"
    ok = {"method": "GET", "route": "/v1/places/{place_id}", "status": "200"}
    assert value(samples, count, **ok) == 3
    assert value(samples, "http_request_duration_seconds_bucket", **ok, le="+Inf") == 3
    assert value(samples, count, method="GET", route="<unmatched>", status="404") == 1
    # The path matched, the method did not: still the template.
    assert value(samples, count, method="DELETE", route="/v1/places/{place_id}", status="405") == 1
    # One series per route, never one per place.
    assert not [ls for (n, ls) in samples if n == count and ("route", "/v1/places/p-1") in ls]


async def test_a_failing_source_is_left_out_and_counted() -> None:
    async def backlog() -> Sequence[Metric]:
        family = GaugeMetricFamily("crosscheck_probe_backlog", "probe")
        family.add_metric([], 7)
        return [family]

    async def unreachable() -> Sequence[Metric]:
        raise ConnectionRefusedError("nobody there")

    app = create_app(
        service="probe",
        settings=ServiceSettings(oidc_issuer=NO_ISSUER),
        metrics_sources={"backlog": backlog, "unreachable": unreachable},
    )
    first = await scrape(app)
    assert value(first, "crosscheck_probe_backlog") == 7
    assert value(first, "crosscheck_metrics_source_failures_total", source="unreachable") == 1
    second = await scrape(app)
    assert value(second, "crosscheck_metrics_source_failures_total", source="unreachable") == 2
    assert value(second, "crosscheck_metrics_source_failures_total", source="backlog") is None


def held_listener(
    infra: Infra, database: Database, namespace: str, release: asyncio.Event
) -> FastAPI:
    """A service with one consumer of the registry's topic whose handler waits for
    `release`, so its group's committed offsets stay put until then."""

    async def apply(conn: Connection, item: ReceivedEvent) -> None:
        await release.wait()

    settings = ServiceSettings(
        kafka_bootstrap=infra.kafka_bootstrap,
        database_url=infra.database_url,
        topic_namespace=namespace,
        db_schema=database.schema,
    )
    spec = ServiceSpec(
        name="listener", consumers=[consumer_part("townships", [BoundedContext.REGISTRY], apply)]
    )
    return service_app(spec, settings)


async def test_outbox_backlog_consumer_lag_and_dead_letters_move(
    infra: Infra, database: Database, topics: Topics, unique_name: str
) -> None:
    release = asyncio.Event()
    await migrated(database)
    app = held_listener(infra, database, unique_name, release)
    group = f"{database.schema}.townships"
    registry_topic = topics.of(BoundedContext.REGISTRY)
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        idle = await scrape(app)
        assert value(idle, "crosscheck_outbox_pending", schema=database.schema) == 0
        assert total(idle, "crosscheck_consumer_lag", group=group) == 0
        assert (
            value(idle, "crosscheck_dead_letters_total", consumer=group, topic=registry_topic) == 0
        )

        events = [sample(TownshipRegistered, township_code=f"53232710{n}") for n in range(3)]
        for event in events:
            await runtime.event_store.append(
                event.township_code, 0, [event], CommandContext(tenant=TENANT)
            )
        # Published (the outbox is empty again) but not applied: the group is 3 behind.
        held = await eventually(
            app,
            lambda s: (
                total(s, "crosscheck_consumer_lag", group=group, topic=registry_topic) == 3
                and value(s, "crosscheck_outbox_pending", schema=database.schema) == 0
            ),
            "a lag of 3 with the outbox drained",
        )
        assert value(held, "crosscheck_events_applied_total", consumer=group) == 0

        release.set()
        await eventually(
            app,
            lambda s: (
                total(s, "crosscheck_consumer_lag", group=group) == 0
                and value(s, "crosscheck_events_applied_total", consumer=group) == 3
            ),
            "the lag back to 0 with 3 events applied",
        )

        producer = reliable_producer(infra.kafka_bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(registry_topic, b"not an event", key=b"x")
        finally:
            await producer.stop()
        await eventually(
            app,
            lambda s: (
                value(s, "crosscheck_dead_letters_total", consumer=group, topic=registry_topic) == 1
                and total(s, "crosscheck_consumer_lag", group=group) == 0
            ),
            "one dead letter",
        )


async def test_the_outbox_backlog_counts_what_the_relay_has_not_sent(
    infra: Infra, database: Database, topics: Topics, unique_name: str
) -> None:
    settings = ServiceSettings(kafka_bootstrap=infra.kafka_bootstrap, topic_namespace=unique_name)
    runtime = ServiceRuntime("writer", settings, database.schema, topics, db=database)
    store = PostgresEventStore(database, load_catalogue(), topics)
    await migrated(store.db)
    for n in range(4):
        event = sample(TownshipRegistered, township_code=f"53232710{n}")
        await store.append(event.township_code, 0, [event], CommandContext(tenant=TENANT))

    def pending(families: Sequence[Metric]) -> list[tuple[dict[str, str], float]]:
        return [(s.labels, s.value) for f in families for s in f.samples]

    assert pending(await outbox_pending(runtime)) == [({"schema": database.schema}, 4)]
    producer = reliable_producer(infra.kafka_bootstrap)
    await producer.start()
    try:
        assert await OutboxRelay(database, producer).publish_pending() == 4
    finally:
        await producer.stop()
    assert pending(await outbox_pending(runtime)) == [({"schema": database.schema}, 0)]


async def test_kafka_health_is_a_metric_and_its_outage_leaves_the_service_ready(
    infra: Infra, database: Database, topics: Topics, unique_name: str
) -> None:
    await migrated(database)
    app = held_listener(infra, database, unique_name, asyncio.Event())
    async with app.router.lifespan_context(app):
        runtime: ServiceRuntime = app.state.runtime
        healthy = await scrape(app)
        assert value(healthy, "crosscheck_kafka_up") == 1
        for topic in topics.all:
            assert value(healthy, "crosscheck_kafka_partitions_leaderless", topic=topic) == 0
            assert value(healthy, "crosscheck_kafka_partitions_under_replicated", topic=topic) == 0

        async def broker_gone() -> bool:
            raise ConnectionError("no broker answers")

        runtime.kafka_ready = broker_gone  # type: ignore[method-assign]
        away = await scrape(app)
        assert value(away, "crosscheck_kafka_up") == 0
        assert total(away, "crosscheck_kafka_partitions_leaderless") == 0  # not reported
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text  # commands still go to the outbox
