"""The one command path of every service: a handler decides inside a unit of work, and
`execute` commits what it decided as one atomic write.

A handler reads what it needs, lets aggregates decide, `add`s them and `write`s the
service's own rows that follow them; it returns its result. `execute` then writes the
pending events of every aggregate added (one stream each, optimistic concurrency on
each), the outbox rows, the service's rows and — with an idempotency key — the result
under the key, all or nothing (`EventStore.commit`; concurrent commits share
statements where the store groups them).

An idempotency key is not looked up first: the write stores it, so a retry of a command
that committed fails on the key (or on what the first attempt changed) and only then
reads the first result. That keeps a round trip off every first attempt, which is
nearly every command. A command that fails leaves nothing behind, not even its key, so
a retry runs it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter

from crosscheck_platform.errors import DomainError, RuleViolation
from crosscheck_platform.eventstore import (
    Aggregate,
    CommandContext,
    ConcurrencyConflict,
    EventStore,
    StoredEvent,
    StreamAppend,
    TableRows,
)
from crosscheck_platform.eventstore.recorder import AtomicWrite, RecordedOutcome
from crosscheck_platform.i18n import register

T = TypeVar("T")

register(
    {
        "idempotency.key_reused": (
            "该幂等键已用于另一个不同的请求",
            "This idempotency key was already used for a different request.",
        ),
    }
)


class KeyReused(RuleViolation):
    message_key = "idempotency.key_reused"


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's key for one request; `fingerprint` tells that request from another
    sent with the same key (which is refused)."""

    key: str
    fingerprint: str


class UnitOfWork:
    """What one command changes, collected while it decides and written at once."""

    def __init__(
        self, store: EventStore, context: CommandContext, *, connection: Any = None
    ) -> None:
        self.store = store
        self.context = context
        # The caller's transaction, when the command holds one (a lock, reads under it).
        self.connection = connection
        self._aggregates: dict[str, Aggregate] = {}
        self._rows: list[TableRows] = []

    def add(self, aggregate: Aggregate) -> None:
        """Append the aggregate's pending events at commit. Another copy of a stream
        already added decided on a state without the first copy's events: a conflict."""
        earlier = self._aggregates.setdefault(aggregate.id, aggregate)
        if earlier is not aggregate:
            raise ConcurrencyConflict(aggregate.id, aggregate.version)

    def write(self, *rows: TableRows) -> None:
        """The service's own rows, written only if the appends succeed."""
        self._rows.extend(rows)

    def appends(self) -> list[StreamAppend]:
        appends = []
        for aggregate in self._aggregates.values():
            expected, events = aggregate.collect_pending()
            if events:
                appends.append(StreamAppend(aggregate.id, expected, events))
        return appends

    async def commit(self, outcome: RecordedOutcome | None = None) -> list[StoredEvent]:
        write = AtomicWrite(self.appends(), self.context, list(self._rows), outcome)
        self._rows = []
        return await self.store.commit(write, connection=self.connection)


@dataclass(frozen=True)
class Executed(Generic[T]):
    """A command's result and the events it stored; `replayed` when the result is the
    one a first attempt with the same idempotency key recorded (nothing was stored)."""

    result: T
    events: list[StoredEvent]
    replayed: bool = False


Handler = Callable[[UnitOfWork], Awaitable[T]]


async def execute(
    store: EventStore,
    context: CommandContext,
    handler: Handler[T],
    *,
    connection: Any = None,
    key: IdempotencyKey | None = None,
    results: TypeAdapter[T] | None = None,
) -> Executed[T]:
    """Run `handler` in a unit of work and commit it. With `key`, the result is recorded
    as JSON under it (`results` reads and writes it) and a retry gets it back."""
    if key is None:
        return await _run(store, context, handler, connection, None, None)
    if results is None:
        raise ValueError("a command with an idempotency key needs `results` to record")
    try:
        return await _run(store, context, handler, connection, key, results)
    except (DomainError, ConcurrencyConflict):
        # Perhaps a retry: the first attempt stored its key, or changed the state this
        # attempt decided on.
        earlier = await store.recorded(context.tenant.township, key.key)
        if earlier is None:
            raise
        if earlier.fingerprint != key.fingerprint:
            raise KeyReused() from None
        return Executed(results.validate_json(earlier.outcome), [], replayed=True)


async def _run(
    store: EventStore,
    context: CommandContext,
    handler: Handler[T],
    connection: Any,
    key: IdempotencyKey | None,
    results: TypeAdapter[T] | None,
) -> Executed[T]:
    unit = UnitOfWork(store, context, connection=connection)
    result = await handler(unit)
    outcome = None
    if key is not None and results is not None:
        outcome = RecordedOutcome(key.key, key.fingerprint, results.dump_json(result).decode())
    return Executed(result, await unit.commit(outcome))
