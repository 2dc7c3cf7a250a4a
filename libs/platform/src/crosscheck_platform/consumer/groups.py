"""Setting a schema's consumer groups back to the start of their topics.

After a schema is restored from a backup, its consumers' groups have committed offsets
past what the restored tables applied (the offsets were committed after the backup).
Set back to the start, the consumers read every event again and skip, by event id or
by position, what the restored schema holds: they apply exactly what it lacks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition

from crosscheck_platform.kafka.clients import admin_client
from crosscheck_platform.kafka.security import client_options


class GroupActive(RuntimeError):
    """A group still has members: its service must be stopped first."""


async def schema_groups(bootstrap: str | Iterable[str], schema: str) -> list[str]:
    """The consumer groups of a service's schema (named `<schema>.<consumer>`)."""
    async with admin_client(bootstrap) as admin:
        groups = await admin.list_consumer_groups()
    return sorted(g for g, *_ in groups if g.startswith(f"{schema}."))


async def rewind_group(bootstrap: str | Iterable[str], group: str) -> dict[TopicPartition, int]:
    """Commit the beginning of every partition the group has read; the offsets set."""
    async with admin_client(bootstrap) as admin:
        [described] = await admin.describe_consumer_groups([group])
        members = described.to_object()["groups"][0]["members"] if described else []
        if members:
            raise GroupActive(
                f"consumer group {group} has {len(members)} member(s): stop every replica "
                "of its service first"
            )
        committed = await admin.list_consumer_group_offsets(group)
    partitions = sorted(committed)
    if not partitions:
        return {}
    consumer = AIOKafkaConsumer(
        **client_options(bootstrap),
        group_id=group,
        enable_auto_commit=False,
        client_id=f"crosscheck-rewind-{uuid.uuid4().hex[:8]}",
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        beginning: dict[TopicPartition, int] = await consumer.beginning_offsets(partitions)
        await consumer.commit(beginning)
    finally:
        await consumer.stop()
    return beginning
