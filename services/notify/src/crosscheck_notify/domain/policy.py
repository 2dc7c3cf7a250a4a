"""When notices fall due: the configurable part of the follow-up (督办) rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from crosscheck_contracts.events.notify import RecipientRole
from crosscheck_platform.clock import CHINA_STANDARD_TIME, require_aware

_R = RecipientRole


@dataclass(frozen=True)
class QuietHours:
    """No SMS at night: a text due in [start, end) local time waits until `end`.

    `start` after `end` spans midnight (the usual 22:00-08:00); equal times mean no
    quiet hours at all."""

    start: time = time(22, 0)
    end: time = time(8, 0)

    def release(self, at: datetime) -> datetime:
        """`at` itself outside quiet hours, else the moment they end (in UTC)."""
        local = require_aware(at, "at").astimezone(CHINA_STANDARD_TIME)
        clock = local.time().replace(tzinfo=None)
        if self.start == self.end:
            return at.astimezone(UTC)
        if self.start < self.end:
            quiet = self.start <= clock < self.end
            day = local.date()
        else:
            quiet = clock >= self.start or clock < self.end
            day = local.date() + timedelta(days=1) if clock >= self.start else local.date()
        if not quiet:
            return at.astimezone(UTC)
        return datetime.combine(day, self.end, tzinfo=CHINA_STANDARD_TIME).astimezone(UTC)


@dataclass(frozen=True)
class NotifyPolicy:
    reminder_offsets: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=1))
    """Reminders this long before the deadline."""
    reminder_recipients: tuple[RecipientRole, ...] = (_R.RESPONSIBLE_PERSON, _R.VILLAGE_COMMITTEE)
    """The owner fixes it; the village committee follows it up point-to-point (点对点督办)."""
    overdue_recipients: tuple[RecipientRole, ...] = (_R.RESPONSIBLE_PERSON, _R.VILLAGE_COMMITTEE)
    escalation_grace: timedelta = timedelta(days=3)
    """Still not fixed this long after the deadline: township leadership is told."""
    reverification_after: timedelta = timedelta(days=10)
    """A reported fix not re-verified on site within this: the inspecting group is reminded."""
    reverification_grace: timedelta = timedelta(days=5)
    """...and after this much longer, township leadership is told."""
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    max_attempts: int = 6
    """Delivery attempts before a notice is given up and NotificationFailed published."""
    retry_base: timedelta = timedelta(minutes=1)
    """First retry after this; each further retry waits twice as long."""

    def __post_init__(self) -> None:
        if any(offset <= timedelta(0) for offset in self.reminder_offsets):
            raise ValueError("reminders come before the deadline: offsets must be positive")
        if self.escalation_grace < timedelta(0) or self.reverification_grace < timedelta(0):
            raise ValueError("grace periods cannot be negative")
        if self.reverification_after <= timedelta(0):
            raise ValueError("reverification_after must be positive")
        if self.max_attempts < 1:
            raise ValueError("max_attempts is at least 1")

    def retry_delay(self, attempts: int) -> timedelta:
        """Wait before the next try after `attempts` failed ones (1, 2, 4, ... x base)."""
        return self.retry_base * int(2 ** min(max(attempts - 1, 0), 16))
