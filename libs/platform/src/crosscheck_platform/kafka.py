"""Kafka clients with the settings every service needs."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from crosscheck_contracts.topics import PARTITIONS, dead_letter_topic

log = logging.getLogger(__name__)


def reliable_producer(bootstrap: str, **overrides: object) -> AIOKafkaProducer:
    """acks=all + idempotence: a retried send is not written twice by the broker."""
    options: dict[str, object] = {
        "bootstrap_servers": bootstrap,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "max_batch_size": 1 << 20,
        "compression_type": None,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    *,
    partitions: int = PARTITIONS,
    with_dead_letters: bool = True,
    replication: int = 1,
) -> None:
    """Create topics (and their dead-letter twins) if they are missing."""
    names = list(topics)
    if with_dead_letters:
        names += [dead_letter_topic(t) for t in names]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:
            # Another replica may create them first; that is fine.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [
                        NewTopic(n, num_partitions=partitions, replication_factor=replication)
                        for n in missing
                    ]
                )
            log.info("topics created", extra={"topics": missing})
    finally:
        await admin.close()


async def delete_topics_under(bootstrap: str, prefixes: Iterable[str]) -> int:
    """Delete every topic whose name starts with one of `prefixes`; returns how many."""
    wanted = tuple(prefixes)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        doomed = [t for t in await admin.list_topics() if t.startswith(wanted)]
        # The broker takes deletions in modest batches more gracefully than thousands at once.
        for start in range(0, len(doomed), 200):
            await admin.delete_topics(doomed[start : start + 200])
        return len(doomed)
    finally:
        await admin.close()
