"""Kafka consumers of the registry service, started with the service and stopped before
its outbox relay.

The read model is written in the transaction of each command (see the first migration
step for why). The one consumer reads the registry's own topic to keep logins in step with the
roster: a staff member deactivated, however it came about, loses their login.
"""

from __future__ import annotations

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.events.registry import StaffDeactivated
from crosscheck_platform.consumer import ReceivedEvent
from crosscheck_platform.db import Connection
from crosscheck_platform.http import RuntimePart
from crosscheck_platform.http.consumers import consumer_part
from crosscheck_platform.identity import IdentityUnreachable
from crosscheck_registry.app.logins import Logins


def consumers(logins: Logins) -> list[RuntimePart]:
    async def follow_the_roster(conn: Connection, item: ReceivedEvent) -> None:
        if not isinstance(item.event, StaffDeactivated):
            return
        try:
            await logins.staff_deactivated(item.event.staff_id)
        except IdentityUnreachable as exc:
            # Transient: the batch is tried again rather than the event set aside.
            raise ConnectionError(str(exc)) from exc

    return [consumer_part("logins", [BoundedContext.REGISTRY], follow_the_roster)]
