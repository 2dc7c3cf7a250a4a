"""Time: always timezone-aware, always from an injected clock.

Domain code never calls `datetime.now()` itself, so tests decide what "now" is and move
it forward instead of sleeping until a deadline. Pure Python: domains may import it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]

CHINA_STANDARD_TIME = ZoneInfo("Asia/Shanghai")
"""Deadlines are shown, whole days counted and quiet hours kept in China Standard Time;
the wire and the database stay in UTC."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def require_aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must carry a timezone")
    return value.astimezone(UTC)


class ManualClock:
    """A clock that moves only when told to: for tests and replays."""

    def __init__(self, start: datetime) -> None:
        self.now = require_aware(start, "start")

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by

    def set(self, to: datetime) -> None:
        self.now = require_aware(to, "to")
