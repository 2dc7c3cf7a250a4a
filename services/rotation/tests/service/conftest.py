"""The rotation service on the real stack: its own schema and topic namespace, driven
over HTTP in-process (lifespan started, ASGI transport). The registry's facts arrive as
they do in production: CloudEvents on the registry topic, applied by the roster consumer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from crosscheck_contracts import CATALOGUE
from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext, Event
from crosscheck_contracts.envelope import Envelope, Tenant
from crosscheck_contracts.events import registry as reg
from crosscheck_contracts.topics import Topics
from crosscheck_platform.auth import Role
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import ensure_topics, reliable_producer
from crosscheck_rotation import bootstrap
from crosscheck_scenarios.rotation import Township
from crosscheck_testing.auth import bearer
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.kafka_reading import read_until
from crosscheck_testing.schema import migrate_schema

COUNTY = "532327"


@dataclass
class Rotation:
    infra: Infra
    namespace: str
    client: httpx.AsyncClient
    db: Database
    versions: dict[str, int] = field(default_factory=dict)

    def headers(
        self, township: str, role: Role = Role.TOWNSHIP_ADMIN, **extra: str
    ) -> dict[str, str]:
        return {
            **bearer(self.infra.issuer, role, county=COUNTY, township=township, village_id="v001"),
            **extra,
        }

    async def publish(
        self,
        township: str,
        events: Sequence[Event],
        context: BoundedContext = BoundedContext.REGISTRY,
    ) -> None:
        """Another service's events on its topic (the registry's unless `context` says
        otherwise), as its relay would send them."""
        tenant = Tenant(county=COUNTY, township=township)
        producer = reliable_producer(self.infra.kafka_bootstrap)
        await producer.start()
        try:
            for event in events:
                stream = event.aggregate_id()
                self.versions[stream] = version = self.versions.get(stream, 0) + 1
                envelope = Envelope.for_event(
                    event, tenant=tenant, aggregate_id=stream, aggregate_version=version
                )
                key, headers, value = wire.encode(envelope, event)
                await producer.send_and_wait(
                    Topics(self.namespace).of(context),
                    value=value,
                    key=key,
                    headers=headers,
                )
        finally:
            await producer.stop()

    async def wait_for(self, sql: str, *args: Any, expect: Any = True) -> None:
        async with asyncio.timeout(30):
            while await self.db.fetchval(sql, *args) != expect:
                await asyncio.sleep(0.05)

    async def rotation_events(
        self, done: Callable[[list[tuple[Envelope, Event]]], bool]
    ) -> list[tuple[Envelope, Event]]:
        """The rotation topic from the start, decoded with the contracts."""
        topic = Topics(self.namespace).of(BoundedContext.ROTATION)
        decoded: list[tuple[Envelope, Event]] = []

        def enough(records: list[Any]) -> bool:
            decoded[:] = [wire.decode(CATALOGUE, r.headers, r.value) for r in records]
            return done(decoded)

        await read_until(self.infra.kafka_bootstrap, topic, enough, timeout=30)
        return decoded


def registry_events(town: Township, township: str, prefix: str) -> list[Event]:
    """The registry's facts for a generated township; ids carry `prefix` so that several
    townships share one service."""
    events: list[Event] = []
    for n, (vid, name) in enumerate(sorted(town.villages.items()), start=1):
        events.append(
            reg.VillageRegistered(
                village_id=prefix + vid,
                code=f"{township}{200 + n:03d}",
                name=name,
                township_code=township,
            )
        )
    for sid, vid in sorted(town.sites.items()):
        events.append(
            reg.SiteRegistered(
                site_id=prefix + sid,
                name=f"场所{sid}",
                village_id=prefix + vid,
                site_type=reg.SiteType.SMALL_SHOP,
                address="一组",
                responsible_name="张三",
            )
        )
    for s in town.staff:
        events.append(
            reg.StaffEnrolled(
                staff_id=prefix + s.staff_id,
                name=f"干部{s.staff_id}",
                unit=s.unit,
                is_leadership=s.is_leadership,
                home_village_id=prefix + s.home_village_id if s.home_village_id else None,
            )
        )
        if s.conflict_village_ids or s.conflict_site_ids:
            events.append(
                reg.StaffConflictDeclared(
                    staff_id=prefix + s.staff_id,
                    village_ids=sorted(prefix + v for v in s.conflict_village_ids),
                    site_ids=sorted(prefix + p for p in s.conflict_site_ids),
                    reason="亲属经营",
                )
            )
    return events


@pytest.fixture(scope="module")
async def rotation(infra: Infra) -> AsyncIterator[Rotation]:
    namespace = new_namespace()
    settings = infra.service_settings(namespace, namespace)
    await ensure_topics(infra.kafka_bootstrap, Topics(namespace).all, partitions=3)
    await migrate_schema(infra, namespace, "rotation")
    app = bootstrap.build_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://rotation") as client:
                yield Rotation(infra, namespace, client, app.state.runtime.database)
    finally:
        cleanup = await Database.connect(infra.database_url, namespace, min_size=1, max_size=1)
        await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace} CASCADE")
        await cleanup.close()
