"""Loading an aggregate for a caller: the tenant of its stream and the villages it
concerns decide who may see or change it (`crosscheck_platform.tenancy`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.auth import Principal
from crosscheck_platform.errors import NotFound
from crosscheck_platform.eventstore import Aggregate, EventStore, StoredEvent
from crosscheck_platform.eventstore.loading import load_aggregate
from crosscheck_platform.tenancy import Holding, authorize

A = TypeVar("A", bound=Aggregate)


async def load(
    store: EventStore,
    kind: type[A],
    stream_id: str,
    principal: Principal,
    *,
    write: bool,
    missing: str,
    villages: Callable[[A], Iterable[str | None]],
) -> tuple[A, Tenant]:
    """The aggregate and its tenant: 404 for an id nobody holds, 403 for one held
    outside the caller's scope."""
    aggregate, tenant, _ = await load_with_history(
        store, kind, stream_id, principal, write=write, missing=missing, villages=villages
    )
    return aggregate, tenant


async def load_with_history(
    store: EventStore,
    kind: type[A],
    stream_id: str,
    principal: Principal,
    *,
    write: bool,
    missing: str,
    villages: Callable[[A], Iterable[str | None]],
) -> tuple[A, Tenant, list[StoredEvent]]:
    """As `load`, with the stream's stored events (for the history of its steps)."""
    loaded = await load_aggregate(store, kind, stream_id, missing=NotFound(missing, id=stream_id))
    authorize(principal, Holding.of(loaded.tenant, *villages(loaded.aggregate)), write=write)
    return loaded.aggregate, loaded.tenant, loaded.history
