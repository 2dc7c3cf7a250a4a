"""Dead letters: a message that cannot be applied goes aside with its reason, so the
consumer can go on and an operator can see, fix and replay it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from crosscheck_contracts.topics import dead_letter_topic


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    reason: str

    @classmethod
    def of(cls, record: Any, reason: str) -> DeadLetter:
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value,
            headers=tuple(record.headers or ()),
            reason=reason,
        )

    def headers_for(self, consumer: str) -> list[tuple[str, bytes]]:
        """The record's own headers, bytes as they came, and why it was set aside."""
        why = {
            "dlq_reason": self.reason[:2000],
            "dlq_consumer": consumer,
            "dlq_topic": self.topic,
            "dlq_partition": str(self.partition),
            "dlq_offset": str(self.offset),
        }
        kept = [(name, raw) for name, raw in self.headers if name not in why]
        return kept + [(name, value.encode()) for name, value in why.items()]

    @property
    def destination(self) -> str:
        return dead_letter_topic(self.topic)


class DeadLetterSink(Protocol):
    async def __call__(self, letter: DeadLetter, consumer: str) -> None: ...
