"""The ledgers' schema over its life on the real broker and database: backed up with
pg_dump, lost, restored, caught up from Kafka to the very figures it showed before; and
kept while the Kafka cluster is replaced, where the consumers refuse to start, or with
`rewind` forget their positions and read the new topics from the start, rather than sit
at the old cluster's offsets applying nothing.

Only one broker runs here, so "another cluster" is the ledgers' topics deleted and made
again (offsets from 0, as on a new cluster) with the schema remembering another cluster
id than the broker's: what a service sees when its database outlives its cluster."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from crosscheck_contracts.topics import Topics
from crosscheck_ledgers import bootstrap
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import delete_topics_under, ensure_topics
from crosscheck_platform.kafka.cluster import KafkaClusterChanged
from crosscheck_scenarios.ledgers import AS_OF, generate
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.schema import migrate_schema

from .harness import admin, produce

pytestmark = pytest.mark.infra

SCENARIO = generate(20240409)
FIRST = len(SCENARIO.events) * 3 // 5
FULL = (68, 164, 159, 5, 97)


@asynccontextmanager
async def ledgers(infra: Infra, name: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The ledgers service on schema and namespace `name`, which outlive it."""
    chosen = infra.service_settings(name, name).model_copy(update=settings)
    app = bootstrap.build_app(chosen)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://ledgers") as client:
            yield client


async def figures(infra: Infra, client: httpx.AsyncClient) -> tuple[int, ...]:
    token = infra.issuer.token(admin(SCENARIO.tenant))
    answer = await client.get(
        "/v1/figures",
        params={"as_of": AS_OF.isoformat()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    t = answer.json()["total"]
    return (
        t["places_inspected"],
        t["hazards"],
        t["verified"],
        t["open"],
        t["rectification_percent"],
    )


async def settled(infra: Infra, client: httpx.AsyncClient, *, until: Any = None) -> tuple[int, ...]:
    """The figures once they stop changing (or equal `until`), within a minute."""
    last: tuple[int, ...] = ()
    steady = 0
    try:
        async with asyncio.timeout(60):
            while True:
                now = await figures(infra, client)
                steady = steady + 1 if now == last else 0
                last = now
                if now == until or (until is None and steady >= 10):
                    return now
                await asyncio.sleep(0.2)
    except TimeoutError:
        pytest.fail(f"the figures stayed {last}, never {until}", pytrace=False)


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: install the PostgreSQL client tools", pytrace=False)
    return found


async def run(*argv: str, env: dict[str, str] | None = None) -> str:
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, f"{argv[0]}: {out.decode()}"
    return out.decode()


@pytest.fixture
async def name(infra: Infra) -> AsyncIterator[str]:
    schema = new_namespace("tlife")
    await migrate_schema(infra, schema, "ledgers")
    yield schema
    db = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
    await db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    await db.close()


async def test_backup_lose_restore_catch_up(infra: Infra, name: str, tmp_path: Path) -> None:
    await produce(infra.kafka_bootstrap, name, SCENARIO.events[:FIRST])
    dump = tmp_path / f"{name}.sql"
    async with ledgers(infra, name) as client:
        before = await settled(infra, client)
        assert before != FULL  # the campaign is not over yet
        # The backup, as deploy/README.md says: the schema alone, while the service runs.
        await run(
            pg_tool("pg_dump"),
            "--schema",
            name,
            "--no-owner",
            "--file",
            str(dump),
            infra.database_url,
        )
        # Events keep coming after the backup; the service applies them and commits offsets.
        await produce(infra.kafka_bootstrap, name, SCENARIO.events[FIRST:])
        assert await settled(infra, client, until=FULL) == FULL

    # The database is lost, then restored from the backup: the figures of the backup.
    db = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
    await db.execute(f"DROP SCHEMA {name} CASCADE")
    await db.close()
    await run(
        pg_tool("psql"),
        "--quiet",
        "--set",
        "ON_ERROR_STOP=1",
        "--file",
        str(dump),
        infra.database_url,
    )
    # Its consumer group is set back to the start: the consumer applies what the
    # restored schema lacks, skipping what it holds.
    env = {**os.environ, "CROSSCHECK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap}
    out = await run(
        sys.executable,
        "-m",
        "crosscheck_platform.consumer.cli",
        "rewind",
        "ledgers",
        "--schema",
        name,
        env=env,
    )
    assert f"{name}.ledgers: set to the start" in out, out
    async with ledgers(infra, name) as client:
        assert await settled(infra, client, until=FULL) == FULL
        assert await settled(infra, client) == FULL  # and nothing counted twice


async def test_a_new_kafka_cluster_is_refused_or_rewound(infra: Infra, name: str) -> None:
    await produce(infra.kafka_bootstrap, name, SCENARIO.events[:FIRST])
    async with ledgers(infra, name) as client:
        before = await settled(infra, client)
    db = await Database.connect(infra.database_url, name, min_size=1, max_size=1)
    try:
        assert await db.fetchval("SELECT count(*) FROM kafka_cluster") == 1
        # The cluster is replaced: its topics start empty, and the rest of the campaign
        # is published there. The schema still holds the old cluster's id and offsets.
        await delete_topics_under(infra.kafka_bootstrap, [f"{name}."])
        await _topics_gone(infra, name)
        await db.execute("UPDATE kafka_cluster SET cluster_id = 'the-old-cluster'")
        await produce(infra.kafka_bootstrap, name, SCENARIO.events[FIRST:])

        with pytest.raises(KafkaClusterChanged) as refused:
            async with ledgers(infra, name):
                pass
        message = str(refused.value)
        assert "the-old-cluster" in message and "CROSSCHECK_KAFKA_CLUSTER_CHANGE=rewind" in message
        assert await db.fetchval("SELECT count(*) FROM consumer_positions") > 0

        async with ledgers(infra, name, kafka_cluster_change="rewind") as client:
            # Not the old figures: the new cluster's events are applied from offset 0.
            assert await settled(infra, client, until=FULL) == FULL != before
        assert await db.fetchval("SELECT cluster_id FROM kafka_cluster") != "the-old-cluster"
        async with ledgers(infra, name) as client:  # the new cluster is now the schema's
            assert await figures(infra, client) == FULL
    finally:
        await db.close()


async def _topics_gone(infra: Infra, name: str) -> None:
    """Deletion is asynchronous on the broker: wait until the topics can be made anew."""
    topics = Topics(name)
    async with asyncio.timeout(60):
        while True:
            try:
                await ensure_topics(infra.kafka_bootstrap, topics.all)
                return
            except Exception:
                await asyncio.sleep(0.5)
