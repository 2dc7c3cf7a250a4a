"""A service's consumer part, started by the app's lifespan, applies events from another
context's topic (published through that context's outbox) exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.events import TownshipRegistered
from crosscheck_contracts.samples import sample
from crosscheck_contracts.topics import Topics
from crosscheck_platform.consumer import ReceivedEvent
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.eventstore import CommandContext
from crosscheck_platform.http import ServiceSpec, service_app
from crosscheck_platform.http.consumers import consumer_part
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.infra import Infra
from crosscheck_testing.sample_events import TENANT
from crosscheck_testing.schema import migrated

TABLES = ["CREATE TABLE IF NOT EXISTS townships (code text PRIMARY KEY, name text NOT NULL)"]


async def remember_township(conn: Connection, item: ReceivedEvent) -> None:
    if isinstance(item.event, TownshipRegistered):
        await conn.execute(
            "INSERT INTO townships VALUES ($1, $2)", item.event.township_code, item.event.name
        )


def listener(infra: Infra, database: Database, namespace: str) -> FastAPI:
    """A service whose one consumer part keeps the townships registered."""
    settings = ServiceSettings(
        kafka_bootstrap=infra.kafka_bootstrap,
        database_url=infra.database_url,
        topic_namespace=namespace,
        db_schema=database.schema,
        oidc_issuer="http://issuer.invalid/realms/crosscheck",
    )
    spec = ServiceSpec(
        name="listener",
        consumers=[consumer_part("townships", [BoundedContext.REGISTRY], remember_township)],
    )
    return service_app(spec, settings)


async def test_consumer_part_applies_events_from_another_service(
    infra: Infra, database: Database, topics: Topics, unique_name: str
) -> None:
    await migrated(database)
    await database.ensure_scratch_tables(TABLES)
    app = listener(infra, database, unique_name)
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        event = sample(TownshipRegistered)
        await runtime.event_store.append(
            event.township_code, 0, [event], CommandContext(tenant=TENANT)
        )
        async with asyncio.timeout(60):
            while await database.fetchval("SELECT count(*) FROM townships") == 0:
                await asyncio.sleep(0.05)
        assert runtime.consumers["townships"].applied == 1
    rows = await database.fetch("SELECT code, name FROM townships")
    assert [(r["code"], r["name"]) for r in rows] == [(event.township_code, event.name)]


async def test_a_batch_reaches_its_handler_without_a_worker_thread(
    infra: Infra,
    database: Database,
    unique_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A handler parameter filled from FastStream's context (e.g. `KafkaMessage`) is
    # resolved by fast_depends in anyio's worker threads: a thread hop per batch.
    hops: list[object] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    await migrated(database)
    await database.ensure_scratch_tables(TABLES)
    app = listener(infra, database, unique_name)
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        events = [sample(TownshipRegistered, township_code=f"53232710{n}") for n in range(3)]
        for event in events:
            await runtime.event_store.append(
                event.township_code, 0, [event], CommandContext(tenant=TENANT)
            )
        async with asyncio.timeout(60):
            while await database.fetchval("SELECT count(*) FROM townships") < len(events):
                await asyncio.sleep(0.05)
    assert hops == []
