"""/metrics of services running as their own processes on the real stack: a command to
the registry moves its request histogram; its event, published by the outbox relay,
moves the rotation service's consumer (applied, lag back to 0) and nothing is left in
either outbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from crosscheck_platform.auth.principal import Role
from crosscheck_platform.db import Database
from crosscheck_testing.auth import bearer
from crosscheck_testing.infra import Infra
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

COUNTY, TOWNSHIP = "532327", "532327101"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def total(samples: Samples, name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


async def eventually(
    client: httpx.AsyncClient, check: Callable[[Samples], bool], what: str
) -> Samples:
    try:
        async with asyncio.timeout(60):
            while not check(samples := await scrape(client)):
                await asyncio.sleep(0.2)
    except TimeoutError:
        pytest.fail(f"never seen at /metrics: {what}")
    return samples


@pytest.fixture
async def services(infra: Infra, unique_name: str) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """The registry and the rotation service (which consumes the registry's topic), each
    in its own schema, sharing a topic namespace."""
    try:
        async with AsyncExitStack() as stack:
            clients = {}
            for name in ("registry", "rotation"):
                port = free_port()
                env = service_env(
                    infra,
                    schema=f"{unique_name}_{name}",
                    namespace=unique_name,
                    port=port,
                    CROSSCHECK_LOG_LEVEL="WARNING",
                )
                base, _ = await stack.enter_async_context(
                    service_process(f"crosscheck_{name}.main", env, port)
                )
                clients[name] = await stack.enter_async_context(httpx.AsyncClient(base_url=base))
            yield clients
    finally:
        cleanup = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
        for name in ("registry", "rotation"):
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {unique_name}_{name} CASCADE")
        await cleanup.close()


async def test_a_command_moves_the_metrics_of_both_services(
    services: dict[str, httpx.AsyncClient], unique_name: str, infra: Infra
) -> None:
    registry, rotation = services["registry"], services["rotation"]
    group = f"{unique_name}_rotation.roster"
    before = await eventually(
        rotation,
        lambda s: value(s, "crosscheck_events_applied_total", consumer=group) == 0,
        "the roster consumer, idle",
    )
    assert total(before, "crosscheck_consumer_lag", group=group) == 0

    admin = bearer(infra.issuer, Role.TOWNSHIP_ADMIN, county=COUNTY, township=TOWNSHIP)
    registered = await registry.put(
        f"/v1/townships/{TOWNSHIP}", json={"name": "维的乡", "county_name": "测试县"}, headers=admin
    )
    assert registered.status_code == 201, registered.text

    put = {"method": "PUT", "route": "/v1/townships/{code}", "status": "201"}
    after = await scrape(registry)
    assert value(after, "http_request_duration_seconds_count", **put) == 1
    assert value(after, "http_request_duration_seconds_bucket", **put, le="+Inf") == 1
    assert (value(after, "http_request_duration_seconds_sum", **put) or 0) > 0
    await eventually(
        registry,
        lambda s: value(s, "crosscheck_outbox_pending", schema=f"{unique_name}_registry") == 0,
        "the registry's outbox drained",
    )
    applied = await eventually(
        rotation,
        # Applied, then its offset committed: the group is no longer behind.
        lambda s: (
            value(s, "crosscheck_events_applied_total", consumer=group) == 1
            and total(s, "crosscheck_consumer_lag", group=group) == 0
        ),
        "the township's event applied by the roster consumer and committed",
    )
    topic = f"{unique_name}.crosscheck.registry.v1"
    partitions = [ls for (n, ls) in applied if n == "crosscheck_consumer_lag"]
    # The roster consumer reads other topics too (the rounds' findings): the registry's
    # partitions are among those it reports.
    assert any(("topic", topic) in ls for ls in partitions)
    assert value(applied, "crosscheck_dead_letters_total", consumer=group, topic=topic) == 0
