"""Kafka consumers of the ledgers service: one projection over every context's topic."""

from __future__ import annotations

from crosscheck_contracts.base import BoundedContext
from crosscheck_ledgers.adapters import sql
from crosscheck_ledgers.domain.merge import Patches
from crosscheck_ledgers.domain.projection import Meta, project
from crosscheck_platform.consumer import ReceivedEvent
from crosscheck_platform.db import Connection
from crosscheck_platform.http import RuntimePart
from crosscheck_platform.http.consumers import consumer_part

CONSUMER = "ledgers"


def meta_of(received: ReceivedEvent) -> Meta:
    envelope = received.envelope
    return Meta(
        township=envelope.township,
        county=envelope.county,
        version=envelope.aggregateversion,
        time=envelope.time,
    )


async def apply_event(conn: Connection, received: ReceivedEvent) -> None:
    patches = Patches()
    patches.add(project(received.event, meta_of(received)))
    await sql.write(conn, patches)


def consumers() -> list[RuntimePart]:
    return [consumer_part(CONSUMER, list(BoundedContext), apply_event, tables=sql.ddl())]
