"""Running a command: decide from what is read, then one statement writing the appends
of every aggregate the command touched, the service's own rows that follow them and
the idempotency key with its answer. One statement is atomic without BEGIN and COMMIT,
so the write is one round trip; under load, concurrent commands share it (GroupCommit).

Deciding happens before the write and holds no connection while it waits for another
(which deadlocks a busy pool). The optimistic concurrency check on each stream makes
that safe: if anything changed since it was read, the write fails and nothing is
written.

An idempotency key is not looked up first: the write stores it, so a retry of a command
that committed fails on the key (or on what the first attempt changed) and only then
reads the first answer. That keeps a round trip off every first attempt, which is
nearly every command.

A command that fails (domain error, concurrency conflict) leaves nothing behind — not
even its idempotency key — so a retry runs it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.adapters import idempotency
from crosscheck_platform.db import Database
from crosscheck_platform.errors import DomainError
from crosscheck_platform.eventstore import (
    Aggregate,
    CommandContext,
    ConcurrencyConflict,
    StreamAppend,
    TableRows,
)
from crosscheck_platform.eventstore.group import GroupCommit


@dataclass(frozen=True)
class Outcome:
    """What a command decided: aggregates with pending events, the answer, and the
    service's own rows to write with them."""

    aggregates: Sequence[Aggregate]
    body: Any
    status: int = 200
    rows: Sequence[TableRows] = field(default_factory=tuple)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


Decide = Callable[[], Awaitable[Outcome]]


class CommandRunner:
    def __init__(self, db: Database, writes: GroupCommit) -> None:
        self.db = db
        self.writes = writes

    async def run(
        self,
        tenant: Tenant,
        decide: Decide,
        *,
        key: str | None = None,
        fingerprint: str = "",
    ) -> Answer:
        if key is None:
            return await self._execute(tenant, decide, None, fingerprint)
        try:
            return await self._execute(tenant, decide, key, fingerprint)
        except (DomainError, ConcurrencyConflict):
            # Perhaps a retry: the first attempt stored its key, or changed the state
            # this attempt decided on.
            earlier = await self._earlier(tenant, key, fingerprint)
            if earlier is not None:
                return earlier
            raise

    async def _earlier(self, tenant: Tenant, key: str, fingerprint: str) -> Answer | None:
        async with self.db.pool.acquire() as conn:
            stored = await idempotency.stored(conn, tenant.township, key, fingerprint)
        return Answer(stored.status, stored.body, replayed=True) if stored else None

    async def _execute(
        self, tenant: Tenant, decide: Decide, key: str | None, fingerprint: str
    ) -> Answer:
        outcome = await decide()
        rows = list(outcome.rows)
        if key is not None:
            answer = idempotency.key_rows(
                tenant.township, key, fingerprint, outcome.status, outcome.body
            )
            rows.append(answer)
        appends = []
        for aggregate in outcome.aggregates:
            expected, events = aggregate.collect_pending()
            appends.append(StreamAppend(aggregate.id, expected, events))
        await self.writes.append_atomically(appends, CommandContext(tenant=tenant), rows)
        return Answer(outcome.status, outcome.body)
