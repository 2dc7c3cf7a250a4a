"""The event store port: what services depend on; PostgreSQL and memory implement it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID, uuid4

from crosscheck_contracts.base import Event
from crosscheck_contracts.envelope import Envelope, Tenant
from crosscheck_platform.eventstore.batch import StreamAppend, TableRows
from crosscheck_platform.tracing import current_traceparent


class ConcurrencyConflict(Exception):
    """Someone else appended to the stream since it was read: re-read and retry, or 409."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(f"stream {stream_id!r} is no longer at version {expected_version}")
        self.stream_id = stream_id
        self.expected_version = expected_version


@dataclass(frozen=True)
class CommandContext:
    """Who asks, for which tenant, and which chain of messages this belongs to."""

    tenant: Tenant
    correlation_id: UUID = field(default_factory=uuid4)
    causation_id: UUID | None = None
    traceparent: str | None = field(default_factory=current_traceparent)
    """The trace the command runs in (its request's, or the consumed event's), carried
    on to the events it records."""


@dataclass(frozen=True)
class RecordedOutcome:
    """What a command with an idempotency key answered, kept with its write: `outcome`
    is the command's result as JSON (never an HTTP status: the edge maps results)."""

    key: str
    fingerprint: str
    outcome: str


@dataclass(frozen=True)
class AtomicWrite:
    """One command's write: appends to its streams, the service's own rows that go
    with them and the outcome under its idempotency key, all or nothing. A key already
    recorded fails the write as a ConcurrencyConflict."""

    appends: Sequence[StreamAppend]
    context: CommandContext
    rows: Sequence[TableRows] = ()
    outcome: RecordedOutcome | None = None


@dataclass(frozen=True)
class StoredEvent:
    position: int
    envelope: Envelope
    event: Event

    @property
    def version(self) -> int:
        return self.envelope.aggregateversion


class EventStore(Protocol):
    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        context: CommandContext,
        *,
        connection: Any = None,
    ) -> list[StoredEvent]:
        """Append atomically (and to the outbox); raise ConcurrencyConflict when the
        stream is not at `expected_version` (0 = the stream must not exist yet).
        With `connection`, join the caller's transaction."""
        ...

    async def append_many(
        self,
        appends: Sequence[StreamAppend],
        context: CommandContext,
        *,
        connection: Any = None,
    ) -> list[StoredEvent]:
        """Append to several streams atomically: all or, on any conflict, nothing."""
        ...

    async def commit(self, write: AtomicWrite, *, connection: Any = None) -> list[StoredEvent]:
        """One command's write, all or nothing (see AtomicWrite); ConcurrencyConflict
        when a stream moved or the idempotency key is taken. Concurrent commits may share
        a statement (group commit); with `connection`, it joins the caller's transaction."""
        ...

    async def recorded(self, township: str, key: str) -> RecordedOutcome | None:
        """The outcome a command recorded under `key` in `township`, if one committed."""
        ...

    async def read(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]: ...

    async def stream_version(self, stream_id: str) -> int: ...


def envelopes_for(
    stream_id: str, expected_version: int, events: Sequence[Event], context: CommandContext
) -> list[Envelope]:
    return [
        Envelope.for_event(
            event,
            tenant=context.tenant,
            aggregate_id=stream_id,
            aggregate_version=expected_version + offset,
            correlation_id=context.correlation_id,
            causation_id=context.causation_id,
        )
        for offset, event in enumerate(events, start=1)
    ]
