"""The one command path: a unit of work over the EventStore port, the same outcomes on
the in-memory store and on PostgreSQL (every test runs on both)."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import TypeAdapter

from crosscheck_contracts.base import Event
from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_platform.errors import StateConflict
from crosscheck_platform.eventstore import (
    Aggregate,
    CommandContext,
    ConcurrencyConflict,
    EventStore,
)
from crosscheck_platform.unit_of_work import (
    Handler,
    IdempotencyKey,
    KeyReused,
    UnitOfWork,
    execute,
)
from crosscheck_testing.sample_events import TENANT, TEST_CATALOGUE, Counted

CONTEXT = CommandContext(tenant=TENANT)
TOTALS: TypeAdapter[dict[str, int]] = TypeAdapter(dict[str, int])


@pytest.fixture
def event_catalogue() -> EventCatalogue:
    return TEST_CATALOGUE


class Counter(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.total = 0

    def apply(self, event: Event) -> None:
        assert isinstance(event, Counted)
        self.total += event.n

    def count(self, n: int, *, limit: int = 100) -> None:
        if self.total + n > limit:
            raise StateConflict("counter.full", total=self.total)
        self._emit(Counted(n=n))


async def load(unit: UnitOfWork, counter_id: str) -> Counter:
    history = await unit.store.read(counter_id)
    return Counter.rehydrate(counter_id, [e.event for e in history])


def count(*moves: tuple[str, int]) -> Handler[dict[str, int]]:
    """A handler counting on each named counter; answers the totals."""

    async def handler(unit: UnitOfWork) -> dict[str, int]:
        totals = {}
        for counter_id, n in moves:
            counter = await load(unit, counter_id)
            counter.count(n)
            unit.add(counter)
            totals[counter_id] = counter.total
        return totals

    return handler


async def totals(store: EventStore, *ids: str) -> dict[str, int]:
    return {
        i: sum(e.event.n for e in await store.read(i) if isinstance(e.event, Counted)) for i in ids
    }


async def test_one_command_writes_several_streams_atomically(event_store: EventStore) -> None:
    done = await execute(event_store, CONTEXT, count(("a", 2), ("b", 3)))
    assert done.result == {"a": 2, "b": 3}
    assert [(e.envelope.aggregateid, e.version) for e in done.events] == [("a", 1), ("b", 1)]
    assert {e.envelope.correlationid for e in done.events} == {CONTEXT.correlation_id}

    with pytest.raises(StateConflict):
        await execute(event_store, CONTEXT, count(("a", 5), ("b", 98)))
    assert await totals(event_store, "a", "b") == {"a": 2, "b": 3}


async def test_a_stream_moved_since_it_was_read_writes_nothing(event_store: EventStore) -> None:
    await execute(event_store, CONTEXT, count(("x", 1)))
    read = asyncio.Event()
    go = asyncio.Event()

    async def slow(unit: UnitOfWork) -> None:
        fresh = await load(unit, "fresh")
        x = await load(unit, "x")
        read.set()
        await go.wait()
        fresh.count(1)
        x.count(1)
        unit.add(fresh)
        unit.add(x)

    slow_command = asyncio.create_task(execute(event_store, CONTEXT, slow))
    await read.wait()
    await execute(event_store, CONTEXT, count(("x", 10)))
    go.set()
    with pytest.raises(ConcurrencyConflict) as caught:
        await slow_command
    assert caught.value.stream_id == "x"
    assert await totals(event_store, "x", "fresh") == {"x": 11, "fresh": 0}


async def test_two_copies_of_one_stream_in_a_command_conflict(event_store: EventStore) -> None:
    async def twice(unit: UnitOfWork) -> None:
        for _ in range(2):
            counter = await load(unit, "t")
            counter.count(1)
            unit.add(counter)

    with pytest.raises(ConcurrencyConflict):
        await execute(event_store, CONTEXT, twice)
    assert await event_store.stream_version("t") == 0


async def test_concurrent_commands_on_one_stream_have_one_winner_per_version(
    event_store: EventStore,
) -> None:
    await execute(event_store, CONTEXT, count(("hot", 1)))

    async def attempt() -> bool:
        try:
            await execute(event_store, CONTEXT, count(("hot", 1)))
        except ConcurrencyConflict:
            return False
        return True

    # Reads and writes interleave on the PostgreSQL store; on the in-memory one each
    # command runs to its end: at least one wins, never two on the same version.
    outcomes = await asyncio.gather(*(attempt() for _ in range(8)))
    versions = [e.version for e in await event_store.read("hot")]
    assert versions == list(range(1, 2 + outcomes.count(True)))


async def test_a_retry_with_the_key_gets_the_first_result_and_writes_nothing(
    event_store: EventStore,
) -> None:
    key = IdempotencyKey("retry-0001", "fingerprint-a")
    first = await execute(event_store, CONTEXT, count(("k", 4)), key=key, results=TOTALS)
    again = await execute(event_store, CONTEXT, count(("k", 4)), key=key, results=TOTALS)
    assert (first.replayed, again.replayed) == (False, True)
    assert again.result == first.result == {"k": 4}
    assert again.events == []
    assert await totals(event_store, "k") == {"k": 4}
    recorded = await event_store.recorded(TENANT.township, "retry-0001")
    assert recorded is not None and TOTALS.validate_json(recorded.outcome) == {"k": 4}


async def test_a_key_reused_for_another_request_is_refused(event_store: EventStore) -> None:
    await execute(
        event_store,
        CONTEXT,
        count(("r", 1)),
        key=IdempotencyKey("reused-0001", "first"),
        results=TOTALS,
    )
    with pytest.raises(KeyReused):
        await execute(
            event_store,
            CONTEXT,
            count(("r", 1)),
            key=IdempotencyKey("reused-0001", "second"),
            results=TOTALS,
        )
    assert await totals(event_store, "r") == {"r": 1}


async def test_a_failed_command_leaves_no_key_behind(event_store: EventStore) -> None:
    key = IdempotencyKey("failed-0001", "same")
    with pytest.raises(StateConflict):
        await execute(event_store, CONTEXT, count(("f", 101)), key=key, results=TOTALS)
    assert await event_store.recorded(TENANT.township, "failed-0001") is None
    done = await execute(event_store, CONTEXT, count(("f", 1)), key=key, results=TOTALS)
    assert not done.replayed and done.result == {"f": 1}


async def test_a_key_belongs_to_its_township(event_store: EventStore) -> None:
    await execute(
        event_store,
        CONTEXT,
        count(("p", 1)),
        key=IdempotencyKey("shared-0001", "x"),
        results=TOTALS,
    )
    assert await event_store.recorded("532327199", "shared-0001") is None


def test_a_key_needs_a_way_to_record_the_result() -> None:
    with pytest.raises(ValueError, match="results"):
        asyncio.run(
            execute(
                None,  # type: ignore[arg-type]
                CONTEXT,
                count(("n", 1)),
                key=IdempotencyKey("k", "f"),
            )
        )
