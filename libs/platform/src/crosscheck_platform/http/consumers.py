"""A service's Kafka consumers as lifespan parts.

A service names what it consumes (contexts), how it applies an event (a handler that
writes with the given connection); this part wires the
idempotent consumer, its aiokafka loop and the dead-letter topic the same way for every
service.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from crosscheck_contracts.base import BoundedContext
from crosscheck_platform.consumer import BatchHandler, EventHandler, IdempotentConsumer
from crosscheck_platform.consumer.loop import MAX_RECORDS, ConsumerLoop
from crosscheck_platform.consumer.tracking import Deduplication
from crosscheck_platform.http.infrastructure import load_catalogue
from crosscheck_platform.http.runtime import ServiceRuntime, Subscription
from crosscheck_platform.kafka.cluster import (
    ClusterChangePolicy,
    KafkaClusterChanged,
    check_cluster,
    cluster_id,
)
from crosscheck_platform.kafka.security import KafkaSecurity

log = logging.getLogger(__name__)


async def same_cluster(runtime: ServiceRuntime) -> None:
    """Positions are kept per cluster: refuse (or rewind) when the brokers changed."""
    settings = runtime.settings
    try:
        await check_cluster(
            runtime.database,
            await cluster_id(settings.kafka_bootstrap),
            ClusterChangePolicy(settings.kafka_cluster_change),
            settings.kafka_bootstrap,
        )
    except KafkaClusterChanged as changed:
        # One plain line for the operator, before the server's traceback of the failure.
        log.critical(str(changed), extra={"was": changed.recorded, "now": changed.current})
        raise


def consumer_part(
    name: str,
    contexts: Sequence[BoundedContext],
    handler: EventHandler | None = None,
    *,
    batch_handler: BatchHandler | None = None,
    deduplication: Deduplication = Deduplication.EVENT_ID,
    max_records: int = MAX_RECORDS,
) -> Any:
    """A RuntimePart running `handler` over the topics of `contexts`.

    `name` becomes the consumer group (prefixed with the service's schema, so test runs
    and deployments do not share offsets) and the key of its applied-event tracking.
    The handler's tables come from the service's migration steps. Give `batch_handler`
    instead of `handler` to apply a whole batch at once; `deduplication` is described in
    crosscheck_platform.consumer.tracking (by event id unless the handler is idempotent).
    """

    @contextlib.asynccontextmanager
    async def part(runtime: ServiceRuntime) -> AsyncIterator[None]:
        await same_cluster(runtime)
        topics = tuple(runtime.topics.of(c) for c in contexts)
        loop = ConsumerLoop(
            runtime.settings.kafka_bootstrap,
            topics,
            security=KafkaSecurity(),
            max_records=max_records,
        )
        consumer = IdempotentConsumer(
            name=f"{runtime.schema}.{name}",
            db=runtime.database,
            catalogue=load_catalogue(),
            handler=handler,
            batch_handler=batch_handler,
            dead_letters=loop.dead_letter,
            deduplication=deduplication,
        )
        await loop.start(consumer)
        runtime.consumers[name] = consumer
        runtime.subscriptions[name] = Subscription(consumer.name, topics, lambda: loop.kafka)
        try:
            yield
        finally:
            await loop.stop()

    return part
