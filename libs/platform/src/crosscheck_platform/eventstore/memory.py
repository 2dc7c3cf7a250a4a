"""In-memory event store for fast unit tests: same contract as the PostgreSQL one."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from crosscheck_contracts.base import Event
from crosscheck_platform.eventstore.batch import StreamAppend, check_distinct
from crosscheck_platform.eventstore.recorder import (
    AtomicWrite,
    CommandContext,
    ConcurrencyConflict,
    RecordedOutcome,
    StoredEvent,
    envelopes_for,
)


class InMemoryEventStore:
    def __init__(self) -> None:
        self._streams: dict[str, list[StoredEvent]] = {}
        self._position = 0
        self._lock = asyncio.Lock()
        # What the relay would publish, in order: lets unit tests assert on output.
        self.published: list[StoredEvent] = []
        # The service's own rows written with commits, by table, in order.
        self.rows: dict[str, list[dict[str, object]]] = {}
        self._outcomes: dict[tuple[str, str], RecordedOutcome] = {}

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        context: CommandContext,
        *,
        connection: Any = None,
    ) -> list[StoredEvent]:
        return await self.append_many([StreamAppend(stream_id, expected_version, events)], context)

    async def append_many(
        self,
        appends: Sequence[StreamAppend],
        context: CommandContext,
        *,
        connection: Any = None,
    ) -> list[StoredEvent]:
        return await self.commit(AtomicWrite(appends, context))

    async def commit(self, write: AtomicWrite, *, connection: Any = None) -> list[StoredEvent]:
        appends = [a for a in write.appends if a.events]
        check_distinct(appends)
        township = write.context.tenant.township
        async with self._lock:
            for item in appends:
                if len(self._streams.get(item.stream_id, [])) != item.expected_version:
                    raise ConcurrencyConflict(item.stream_id, item.expected_version)
            if write.outcome is not None and (township, write.outcome.key) in self._outcomes:
                first = appends[0] if appends else StreamAppend("", 0, ())
                raise ConcurrencyConflict(first.stream_id, first.expected_version)
            stored = []
            for item in appends:
                stored += self._record(item, write.context)
            for table in write.rows:
                self.rows.setdefault(table.table, []).extend(
                    dict(zip(table.columns, row, strict=True)) for row in table.rows
                )
            if write.outcome is not None:
                self._outcomes[township, write.outcome.key] = write.outcome
            return stored

    async def recorded(self, township: str, key: str) -> RecordedOutcome | None:
        return self._outcomes.get((township, key))

    def _record(self, item: StreamAppend, context: CommandContext) -> list[StoredEvent]:
        stored = []
        envelopes = envelopes_for(item.stream_id, item.expected_version, item.events, context)
        for envelope, event in zip(envelopes, item.events, strict=True):
            self._position += 1
            stored.append(StoredEvent(self._position, envelope, event))
        self._streams[item.stream_id] = self._streams.get(item.stream_id, []) + stored
        self.published.extend(stored)
        return stored

    async def read(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        return [e for e in self._streams.get(stream_id, []) if e.version > after_version]

    async def stream_version(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, []))
