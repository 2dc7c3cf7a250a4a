"""A service's infrastructure as lifespan parts: database, event store, Kafka producer,
outbox relay. Each part starts one thing and stops it; `create_app` enters them in
order and exits them in reverse, so the relay stops before the producer it uses, and
the producer before the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore.postgres import PostgresEventStore
from crosscheck_platform.http.runtime import ServiceRuntime
from crosscheck_platform.kafka import TopicRefused, ensure_topics, reliable_producer
from crosscheck_platform.migrations import require_migrated
from crosscheck_platform.outbox import OutboxRelay

log = logging.getLogger(__name__)

RELAY_STOP_SECONDS = 10.0


def load_catalogue() -> EventCatalogue:
    """Every event model: the store decodes its own history with it, and it is loaded
    when the service starts rather than when this module is imported."""
    from crosscheck_contracts import CATALOGUE

    return CATALOGUE


@contextlib.asynccontextmanager
async def database(runtime: ServiceRuntime) -> AsyncIterator[None]:
    runtime.db = await Database.connect(
        runtime.settings.database_url, runtime.schema, create_schema=False
    )
    try:
        # The schema is changed by `crosscheck-migrate` only, never by a replica at start.
        async with runtime.db.pool.acquire() as conn:
            await require_migrated(conn, runtime.schema, runtime.service)
        yield
    finally:
        await runtime.db.close()


@contextlib.asynccontextmanager
async def event_store(runtime: ServiceRuntime) -> AsyncIterator[None]:
    store = PostgresEventStore(runtime.database, load_catalogue(), runtime.topics)
    # Every topic the service writes or reads: each is the permanent log, or it refuses.
    settings = runtime.settings
    try:
        await ensure_topics(
            settings.kafka_bootstrap,
            runtime.topics.all,
            create=settings.kafka_create_topics,
            replication_factor=settings.kafka_replication_factor,
        )
    except TopicRefused as refused:
        # One plain line for the operator, before the server's traceback of the failure.
        log.critical(str(refused), extra={"topics": refused.lines})
        raise
    runtime.store = store
    yield


@contextlib.asynccontextmanager
async def producer(runtime: ServiceRuntime) -> AsyncIterator[None]:
    kafka = reliable_producer(runtime.settings.kafka_bootstrap)
    await kafka.start()
    runtime.producer = kafka
    try:
        yield
    finally:
        await kafka.stop()


@contextlib.asynccontextmanager
async def outbox_relay(runtime: ServiceRuntime) -> AsyncIterator[None]:
    assert runtime.producer is not None, "the producer part comes before the relay"
    relay = OutboxRelay(
        runtime.database, runtime.producer, batch_size=runtime.settings.relay_batch_size
    )
    task = asyncio.create_task(relay.run(), name=f"{runtime.service}-outbox-relay")
    runtime.relay_task = task
    try:
        yield
    finally:
        relay.stop()
        try:
            # A batch in flight finishes (and is deleted) rather than being sent twice.
            await asyncio.wait_for(task, RELAY_STOP_SECONDS)
        except TimeoutError:
            log.warning("outbox relay did not stop in time; cancelled")
        except Exception:
            log.exception("outbox relay failed")
