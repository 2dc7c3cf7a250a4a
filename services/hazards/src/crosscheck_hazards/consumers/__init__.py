"""Kafka consumers of the hazards service, started with the service and stopped before
its outbox relay.

The inventory consumer keeps the local read model of places (registry) and round
plans and groups (rotation) that inspections are checked against. The first part only
creates the tables the command handlers write in their own transactions.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from crosscheck_contracts.base import BoundedContext
from crosscheck_hazards.adapters.inventory import apply_inventory_event
from crosscheck_hazards.adapters.tables import COMMAND_TABLES, INVENTORY_TABLES
from crosscheck_platform.http import RuntimePart, ServiceRuntime
from crosscheck_platform.http.consumers import consumer_part


@contextlib.asynccontextmanager
async def command_tables(runtime: ServiceRuntime) -> AsyncIterator[None]:
    await runtime.database.migrate(COMMAND_TABLES)
    yield


def consumers() -> list[RuntimePart]:
    return [
        command_tables,
        consumer_part(
            "inventory",
            [BoundedContext.REGISTRY, BoundedContext.ROTATION],
            apply_inventory_event,
            tables=INVENTORY_TABLES,
        ),
    ]
