"""Attaching an IdempotentConsumer to a FastStream Kafka broker.

FastStream's default acknowledges first (at most once); here offsets are committed by
hand, after the database transaction, and a failed batch is sought back and retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaAckableMessage

from crosscheck_platform.consumer.deadletter import DeadLetter
from crosscheck_platform.consumer.runner import TRANSIENT, IdempotentConsumer

log = logging.getLogger(__name__)

# Records per batch when there is a backlog (live traffic makes small batches anyway).
# Each batch costs a transaction and an offset commit: larger batches apply a backlog
# markedly faster in the foundation benchmark, for a few MB of decoded events.
MAX_RECORDS = 2000


def broker_dead_letters(broker: KafkaBroker) -> Any:
    async def publish(letter: DeadLetter, consumer: str) -> None:
        await broker.publish(
            letter.value or b"",
            topic=letter.destination,
            key=letter.key,
            headers=letter.headers_for(consumer),
        )

    return publish


async def _message(message: Any, _default: Any) -> Any:
    """The handler's body is the message itself. A handler parameter annotated
    `KafkaMessage` would be filled from FastStream's context by a synchronous resolver,
    which fast_depends runs in a worker thread: a thread hop for every batch."""
    return message


def subscribe(
    broker: KafkaBroker,
    consumer: IdempotentConsumer,
    topics: Sequence[str],
    *,
    max_records: int = MAX_RECORDS,
    idle_wait_ms: int = 20,
    retry_seconds: float = 1.0,
    **options: Any,
) -> Any:
    """Register `consumer` on `broker` for `topics`; `options` go to the Kafka consumer
    (e.g. session_timeout_ms). Returns the subscriber (its `consumer` is the aiokafka
    consumer once the broker has started).

    `idle_wait_ms` bounds how late an event that arrives on idle topics is picked up:
    FastStream's batch subscriber waits that long for records and, when none came,
    sleeps as long again before the next fetch. With its default (200 ms) an event
    could sit ~400 ms unread, the largest part of the ledgers' freshness tail.
    """

    async def _records_only(records: Any, _default: Any) -> Any:
        """The message FastStream hands on carries the records and nothing decoded.

        Its own parser turns every header of every record into a dict of strings
        (about as costly as the rest of the runner's work per event, and it fails on
        headers that are not UTF-8); the runner reads the headers itself, with reasons
        for what it cannot read."""
        first, last = records[0], records[-1]
        return KafkaAckableMessage(
            raw_message=records,
            body=records,
            message_id=f"{first.offset}-{last.offset}-{first.timestamp}",
            consumer=subscriber.consumer,
        )

    subscriber = broker.subscriber(
        *topics,
        group_id=consumer.name,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=idle_wait_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        parser=_records_only,
        decoder=_message,
        **options,
    )

    @subscriber  # type: ignore[untyped-decorator]
    async def on_batch(message: KafkaAckableMessage) -> None:
        records = message.raw_message
        try:
            await consumer.handle_records(records)
        except TRANSIENT as exc:
            log.warning(
                "batch will be retried", extra={"consumer": consumer.name, "error": repr(exc)}
            )
            await asyncio.sleep(retry_seconds)
            await message.nack()
            return
        await message.ack()

    return subscriber
