"""The hazards service on the real stack, for tests over HTTP.

One app per test module (start-up costs seconds): its own schema and topic namespace,
a manual clock, a temporary evidence folder. Registry and rotation facts are fed the
way they arrive in production: as CloudEvents on those contexts' Kafka topics.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI

from crosscheck_contracts import CATALOGUE
from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import BoundedContext, Event
from crosscheck_contracts.envelope import Envelope, Tenant
from crosscheck_contracts.events import (
    Assignment,
    Group,
    GroupsFormed,
    RoundScheduled,
    SiteClosed,
    SiteRegistered,
    SiteType,
    TownshipRegistered,
    VillageRegistered,
)
from crosscheck_contracts.topics import Topics
from crosscheck_hazards import bootstrap
from crosscheck_hazards.adapters.blobs import LocalFolderBlobStore
from crosscheck_hazards.app.services import HazardsSettings
from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.clock import ManualClock
from crosscheck_platform.db import Database
from crosscheck_platform.http import ServiceRuntime
from crosscheck_platform.kafka import bootstrap_servers, ensure_topics, reliable_producer
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.schema import migrate_schema

TENANT = Tenant(county="532327", township="532327101")
VILLAGE = "v-dazhuang"
CAMPAIGN = "c-2025-spring"


@dataclass
class Harness:
    infra: Infra
    namespace: str
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    clock: ManualClock
    settings: ServiceSettings
    app: FastAPI
    tokens: dict[tuple[str, str | None, str | None], str] = field(default_factory=dict)

    @property
    def topics(self) -> Topics:
        return Topics(self.namespace)

    @property
    def db(self) -> Database:
        return self.runtime.database

    def headers(
        self,
        role: Role,
        staff: str | None = None,
        village: str | None = None,
        *,
        key: str | None = None,
        township: str | None = TENANT.township,
        county: str = TENANT.county,
        name: str = "测试用户",
    ) -> dict[str, str]:
        cache_key = (f"{role.value}/{county}/{township}/{name}", staff, village)
        if cache_key not in self.tokens:
            principal = Principal(
                subject=f"user-{staff or role.value}",
                name=name,
                role=role,
                county=county,
                township=township,
                staff_id=staff,
                village_id=village,
            )
            self.tokens[cache_key] = self.infra.issuer.token(principal)
        headers = {"Authorization": f"Bearer {self.tokens[cache_key]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    async def publish(self, events: Sequence[Event]) -> None:
        """Send other contexts' events to their topics, as their relays would."""
        producer = reliable_producer(self.infra.kafka_bootstrap)
        await producer.start()
        try:
            for event in events:
                envelope = Envelope.for_event(
                    event, tenant=TENANT, aggregate_id=event.aggregate_id(), aggregate_version=1
                )
                key, headers, value = wire.encode(envelope, event)
                await producer.send_and_wait(
                    self.topics.of(event.context), value=value, key=key, headers=headers
                )
        finally:
            await producer.stop()

    async def wait_for(self, sql: str, *args: Any, expect: Any = True) -> None:
        async with asyncio.timeout(30):
            while await self.db.fetchval(sql, *args) != expect:
                await asyncio.sleep(0.05)

    async def wait_for_inventory(self, *, round_sites: int, known_sites: int) -> None:
        """Until the published places (one of them closed), the round plans and the
        campaign's two groups are in the service's tables."""
        await self.wait_for("SELECT count(*) FROM round_sites", expect=round_sites)
        await self.wait_for("SELECT count(*) FROM known_sites", expect=known_sites)
        await self.wait_for("SELECT bool_or(closed) FROM known_sites")
        await self.wait_for("SELECT count(*) FROM campaign_groups", expect=2)

    async def hazards_on_kafka(
        self, done: Callable[[list[tuple[Envelope, Event]]], bool]
    ) -> list[tuple[Envelope, Event]]:
        """Read the hazards topic from the start, decoded with the contracts, until
        `done` says enough (or 30 s pass; the caller's assertions say what is missing)."""
        consumer = AIOKafkaConsumer(
            self.topics.of(BoundedContext.HAZARDS),
            bootstrap_servers=bootstrap_servers(self.infra.kafka_bootstrap),
            group_id=f"reader-{uuid.uuid4().hex[:8]}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        decoded: list[tuple[Envelope, Event]] = []
        try:
            async with asyncio.timeout(30):
                while not done(decoded):
                    batch = await consumer.getmany(timeout_ms=200)
                    for records in batch.values():
                        decoded += [wire.decode(CATALOGUE, r.headers, r.value) for r in records]
        except TimeoutError:
            pass
        finally:
            await consumer.stop()
        return decoded


@asynccontextmanager
async def running_service(infra: Infra, evidence_dir: Path | None) -> AsyncIterator[Harness]:
    """The service on the stack; evidence in `evidence_dir`, or (None) in the configured
    default store."""
    namespace = new_namespace()
    settings = infra.service_settings(namespace, namespace)
    await ensure_topics(infra.kafka_bootstrap, Topics(namespace).all)
    await migrate_schema(infra, namespace, "hazards")
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=1))
    app = bootstrap.build_app(
        settings,
        hazards=HazardsSettings(evidence_dir=evidence_dir) if evidence_dir else None,
        clock=clock,
        blobs=LocalFolderBlobStore(evidence_dir) if evidence_dir else None,
    )
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hazards") as client:
                yield Harness(infra, namespace, client, app.state.runtime, clock, settings, app)
    finally:
        cleanup = await Database.connect(infra.database_url, namespace, min_size=1, max_size=1)
        await cleanup.execute(f"DROP SCHEMA IF EXISTS {namespace} CASCADE")
        await cleanup.close()


