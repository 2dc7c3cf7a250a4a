"""Group commit: the writes of commands running at the same time share one statement.

Each statement costs PostgreSQL its planning, a commit and a WAL flush, and costs the
service a round trip, whatever the number of rows it writes; under load these fixed
costs, not the rows, are the limit. So while a statement is in flight, further writes
queue, and the next statement takes all of them (up to `max_group`).

A group is all or nothing. When it fails — a concurrency conflict, a reused
idempotency key, any database error — nothing of it was written, and each write of the
group is retried alone, so each caller gets exactly the answer it would have had
without grouping and no write fails because of another's.

A run of groups keeps one connection (`connect`) until the queue stays empty: a
connection given back to the pool costs a round trip to reset it, once per burst
rather than once per statement. Before each group, the writer gives the event loop a
few turns: callers whose writes just committed usually send their next one at once, and
they join this group rather than waiting behind it (otherwise, with callers that each
wait for their write, groups alternate between a few writes and the rest).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from crosscheck_platform.eventstore.recorder import AtomicWrite, StoredEvent

log = logging.getLogger(__name__)

_Pending = tuple[AtomicWrite, "asyncio.Future[list[StoredEvent]]"]

GATHER_TURNS = 3
"""Event-loop turns a writer waits before taking a group: a caller woken by its commit
(its future, then the shield around it) sends its next write within two."""


class Writer(Protocol):
    async def write_atomically(
        self, writes: Sequence[AtomicWrite], *, connection: Any = None
    ) -> list[list[StoredEvent]]: ...


Connect = Callable[[], AbstractAsyncContextManager[Any]]


class GroupCommit:
    def __init__(
        self,
        store: Writer,
        *,
        max_group: int = 64,
        max_in_flight: int = 1,
        connect: Connect | None = None,
    ) -> None:
        self.store = store
        self.max_group = max_group
        # One statement at a time by default: the next group forms while it commits.
        # Two or four in flight made groups smaller and the hazards benchmark slower,
        # in throughput and in its p99.
        self.max_in_flight = max_in_flight
        # A run of groups shares one connection (None: the store picks one per write).
        self.connect = connect
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
            self._in_flight += 1
            task = asyncio.get_running_loop().create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _drain(self) -> None:
        """Groups from the queue, one statement at a time on one connection, until the
        queue stays empty or a group fails (its connection may be what failed)."""
        try:
            session = self.connect() if self.connect else contextlib.nullcontext()
            async with session as connection:
                while await self._gathered():
                    if not await self._commit(self._next_group(), connection):
                        break
        except Exception:  # no connection to be had: each write goes alone, reporting it
            log.debug("group commit could not get a connection", exc_info=True)
            pending = list(self._queue)
            self._queue.clear()
            await asyncio.gather(*(self._commit_alone(p) for p in pending))
        finally:
            self._in_flight -= 1
            self._start_groups()

    async def _gathered(self) -> bool:
        """Whether there is a group to write, after the turns that let callers whose
        writes just committed queue their next."""
        for _ in range(GATHER_TURNS):
            await asyncio.sleep(0)
        return bool(self._queue)

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

    async def _commit(self, group: list[_Pending], connection: Any) -> bool:
        """Write the group; False when it failed and its writes went alone instead."""
        try:
            results = await self.store.write_atomically(
                [write for write, _ in group], connection=connection
            )
        except Exception as exc:  # every write is retried alone, on connections of its own
            if len(group) > 1:
                log.debug("group of %d writes failed (%s); each is retried alone", len(group), exc)
                await asyncio.gather(*(self._commit_alone(pending) for pending in group))
            elif not group[0][1].done():
                group[0][1].set_exception(exc)
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
