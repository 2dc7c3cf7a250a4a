"""Running a hazards command through the platform's unit of work: the handler decides
from what it reads (holding no connection while it waits for another, which deadlocks a
busy pool) and `execute` writes the appends of every aggregate it touched, the rows that
follow them and, with an idempotency key, its result, in one statement (concurrent
commands share it). The optimistic concurrency check on each stream makes deciding
outside a transaction safe: if anything changed since it was read, nothing is written."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from crosscheck_contracts.envelope import Tenant
from crosscheck_platform.eventstore import CommandContext, EventStore
from crosscheck_platform.unit_of_work import Executed, Handler, IdempotencyKey, execute

Result = dict[str, Any]
"""What a command answers: the hazard or inspection as clients see it (JSON)."""

_RESULTS: TypeAdapter[Result] = TypeAdapter(Result)


async def run(
    store: EventStore,
    tenant: Tenant,
    handler: Handler[Result],
    key: IdempotencyKey | None = None,
) -> Executed[Result]:
    return await execute(store, CommandContext(tenant=tenant), handler, key=key, results=_RESULTS)
