"""One contract, two recorders: the in-memory store used by unit tests must behave like
the PostgreSQL one, so these cases run against both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from crosscheck_contracts.topics import Topics
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import (
    CommandContext,
    ConcurrencyConflict,
    EventStore,
    StreamAppend,
    TableRows,
)
from crosscheck_platform.eventstore.memory import InMemoryEventStore
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_testing.sample_events import TENANT, TEST_CATALOGUE, Counted, Renamed
from crosscheck_testing.schema import migrated

CONTEXT = CommandContext(tenant=TENANT)


class EventStoreContract:
    """Subclassed once per recorder; each subclass provides the `store` fixture."""

    async def test_appends_and_reads_back_in_order(self, store: EventStore) -> None:
        await store.append("s-1", 0, [Counted(n=1), Renamed(name="维的乡")], CONTEXT)
        await store.append("s-1", 2, [Counted(n=3)], CONTEXT)
        history = await store.read("s-1")
        assert [e.version for e in history] == [1, 2, 3]
        assert [type(e.event) for e in history] == [Counted, Renamed, Counted]
        assert history[1].event == Renamed(name="维的乡")
        assert history[0].envelope.township == TENANT.township
        assert [e.version for e in await store.read("s-1", after_version=2)] == [3]
        assert await store.stream_version("s-1") == 3
        assert await store.stream_version("nobody") == 0

    async def test_positions_increase(self, store: EventStore) -> None:
        a = await store.append("a", 0, [Counted(n=1)], CONTEXT)
        b = await store.append("b", 0, [Counted(n=1), Counted(n=2)], CONTEXT)
        positions = [e.position for e in a + b]
        assert positions == sorted(positions) and len(set(positions)) == 3

    async def test_envelope_chains_correlation(self, store: EventStore) -> None:
        first = await store.append("c", 0, [Counted(n=1)], CONTEXT)
        caused = CommandContext(
            tenant=TENANT,
            correlation_id=first[0].envelope.correlationid,
            causation_id=first[0].envelope.id,
        )
        second = await store.append("c", 1, [Counted(n=2)], caused)
        assert second[0].envelope.correlationid == CONTEXT.correlation_id
        assert second[0].envelope.causationid == first[0].envelope.id
        assert second[0].envelope.aggregateversion == 2

    @pytest.mark.parametrize("expected", [0, 2, 5])
    async def test_stale_expected_version_conflicts(self, store: EventStore, expected: int) -> None:
        await store.append("s", 0, [Counted(n=1)], CONTEXT)
        with pytest.raises(ConcurrencyConflict) as caught:
            await store.append("s", expected, [Counted(n=9)], CONTEXT)
        assert caught.value.stream_id == "s"
        assert [e.version for e in await store.read("s")] == [1]

    async def test_appending_beyond_an_absent_stream_conflicts(self, store: EventStore) -> None:
        with pytest.raises(ConcurrencyConflict):
            await store.append("new", 3, [Counted(n=1)], CONTEXT)
        assert await store.read("new") == []

    async def test_twenty_concurrent_writers_one_winner_per_version(
        self, store: EventStore
    ) -> None:
        await store.append("hot", 0, [Counted(n=0)], CONTEXT)

        async def attempt(i: int) -> bool:
            try:
                await store.append("hot", 1, [Counted(n=i)], CONTEXT)
            except ConcurrencyConflict:
                return False
            return True

        outcomes = await asyncio.gather(*(attempt(i) for i in range(20)))
        assert outcomes.count(True) == 1
        assert [e.version for e in await store.read("hot")] == [1, 2]

    async def test_empty_append_is_a_no_op(self, store: EventStore) -> None:
        assert await store.append("quiet", 0, [], CONTEXT) == []
        assert await store.stream_version("quiet") == 0

    async def test_append_many_writes_every_stream(self, store: EventStore) -> None:
        await store.append("m-old", 0, [Counted(n=1)], CONTEXT)
        stored = await store.append_many(
            [
                StreamAppend("m-new", 0, [Counted(n=1), Renamed(name="永兴村")]),
                StreamAppend("m-old", 1, [Counted(n=2)]),
                StreamAppend("m-none", 0, []),
            ],
            CONTEXT,
        )
        assert [(e.envelope.aggregateid, e.version) for e in stored] == [
            ("m-new", 1),
            ("m-new", 2),
            ("m-old", 2),
        ]
        assert len({e.position for e in stored}) == 3
        assert [e.version for e in await store.read("m-old")] == [1, 2]
        assert (await store.read("m-new"))[1].event == Renamed(name="永兴村")
        assert await store.stream_version("m-none") == 0

    async def test_append_many_is_all_or_nothing(self, store: EventStore) -> None:
        await store.append("taken", 0, [Counted(n=1)], CONTEXT)
        with pytest.raises(ConcurrencyConflict) as caught:
            await store.append_many(
                [
                    StreamAppend("fresh", 0, [Counted(n=1)]),
                    StreamAppend("taken", 0, [Counted(n=2)]),
                ],
                CONTEXT,
            )
        assert caught.value.stream_id == "taken"
        assert await store.stream_version("fresh") == 0
        assert [e.version for e in await store.read("taken")] == [1]

    async def test_append_many_refuses_a_stream_twice(self, store: EventStore) -> None:
        with pytest.raises(ValueError, match="twice"):
            await store.append_many(
                [StreamAppend("d", 0, [Counted(n=1)]), StreamAppend("d", 1, [Counted(n=2)])],
                CONTEXT,
            )


class TestInMemoryEventStore(EventStoreContract):
    @pytest.fixture
    def store(self) -> EventStore:
        return InMemoryEventStore()


class TestPostgresEventStore(EventStoreContract):
    @pytest.fixture
    async def store(self, database: Database) -> AsyncIterator[PostgresEventStore]:
        pg = PostgresEventStore(database, TEST_CATALOGUE, Topics("contract"))
        await migrated(pg.db)
        yield pg

    async def test_append_many_fills_the_outbox_in_stream_order(
        self, store: PostgresEventStore
    ) -> None:
        await store.append_many(
            [
                StreamAppend("o-1", 0, [Counted(n=1), Counted(n=2)]),
                StreamAppend("o-2", 0, [Renamed(name="x")]),
            ],
            CONTEXT,
        )
        rows = await store.db.fetch("SELECT topic, key FROM outbox ORDER BY id")
        assert [(r["topic"], bytes(r["key"])) for r in rows] == [
            ("contract.crosscheck.registry.v1", b"o-1"),
            ("contract.crosscheck.registry.v1", b"o-1"),
            ("contract.crosscheck.hazards.v1", b"o-2"),
        ]

    async def test_append_atomically_writes_streams_outbox_and_rows(
        self, store: PostgresEventStore
    ) -> None:
        await store.db.execute("CREATE TABLE side (id text PRIMARY KEY, n integer NOT NULL)")
        await store.append("w-2", 0, [Counted(n=1)], CONTEXT)
        stored = await store.append_atomically(
            [
                StreamAppend("w-1", 0, [Counted(n=1), Renamed(name="x")]),
                StreamAppend("w-2", 1, [Counted(n=2)]),
            ],
            CONTEXT,
            [TableRows("side", ["id", "n"], ["text", "int"], [("a", 1), ("b", 2)])],
        )
        assert [(e.envelope.aggregateid, e.version) for e in stored] == [
            ("w-1", 1),
            ("w-1", 2),
            ("w-2", 2),
        ]
        assert len({e.position for e in stored}) == 3
        assert await store.stream_version("w-1") == 2
        assert await store.stream_version("w-2") == 2
        assert [e.event for e in await store.read("w-1")] == [Counted(n=1), Renamed(name="x")]
        keys = await store.db.fetch("SELECT key FROM outbox ORDER BY id")
        assert [bytes(r["key"]) for r in keys] == [b"w-2", b"w-1", b"w-1", b"w-2"]
        side = await store.db.fetch("SELECT id, n FROM side ORDER BY id")
        assert [(r["id"], r["n"]) for r in side] == [("a", 1), ("b", 2)]

    @pytest.mark.parametrize("stale", ["existing", "new"])
    async def test_append_atomically_writes_nothing_on_a_conflict(
        self, store: PostgresEventStore, stale: str
    ) -> None:
        await store.db.execute("CREATE TABLE side (id text PRIMARY KEY)")
        await store.append("x-old", 0, [Counted(n=1)], CONTEXT)
        if stale == "new":
            await store.append("x-new", 0, [Counted(n=1)], CONTEXT)
        expected_old = 1 if stale == "new" else 0
        with pytest.raises(ConcurrencyConflict) as caught:
            await store.append_atomically(
                [
                    StreamAppend("x-new", 0, [Counted(n=2)]),
                    StreamAppend("x-old", expected_old, [Counted(n=2)]),
                ],
                CONTEXT,
                [TableRows("side", ["id"], ["text"], [("a",)])],
            )
        assert caught.value.stream_id == ("x-new" if stale == "new" else "x-old")
        assert await store.stream_version("x-old") == 1
        assert await store.stream_version("x-new") == (1 if stale == "new" else 0)
        assert await store.db.fetchval("SELECT count(*) FROM outbox") == (
            2 if stale == "new" else 1
        )
        assert await store.db.fetchval("SELECT count(*) FROM side") == 0

    async def test_append_atomically_one_of_two_racing_creators_wins(
        self, store: PostgresEventStore
    ) -> None:
        results = await asyncio.gather(
            *(
                store.append_atomically([StreamAppend("race", 0, [Counted(n=n)])], CONTEXT)
                for n in range(6)
            ),
            return_exceptions=True,
        )
        assert sum(isinstance(r, list) for r in results) == 1
        assert all(isinstance(r, list | ConcurrencyConflict) for r in results)
        assert await store.stream_version("race") == 1
        assert await store.db.fetchval("SELECT count(*) FROM outbox") == 1
