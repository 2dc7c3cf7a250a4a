"""Reading topics back in tests, with a plain aiokafka consumer as an outsider would."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer

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
