"""Group commit on the real database: concurrent writes share statements, and each
caller still gets exactly its own outcome."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from uuid import uuid4

import pytest

from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.topics import Topics
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.eventstore import (
    CommandContext,
    ConcurrencyConflict,
    StoredEvent,
    StreamAppend,
    TableRows,
)
from crosscheck_platform.eventstore.group import GroupCommit
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.eventstore.recorder import AtomicWrite
from crosscheck_testing.sample_events import TENANT, TEST_CATALOGUE, Counted
from crosscheck_testing.schema import migrated

pytestmark = pytest.mark.infra

OTHER = Tenant(county="532327", township="532327102")


class CountingStore(PostgresEventStore):
    """The real store, remembering how many writes each statement carried."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, TEST_CATALOGUE, Topics("group"))
        self.statements: list[int] = []

    async def write_atomically(
        self, writes: Sequence[AtomicWrite], *, connection: Connection | None = None
    ) -> list[list[StoredEvent]]:
        self.statements.append(len(writes))
        return await super().write_atomically(writes, connection=connection)


@pytest.fixture
async def store(database: Database) -> AsyncIterator[CountingStore]:
    pg = CountingStore(database)
    await migrated(pg.db)
    await database.execute("CREATE TABLE side (id text PRIMARY KEY, stream text NOT NULL)")
    yield pg


def side(key: str, stream: str) -> TableRows:
    return TableRows("side", ["id", "stream"], ["text", "text"], [(key, stream)])


async def test_concurrent_writes_share_statements_and_keep_their_own_context(
    store: CountingStore,
) -> None:
    writes = GroupCommit(store, max_in_flight=1)
    contexts = [CommandContext(tenant=TENANT if n % 2 else OTHER) for n in range(20)]
    results = await asyncio.gather(
        *(
            writes.commit(
                AtomicWrite(
                    [StreamAppend(f"g-{n}", 0, [Counted(n=n), Counted(n=n + 100)])],
                    contexts[n],
                    [side(f"k-{n}", f"g-{n}")],
                )
            )
            for n in range(20)
        )
    )
    assert sum(store.statements) == 20 and len(store.statements) < 20
    for n, stored in enumerate(results):
        assert [(e.envelope.aggregateid, e.version) for e in stored] == [
            (f"g-{n}", 1),
            (f"g-{n}", 2),
        ]
        history = await store.read(f"g-{n}")
        assert [e.event for e in history] == [Counted(n=n), Counted(n=n + 100)]
        assert {e.envelope.township for e in history} == {contexts[n].tenant.township}
        assert {e.envelope.correlationid for e in history} == {contexts[n].correlation_id}
    rows = await store.db.fetch("SELECT township FROM streams ORDER BY stream_id")
    assert {r["township"] for r in rows} == {TENANT.township, OTHER.township}
    assert await store.db.fetchval("SELECT count(*) FROM side") == 20
    assert await store.db.fetchval("SELECT count(*) FROM outbox") == 40


async def test_a_conflict_fails_only_its_own_write(store: CountingStore) -> None:
    await store.append("taken", 0, [Counted(n=0)], CommandContext(tenant=TENANT))
    writes = GroupCommit(store, max_in_flight=1)
    context = CommandContext(tenant=TENANT)
    results = await asyncio.gather(
        *(
            writes.commit(
                AtomicWrite(
                    [StreamAppend("taken" if n == 3 else f"c-{n}", 0, [Counted(n=n)])],
                    context,
                    [side(f"k-{n}", f"c-{n}")],
                )
            )
            for n in range(8)
        ),
        return_exceptions=True,
    )
    assert isinstance(results[3], ConcurrencyConflict)
    assert results[3].stream_id == "taken"
    assert all(isinstance(r, list) for n, r in enumerate(results) if n != 3)
    assert await store.stream_version("taken") == 1
    assert [e.event for e in await store.read("taken")] == [Counted(n=0)]
    assert await store.db.fetchval("SELECT count(*) FROM side") == 7
    assert await store.db.fetchval("SELECT count(*) FROM side WHERE id = 'k-3'") == 0
    # A group failed as a whole, then its writes went alone: more statements than writes.
    assert max(store.statements) > 1 and sum(store.statements) > 8


async def test_a_reused_row_key_fails_the_second_writer_only(store: CountingStore) -> None:
    writes = GroupCommit(store, max_in_flight=1)
    context = CommandContext(tenant=TENANT)
    first, second = await asyncio.gather(
        writes.commit(
            AtomicWrite([StreamAppend("u-1", 0, [Counted(n=1)])], context, [side("same", "u-1")])
        ),
        writes.commit(
            AtomicWrite([StreamAppend("u-2", 0, [Counted(n=2)])], context, [side("same", "u-2")])
        ),
        return_exceptions=True,
    )
    assert isinstance(first, list)
    assert isinstance(second, ConcurrencyConflict)
    assert await store.stream_version("u-1") == 1
    assert await store.stream_version("u-2") == 0
    assert await store.db.fetchval("SELECT stream FROM side WHERE id = 'same'") == "u-1"


async def test_writes_to_one_stream_go_in_order_in_separate_statements(
    store: CountingStore,
) -> None:
    writes = GroupCommit(store, max_in_flight=1)
    context = CommandContext(tenant=TENANT)
    results = await asyncio.gather(
        *(
            writes.commit(AtomicWrite([StreamAppend("one", n, [Counted(n=n)])], context))
            for n in range(5)
        )
    )
    assert [stored[0].version for stored in results] == [1, 2, 3, 4, 5]
    assert [e.event for e in await store.read("one")] == [Counted(n=n) for n in range(5)]
    assert store.statements == [1, 1, 1, 1, 1]


async def test_a_caller_that_goes_away_leaves_its_write_whole(store: CountingStore) -> None:
    writes = GroupCommit(store, max_in_flight=1)
    context = CommandContext(tenant=TENANT)
    ids = [f"gone-{uuid4().hex[:6]}" for _ in range(4)]
    tasks = [
        asyncio.create_task(
            writes.commit(AtomicWrite([StreamAppend(i, 0, [Counted(n=1)])], context))
        )
        for i in ids
    ]
    await asyncio.sleep(0)  # all four queued and the first statement sent
    tasks[2].cancel()
    done = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(done[2], asyncio.CancelledError)
    for _ in range(100):  # the cancelled caller's write still completes in its group
        if await store.stream_version(ids[2]) == 1:
            break
        await asyncio.sleep(0.01)
    assert [await store.stream_version(i) for i in ids] == [1, 1, 1, 1]


async def test_callers_waiting_on_their_writes_share_every_statement_on_one_connection(
    store: CountingStore,
) -> None:
    """Four callers, each sending its next write as soon as the last committed: every
    statement carries all four (no alternation between a few and the rest), and the run
    keeps one connection rather than taking and resetting one per statement."""
    taken = 0

    def connect() -> contextlib.AbstractAsyncContextManager[Connection]:
        nonlocal taken
        taken += 1
        return store.db.pool.acquire()

    writes = GroupCommit(store, max_in_flight=1, connect=connect)
    context = CommandContext(tenant=TENANT)

    async def caller(n: int) -> None:
        for version in range(5):
            await writes.commit(
                AtomicWrite([StreamAppend(f"loop-{n}", version, [Counted(n=version)])], context)
            )

    await asyncio.gather(*(caller(n) for n in range(4)))
    assert store.statements == [4, 4, 4, 4, 4]
    assert taken == 1
    assert [await store.stream_version(f"loop-{n}") for n in range(4)] == [5, 5, 5, 5]
