"""Kafka clients with the settings every service needs."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from crosscheck_platform.kafka.security import KafkaSecurity, client_options


def reliable_producer(
    bootstrap: str | Iterable[str], security: KafkaSecurity | None = None, **overrides: object
) -> AIOKafkaProducer:
    """acks=all + idempotence: a retried send is not written twice by the broker."""
    options: dict[str, object] = {
        **client_options(bootstrap, security),
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_batch_size": 1 << 20,
        "compression_type": None,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


@contextlib.asynccontextmanager
async def admin_client(
    bootstrap: str | Iterable[str], security: KafkaSecurity | None = None
) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started admin client, closed when the block ends."""
    admin = AIOKafkaAdminClient(**client_options(bootstrap, security))
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()
