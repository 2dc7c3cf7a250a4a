"""The ledgers service on the real stack: its own schema and topic namespace per app,
events produced to Kafka as the other contexts publish them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.topics import Topics
from crosscheck_ledgers import bootstrap
from crosscheck_ledgers.consumers import CONSUMER
from crosscheck_ledgers.domain.tables import ALL_TABLES
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.db import Database
from crosscheck_platform.http import ServiceRuntime
from crosscheck_platform.kafka import ensure_topics, reliable_producer
from crosscheck_scenarios.ledgers import Produced
from crosscheck_testing.infra import Infra
from crosscheck_testing.schema import migrate_schema


@dataclass
class Ledgers:
    infra: Infra
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    namespace: str

    @property
    def db(self) -> Database:
        return self.runtime.database

    @property
    def applied(self) -> int:
        return self.runtime.consumers[CONSUMER].applied

    async def wait_dead_lettered(self, count: int, timeout: float = 60) -> None:
        async with asyncio.timeout(timeout):
            while self.runtime.consumers[CONSUMER].dead_lettered < count:
                await asyncio.sleep(0.05)

    async def wait_applied(self, count: int, timeout: float = 60) -> None:
        async with asyncio.timeout(timeout):
            while self.applied < count:
                await asyncio.sleep(0.05)

    async def get(self, path: str, principal: Principal, **params: Any) -> httpx.Response:
        token = self.infra.issuer.token(principal)
        return await self.client.get(
            path, params=params, headers={"Authorization": f"Bearer {token}"}
        )

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every projection row, ordered by key: for row-by-row comparisons."""
        out = {}
        for table in ALL_TABLES:
            keys = ", ".join(c.name for c in table.keys)
            rows = await self.db.fetch(f"SELECT * FROM {table.name} ORDER BY {keys}")
            out[table.name] = [tuple(r.values()) for r in rows]
        return out


def admin(tenant: Tenant) -> Principal:
    return Principal(
        subject="admin",
        name="安全办",
        role=Role.TOWNSHIP_ADMIN,
        county=tenant.county,
        township=tenant.township,
    )


def county_viewer(county: str) -> Principal:
    return Principal(subject="county", name="县应急局", role=Role.COUNTY_VIEWER, county=county)


async def produce(bootstrap_servers: str, namespace: str, events: Sequence[Produced]) -> None:
    topics = Topics(namespace)
    await ensure_topics(bootstrap_servers, topics.all)
    producer = reliable_producer(bootstrap_servers)
    await producer.start()
    try:
        sends = []
        for p in events:
            key, headers, value = wire.encode(p.envelope, p.event)
            sends.append(
                await producer.send(topics.of(p.context), value=value, key=key, headers=headers)
            )
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def produce_raw(
    bootstrap_servers: str,
    namespace: str,
    record: tuple[str, bytes, list[tuple[str, bytes]], bytes],
) -> None:
    """One record as given, on the topic of the context named first."""
    context, key, headers, value = record
    topics = Topics(namespace)
    await ensure_topics(bootstrap_servers, topics.all)
    producer = reliable_producer(bootstrap_servers)
    await producer.start()
    try:
        topic = topics.of(BoundedContext(context))
        await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


@asynccontextmanager
async def ledgers_service(infra: Infra, name: str) -> AsyncIterator[Ledgers]:
    settings = infra.service_settings(name, name)
    await migrate_schema(infra, name, "ledgers")
    app = bootstrap.build_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://ledgers") as client:
                yield Ledgers(infra, client, app.state.runtime, name)
    finally:
        db = await Database.connect(infra.database_url, name, min_size=1, max_size=1)
        await db.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        await db.close()
