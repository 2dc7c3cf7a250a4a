"""Loading an aggregate for a command or a query: its stream read and replayed, the
tenant that holds it (the stream's first event's) beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.errors import NotFound
from crosscheck_platform.eventstore.aggregate import Aggregate
from crosscheck_platform.eventstore.recorder import EventStore, StoredEvent

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class Loaded(Generic[A]):
    aggregate: A
    tenant: Tenant
    history: list[StoredEvent]


async def load_aggregate(
    store: EventStore,
    kind: type[A],
    stream_id: str,
    *,
    missing: NotFound,
    township: str | None = None,
) -> Loaded[A]:
    """The aggregate as its events left it. `missing` when the stream does not exist, or
    is held by another township than `township` (when given): its existence is not
    revealed to other townships."""
    history = await store.read(stream_id)
    if not history or (township is not None and history[0].envelope.township != township):
        raise missing
    aggregate = kind.rehydrate(stream_id, (stored.event for stored in history))
    return Loaded(aggregate, history[0].envelope.tenant, history)
