"""Loading an aggregate: replayed from its stream with the tenant holding it; a stream
that does not exist, or that another township holds, is the caller's NotFound."""

from __future__ import annotations

import pytest

from crosscheck_contracts.base import Event
from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.errors import NotFound
from crosscheck_platform.eventstore import Aggregate, CommandContext
from crosscheck_platform.eventstore.loading import load_aggregate
from crosscheck_platform.eventstore.memory import InMemoryEventStore
from crosscheck_testing.sample_events import TENANT, Counted


class Tally(Aggregate):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.total = 0

    def apply(self, event: Event) -> None:
        assert isinstance(event, Counted)
        self.total += event.n


async def test_an_aggregate_is_replayed_with_its_tenant_and_history() -> None:
    store = InMemoryEventStore()
    await store.append("t-1", 0, [Counted(n=2), Counted(n=3)], CommandContext(tenant=TENANT))
    loaded = await load_aggregate(
        store, Tally, "t-1", missing=NotFound("x.unknown"), township=TENANT.township
    )
    assert (loaded.aggregate.total, loaded.aggregate.version) == (5, 2)
    assert loaded.tenant == TENANT
    assert [stored.version for stored in loaded.history] == [1, 2]


async def test_a_missing_stream_or_another_townships_is_not_found() -> None:
    store = InMemoryEventStore()
    await store.append("t-1", 0, [Counted(n=1)], CommandContext(tenant=TENANT))
    other = Tenant(county="532327", township="532327102")
    with pytest.raises(NotFound) as missing:
        await load_aggregate(store, Tally, "t-2", missing=NotFound("x.unknown", id="t-2"))
    assert missing.value.params == {"id": "t-2"}
    with pytest.raises(NotFound):
        await load_aggregate(
            store, Tally, "t-1", missing=NotFound("x.unknown"), township=other.township
        )
    # Without a township, whoever holds it: the caller authorizes (e.g. by villages).
    assert (await load_aggregate(store, Tally, "t-1", missing=NotFound("x"))).tenant == TENANT
