"""Running a command: one transaction holding the idempotency key, the appends of every
aggregate the command touched, and the service's own rows that follow them.

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
from crosscheck_platform.eventstore import Aggregate, CommandContext
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


Decide = Callable[[Connection], Awaitable[Outcome]]


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
        async with self.db.transaction() as conn:
            if key is not None:
                stored = await idempotency.claim(conn, tenant.township, key, fingerprint)
                if stored is not None:
                    return Answer(stored.status, stored.body, replayed=True)
            outcome = await decide(conn)
            context = CommandContext(tenant=tenant)
            for aggregate in outcome.aggregates:
                expected, events = aggregate.collect_pending()
                await self.store.append(aggregate.id, expected, events, context, connection=conn)
            for write in outcome.also:
                await write(conn)
            if key is not None:
                await idempotency.remember(conn, tenant.township, key, outcome.status, outcome.body)
        return Answer(outcome.status, outcome.body)
