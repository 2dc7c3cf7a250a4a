"""Reading topics back in tests, with a plain aiokafka consumer as an outsider would."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from crosscheck_platform.kafka import admin_client
from crosscheck_platform.kafka.security import client_options


async def read_until(
    bootstrap: str,
    topic: str,
    done: Any,
    *,
    timeout: float = 60.0,
) -> list[Any]:
    """Collect records from the start of `topic` until `done(records)` or the timeout."""
    consumer = AIOKafkaConsumer(
        topic,
        **client_options(bootstrap),
        group_id=f"reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            while not done(records):
                batch = await consumer.getmany(timeout_ms=200)
                for part in batch.values():
                    records.extend(part)
    except TimeoutError:
        pass  # the caller's assertions say what was missing
    finally:
        await consumer.stop()
    return records


async def read_to_end(bootstrap: str, topics: list[str], *, timeout: float = 60.0) -> list[Any]:
    """Every record of `topics`, from offset 0 to the end offsets they had when asked (no
    consumer group: the partitions are assigned directly). TimeoutError when the end is
    not reached within `timeout`."""
    async with admin_client(bootstrap) as admin:
        described = await admin.describe_topics(topics)
    partitions = [
        TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]
    ]
    consumer = AIOKafkaConsumer(**client_options(bootstrap), enable_auto_commit=False)
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(timeout):
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            waiting = {tp for tp, end in ends.items() if end > 0}
            while waiting:
                for tp, batch in (await consumer.getmany(*waiting, timeout_ms=500)).items():
                    records.extend(batch)
                    if batch and batch[-1].offset + 1 >= ends[tp]:
                        waiting.discard(tp)
    finally:
        await consumer.stop()
    return records
