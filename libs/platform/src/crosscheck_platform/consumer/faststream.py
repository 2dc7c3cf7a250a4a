"""Attaching an IdempotentConsumer to a FastStream Kafka broker.

FastStream's default acknowledges first (at most once); here offsets are committed by
hand, after the database transaction, and a failed batch is sought back and retried.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from crosscheck_platform.consumer.deadletter import DeadLetter
from crosscheck_platform.consumer.runner import TRANSIENT, IdempotentConsumer

log = logging.getLogger(__name__)


def broker_dead_letters(broker: KafkaBroker) -> Any:
    async def publish(letter: DeadLetter, consumer: str) -> None:
        await broker.publish(
            letter.value or b"",
            topic=letter.destination,
            key=letter.key,
            headers=letter.headers_for(consumer),
        )

    return publish


async def _tolerant_parser(records: Any, original: Any) -> Any:
    """FastStream decodes headers as UTF-8 before our code sees them; a producer that
    sends other bytes must end in the dead-letter topic, not crash the loop. Only such a
    batch pays for the cleaning copy."""
    try:
        return await original(records)
    except UnicodeDecodeError:
        pass
    clean = tuple(
        dataclasses.replace(
            r, headers=[(k, v.decode("utf-8", "replace").encode()) for k, v in r.headers or ()]
        )
        for r in records
    )
    message = await original(clean)
    message.raw_message = records
    return message


async def _raw_bodies(message: Any, original: Any) -> Any:
    return message.body  # decoding is the runner's job, with reasons for failures


def subscribe(
    broker: KafkaBroker,
    consumer: IdempotentConsumer,
    topics: Sequence[str],
    *,
    max_records: int = 500,
    retry_seconds: float = 1.0,
    **options: Any,
) -> None:
    """Register `consumer` on `broker` for `topics`; `options` go to the Kafka consumer
    (e.g. session_timeout_ms)."""

    @broker.subscriber(  # type: ignore[untyped-decorator]
        *topics,
        group_id=consumer.name,
        batch=True,
        max_records=max_records,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        parser=_tolerant_parser,
        decoder=_raw_bodies,
        **options,
    )
    async def on_batch(body: Any, message: KafkaMessage) -> None:
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