def site(
    site_id: str, site_type: SiteType = SiteType.SMALL_RESTAURANT, **changes: Any
) -> SiteRegistered:
    values: dict[str, Any] = {
        "site_id": site_id,
        "name": "老王饭店",
        "village_id": VILLAGE,
        "site_type": site_type,
        "address": "大庄村委会大庄村12号",
        "responsible_name": "王建国",
    }
    values.update(changes)
    return SiteRegistered(**values)


def groups(campaign: str = CAMPAIGN) -> GroupsFormed:
    return GroupsFormed(
        campaign_id=campaign,
        groups=[
            Group(
                group_id="g-1",
                name="第一检查组",
                leader_id="s-1",
                member_ids=["s-1", "s-2"],
                eligible_zone_ids=["z-1", "z-2"],
            ),
            Group(
                group_id="g-2",
                name="第二检查组",
                leader_id="s-3",
                member_ids=["s-3", "s-4"],
                eligible_zone_ids=["z-1", "z-2"],
            ),
        ],
        seed=7,
    )


def round_plan(round_no: int, g1_sites: list[str], g2_sites: list[str]) -> RoundScheduled:
    return RoundScheduled(
        campaign_id=CAMPAIGN,
        round_no=round_no,
        assignments=[
            Assignment(group_id="g-1", zone_id="z-1", site_ids=g1_sites),
            Assignment(group_id="g-2", zone_id="z-2", site_ids=g2_sites),
        ],
        seed=11,
        objective=0,
        checks=[],
    )


def base_inventory(open_sites: list[str], closed_site: str) -> list[Event]:
    return [
        TownshipRegistered(
            township_code=TENANT.township,
            name="维的乡",
            county_code=TENANT.county,
            county_name="永仁县",
        ),
        VillageRegistered(
            village_id=VILLAGE,
            code="532327101201",
            name="大庄村委会",
            township_code=TENANT.township,
        ),
        *[site(s) for s in open_sites],
        site(closed_site, SiteType.SMALL_SHOP, name="已关停小卖部"),
        SiteClosed(site_id=closed_site, reason="停业", closed_on=datetime.now(UTC).date()),
        groups(),
    ]
