"""The schema evolution drill: a rolling upgrade of the ledgers with an old replica (a
reader that knows RectificationVerified only up to v2) and a new one side by side in
one consumer group, while producers already write v3. The old replica sets v3 aside on
the dead-letter topic with a clear reason rather than misreading it; no ledger figure
counts a step that did not happen meanwhile; once the old replica is gone, the letters
are redriven, applied once, and every figure is right (contracts/README.md, "Rolling
upgrade")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import ClassVar

import pytest

from crosscheck_contracts import EventCatalogue
from crosscheck_contracts.events import ALL_EVENTS, UPCASTERS, RectificationVerified
from crosscheck_contracts.topics import dead_letter_topic
from crosscheck_ledgers import bootstrap
from crosscheck_ledgers.consumers import CONSUMER
from crosscheck_platform.db import Database
from crosscheck_platform.deadletters.letters import LetterFilter, read_letters, redrive
from crosscheck_platform.http import ServiceRuntime
from crosscheck_platform.http import consumers as consumer_parts
from crosscheck_scenarios.ledgers import generate
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.schema import migrate_schema

from .harness import produce

pytestmark = pytest.mark.infra

SCENARIO = generate(20240409)
VERIFIED = sum(isinstance(p.event, RectificationVerified) for p in SCENARIO.events)
NEWER = "is newer than this reader"


class VerifiedAsOfV2(RectificationVerified):
    """What a reader built before v3 knows of the event."""

    schema_version: ClassVar[int] = 2


def old_catalogue() -> EventCatalogue:
    models = [VerifiedAsOfV2 if m is RectificationVerified else m for m in ALL_EVENTS]
    steps = {
        (kind, version): step
        for (kind, version), step in UPCASTERS.items()
        if kind != RectificationVerified.event_type or version < 2
    }
    return EventCatalogue(models, steps)


@asynccontextmanager
async def replica(
    infra: Infra, name: str, catalogue: EventCatalogue | None = None
) -> AsyncIterator[ServiceRuntime]:
    """One ledgers replica on schema `name` (the consumer group is derived from it)."""
    await migrate_schema(infra, name, "ledgers")
    app = bootstrap.build_app(infra.service_settings(name, name))
    patch = pytest.MonkeyPatch()
    if catalogue is not None:
        patch.setattr(consumer_parts, "load_catalogue", lambda: catalogue)
    try:
        async with app.router.lifespan_context(app):
            patch.undo()
            yield app.state.runtime
    finally:
        patch.undo()


async def verified_in_ledger(db: Database) -> int:
    return int(await db.fetchval("SELECT count(*) FROM lg_hazards WHERE state = 'verified'"))


async def until_assigned(runtime: ServiceRuntime) -> None:
    async with asyncio.timeout(60):
        while True:
            kafka = runtime.subscriptions[CONSUMER].kafka()
            if kafka is not None and kafka.assignment():
                return
            await asyncio.sleep(0.1)


async def test_old_and_new_readers_side_by_side_then_redrive(infra: Infra) -> None:
    name = new_namespace("tupgrade")
    total = len(SCENARIO.events)
    assert VERIFIED > 0
    try:
        async with replica(infra, name) as new:
            async with replica(infra, name, old_catalogue()) as old:
                await until_assigned(old)
                await until_assigned(new)
                await produce(infra.kafka_bootstrap, name, SCENARIO.events)
                async with asyncio.timeout(120):
                    while True:
                        old_c, new_c = old.consumers[CONSUMER], new.consumers[CONSUMER]
                        seen = old_c.applied + old_c.dead_lettered + new_c.applied
                        # Never more verified hazards in the ledger than verifications.
                        assert await verified_in_ledger(new.database) <= VERIFIED
                        if seen >= total:
                            break
                        await asyncio.sleep(0.1)
                set_aside = old.consumers[CONSUMER].dead_lettered
            # The old replica is gone (upgraded): the new one takes all partitions.
            assert set_aside > 0, "the old replica was given no hazards partition"
            assert await verified_in_ledger(new.database) == VERIFIED - set_aside

            topic = dead_letter_topic(new.topics.of(RectificationVerified.context))
            letters = await read_letters(infra.kafka_bootstrap, topic, LetterFilter(reason=NEWER))
            assert len(letters) == set_aside
            assert {letter.event_type for letter in letters} == {RectificationVerified.event_type}
            newer = f"v{RectificationVerified.schema_version} is newer than this reader (v2)"
            assert all(newer in x.reason for x in letters)

            await redrive(infra.kafka_bootstrap, letters)
            await redrive(infra.kafka_bootstrap, letters)  # a second redrive changes nothing
            async with asyncio.timeout(60):
                while await verified_in_ledger(new.database) < VERIFIED:
                    await asyncio.sleep(0.1)
            await asyncio.sleep(1)
            assert await verified_in_ledger(new.database) == VERIFIED == SCENARIO.expected.verified
    finally:
        db = await Database.connect(infra.database_url, name, min_size=1, max_size=1)
        await db.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        await db.close()
