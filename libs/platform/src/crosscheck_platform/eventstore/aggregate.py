"""A small base for event-sourced aggregates: methods emit events, state comes from events.

Pure Python: no I/O, so domain models built on it are testable without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

from crosscheck_contracts.base import Event


class Aggregate:
    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self._pending: list[Event] = []

    def apply(self, event: Event) -> None:
        """Change state from one event; subclasses dispatch on the event type."""
        raise NotImplementedError

    def _emit(self, event: Event) -> None:
        self.apply(event)
        self.version += 1
        self._pending.append(event)

    @classmethod
    def rehydrate(cls, aggregate_id: str, history: Iterable[Event]) -> Self:
        aggregate = cls(aggregate_id)
        for event in history:
            aggregate.apply(event)
            aggregate.version += 1
        return aggregate

    def collect_pending(self) -> tuple[int, list[Event]]:
        """Return (version the store must still be at, new events) and forget them."""
        pending, self._pending = self._pending, []
        return self.version - len(pending), pending
