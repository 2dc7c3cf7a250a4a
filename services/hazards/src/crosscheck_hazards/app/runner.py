"""Running a command: decide from what is read, then one transaction holding the
idempotency key, the appends of every aggregate the command touched, and the service's
own rows that follow them.

Deciding happens before the transaction, so a command never holds one pooled
connection while waiting for another (which deadlocks a busy pool). The optimistic
concurrency check on each stream makes that safe: if anything changed since it was
read, the append fails and nothing is written.

A command that fails (domain error, concurrency conflict) leaves nothing behind — not
even its idempotency key — so a retry runs it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crosscheck_contracts.envelope import Tenant
from crosscheck_hazards.adapters import idempotency
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.errors import DomainError
from crosscheck_platform.eventstore import Aggregate, CommandContext, ConcurrencyConflict
from crosscheck_platform.eventstore.postgres import PostgresEventStore


@dataclass(frozen=True)
class Outcome:
    """What a command decided: aggregates with pending events, the answer, and any
    further writes to make in the same transaction."""

    aggregates: Sequence[Aggregate]
    body: Any
    status: int = 200
    also: Sequence[Callable[[Connection], Awaitable[None]]] = field(default_factory=tuple)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


Decide = Callable[[], Awaitable[Outcome]]


class CommandRunner:
    def __init__(self, db: Database, store: PostgresEventStore) -> None:
        self.db = db
        self.store = store

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
        earlier = await self._earlier(tenant, key, fingerprint)
        if earlier is not None:
            return earlier
        try:
            return await self._execute(tenant, decide, key, fingerprint)
        except (DomainError, ConcurrencyConflict):
            # A retry racing its own first attempt: the first may have committed after
            # we looked, and changed the state this attempt decided on.
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
        async with self.db.transaction() as conn:
            if key is not None:
                stored = await idempotency.claim(conn, tenant.township, key, fingerprint)
                if stored is not None:  # a concurrent retry committed first: its answer
                    return Answer(stored.status, stored.body, replayed=True)
            context = CommandContext(tenant=tenant)
            for aggregate in outcome.aggregates:
                expected, events = aggregate.collect_pending()
                await self.store.append(aggregate.id, expected, events, context, connection=conn)
            for write in outcome.also:
                await write(conn)
            if key is not None:
                await idempotency.remember(conn, tenant.township, key, outcome.status, outcome.body)
        return Answer(outcome.status, outcome.body)
