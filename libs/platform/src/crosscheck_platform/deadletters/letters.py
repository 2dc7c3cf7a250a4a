"""Reading a dead-letter topic to its current end, and publishing letters back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from crosscheck_contracts.topics import DEAD_LETTER_SUFFIX
from crosscheck_platform.kafka import reliable_producer
from crosscheck_platform.kafka.security import client_options

# Headers the consumer runner adds when it sets a message aside (DeadLetter.headers_for).
_DLQ_PREFIX = "dlq_"
_IDLE_POLLS = 20


@dataclass(frozen=True)
class Letter:
    dead_letter_topic: str
    partition: int
    offset: int
    timestamp: datetime
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str | None:
        for key, raw in self.headers:
            if key == name:
                return raw.decode("utf-8", "replace")
        return None

    @property
    def reason(self) -> str:
        return self.header("dlq_reason") or ""

    @property
    def consumer(self) -> str:
        return self.header("dlq_consumer") or ""

    @property
    def origin(self) -> str:
        """The topic the message was first published on."""
        return self.header("dlq_topic") or self.dead_letter_topic.removesuffix(DEAD_LETTER_SUFFIX)

    @property
    def event_type(self) -> str:
        return self.header("ce_type") or ""

    @property
    def event_id(self) -> str:
        return self.header("ce_id") or ""

    @property
    def position(self) -> str:
        return f"{self.partition}:{self.offset}"

    def original_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in self.headers if not k.startswith(_DLQ_PREFIX)]


@dataclass(frozen=True)
class LetterFilter:
    """Which letters an operation takes; every given criterion must hold."""

    reason: str | None = None
    """A fragment of the reason, case-insensitive."""
    consumer: str | None = None
    event_type: str | None = None
    """A fragment of the CloudEvents type, e.g. `RectificationReported`."""
    positions: frozenset[str] = frozenset()
    """`partition:offset` of single letters."""

    def __call__(self, letter: Letter) -> bool:
        if self.reason and self.reason.lower() not in letter.reason.lower():
            return False
        if self.consumer and self.consumer != letter.consumer:
            return False
        if self.event_type and self.event_type not in letter.event_type:
            return False
        return not self.positions or letter.position in self.positions


async def read_letters(
    bootstrap: str, dead_letter_topic: str, accept: LetterFilter | None = None
) -> list[Letter]:
    """Every letter on the topic up to its end as of now (letters arriving meanwhile wait
    for the next call), without committing offsets anywhere."""
    partitions = await _partitions(bootstrap, dead_letter_topic)
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(
        **client_options(bootstrap),
        group_id=None,
        enable_auto_commit=False,
        # Not only the seek below: a fetch started at assignment would otherwise begin
        # at the end, and the seek can land after it.
        auto_offset_reset="earliest",
        client_id=f"crosscheck-deadletters-{uuid.uuid4().hex[:8]}",
    )
    await consumer.start()
    try:
        assigned = [TopicPartition(dead_letter_topic, p) for p in partitions]
        consumer.assign(assigned)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(assigned)
        await consumer.seek_to_beginning(*assigned)
        letters: list[Letter] = []
        # Read until each partition's last record as of the start has come back (the
        # consumer's position may run ahead of what it returned); give up on a
        # partition that yields nothing for a while rather than wait forever.
        remaining = {tp for tp, end in ends.items() if end > 0}
        idle = 0
        while remaining and idle < _IDLE_POLLS:
            batch: dict[TopicPartition, list[Any]] = await consumer.getmany(
                *remaining, timeout_ms=500
            )
            idle = 0 if batch else idle + 1
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        letters.append(_letter(dead_letter_topic, record))
                    if record.offset >= ends[tp] - 1:
                        remaining.discard(tp)
        letters.sort(key=lambda letter: (letter.partition, letter.offset))
        return [letter for letter in letters if accept is None or accept(letter)]
    finally:
        await consumer.stop()


async def _partitions(bootstrap: str, topic: str) -> list[int]:
    """The topic's partitions; none when it does not exist (no letter was ever set aside)."""
    admin = AIOKafkaAdminClient(**client_options(bootstrap))
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described.get("error_code"):
        return []
    return sorted(p["partition"] for p in described["partitions"])


def _letter(topic: str, record: Any) -> Letter:
    return Letter(
        dead_letter_topic=topic,
        partition=record.partition,
        offset=record.offset,
        timestamp=datetime.fromtimestamp(record.timestamp / 1000, UTC),
        key=record.key,
        value=record.value,
        headers=tuple(record.headers or ()),
    )


async def redrive(bootstrap: str, letters: Sequence[Letter]) -> int:
    """Publish each letter back to its origin topic, in the order they were set aside
    (per partition), with acks from every in-sync replica; the number published."""
    if not letters:
        return 0
    producer = reliable_producer(bootstrap)
    await producer.start()
    try:
        for letter in letters:
            await producer.send_and_wait(
                letter.origin,
                value=letter.value,
                key=letter.key,
                headers=letter.original_headers(),
            )
    finally:
        await producer.stop()
    return len(letters)
