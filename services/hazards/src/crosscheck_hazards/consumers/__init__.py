"""Kafka consumers of the hazards service, started with the service and stopped before
its outbox relay.

The inventory consumer keeps the local read model of places (registry) and round
plans and groups (rotation) that inspections are checked against.
"""

from __future__ import annotations

from crosscheck_contracts.base import BoundedContext
from crosscheck_hazards.adapters.inventory import apply_inventory_event
from crosscheck_platform.http import RuntimePart
from crosscheck_platform.http.consumers import consumer_part


def consumers() -> list[RuntimePart]:
    return [
        consumer_part(
            "inventory",
            [BoundedContext.REGISTRY, BoundedContext.ROTATION],
            apply_inventory_event,
        ),
    ]
