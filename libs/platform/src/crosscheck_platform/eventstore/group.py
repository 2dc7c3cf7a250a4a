"""Group commit: the writes of commands running at the same time share one statement.

Each statement costs PostgreSQL its planning, a commit and a WAL flush, and costs the
service a round trip, whatever the number of rows it writes; under load these fixed
costs, not the rows, are the limit. So while a statement is in flight, further writes
queue, and the next statement takes all of them (up to `max_group`).

A group is all or nothing. When it fails — a concurrency conflict, a reused
idempotency key, any database error — nothing of it was written, and each write of the
group is retried alone, so each caller gets exactly the answer it would have had
without grouping and no write fails because of another's.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from crosscheck_platform.eventstore.recorder import AtomicWrite, StoredEvent

log = logging.getLogger(__name__)

_Pending = tuple[AtomicWrite, "asyncio.Future[list[StoredEvent]]"]


class Writer(Protocol):
    async def write_atomically(self, writes: Sequence[AtomicWrite]) -> list[list[StoredEvent]]: ...


class GroupCommit:
    def __init__(self, store: Writer, *, max_group: int = 64, max_in_flight: int = 1) -> None:
        self.store = store
        self.max_group = max_group
        # One statement at a time by default: the next group forms while it commits,
        # and a lone writer never waits for others. Two or four in flight made groups
        # smaller and the hazards benchmark slower, in throughput and in its p99.
        self.max_in_flight = max_in_flight
        self._queue: deque[_Pending] = deque()
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def commit(self, write: AtomicWrite) -> list[StoredEvent]:
        """`write`, possibly in one statement with other commands' writes."""
        future: asyncio.Future[list[StoredEvent]] = asyncio.get_running_loop().create_future()
        self._queue.append((write, future))
        self._start_groups()
        # A caller that goes away (client disconnected) does not take its write out of
        # a group already sent; shield keeps the outcome for whoever is still waiting.
        return await asyncio.shield(future)

    def _start_groups(self) -> None:
        while self._queue and self._in_flight < self.max_in_flight:
            group = self._next_group()
            self._in_flight += 1
            task = asyncio.get_running_loop().create_task(self._commit(group))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _next_group(self) -> list[_Pending]:
        """Queued writes in order, up to one that touches a stream already in the group
        (one statement cannot move a stream twice; that write waits for the next)."""
        group: list[_Pending] = []
        streams: set[str] = set()
        while self._queue and len(group) < self.max_group:
            write, _ = self._queue[0]
            ids = {a.stream_id for a in write.appends}
            if group and not ids.isdisjoint(streams):
                break
            streams |= ids
            group.append(self._queue.popleft())
        return group

    async def _commit(self, group: list[_Pending]) -> None:
        try:
            if len(group) > 1 and await self._commit_together(group):
                return
            await asyncio.gather(*(self._commit_alone(pending) for pending in group))
        finally:
            self._in_flight -= 1
            self._start_groups()

    async def _commit_together(self, group: list[_Pending]) -> bool:
        try:
            results = await self.store.write_atomically([write for write, _ in group])
        except Exception as exc:  # every write is retried alone below
            log.debug("group of %d writes failed (%s); each is retried alone", len(group), exc)
            return False
        for (_, future), stored in zip(group, results, strict=True):
            if not future.done():
                future.set_result(stored)
        return True

    async def _commit_alone(self, pending: _Pending) -> None:
        write, future = pending
        try:
            (stored,) = await self.store.write_atomically([write])
        except Exception as exc:  # handed to the caller, who decides
            if not future.done():
                future.set_exception(exc)
        else:
            if not future.done():
                future.set_result(stored)
