"""In-memory event store for fast unit tests: same contract as the PostgreSQL one."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from crosscheck_contracts.base import Event
from crosscheck_platform.eventstore.batch import StreamAppend, check_distinct
from crosscheck_platform.eventstore.recorder import (
    CommandContext,
    ConcurrencyConflict,
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

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        context: CommandContext,
        *,
        connection: Any = None,
    ) -> list[StoredEvent]:
        if not events:
            return []
        async with self._lock:
            stream = self._streams.get(stream_id, [])
            if len(stream) != expected_version:
                raise ConcurrencyConflict(stream_id, expected_version)
            return self._record(stream_id, expected_version, events, context)

    def _record(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        context: CommandContext,
    ) -> list[StoredEvent]:
        stored = []
        for envelope, event in zip(
            envelopes_for(stream_id, expected_version, events, context), events, strict=True
        ):
            self._position += 1
            stored.append(StoredEvent(self._position, envelope, event))
        self._streams[stream_id] = self._streams.get(stream_id, []) + stored
        self.published.extend(stored)
        return stored

    async def append_many(
        self,
        appends: Sequence[StreamAppend],
        context: CommandContext,
        *,
        connection: Any = None,
    ) -> list[StoredEvent]:
        appends = [a for a in appends if a.events]
        check_distinct(appends)
        async with self._lock:
            for item in appends:
                if len(self._streams.get(item.stream_id, [])) != item.expected_version:
                    raise ConcurrencyConflict(item.stream_id, item.expected_version)
            stored = []
            for item in appends:
                stored += self._record(item.stream_id, item.expected_version, item.events, context)
            return stored

    async def read(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        return [e for e in self._streams.get(stream_id, []) if e.version > after_version]

    async def stream_version(self, stream_id: str) -> int:
        return len(self._streams.get(stream_id, []))
