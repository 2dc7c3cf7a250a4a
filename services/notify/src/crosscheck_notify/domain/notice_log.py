"""What notify told about one hazard: the notify events of a hazard's notices, one
stream per hazard (its id), so that all notices about a hazard keep their order."""

from __future__ import annotations

from crosscheck_contracts.base import Event
from crosscheck_contracts.events.notify import (
    NotificationFailed,
    RectificationOverdue,
    ReminderSent,
)
from crosscheck_platform.eventstore import Aggregate

NoticeEvent = ReminderSent | NotificationFailed | RectificationOverdue


class NoticeLog(Aggregate):
    """Appends only: what a notice became is decided by the worker's pass (sent, failed,
    overdue), not by earlier entries, so the log keeps no state beyond its version."""

    @classmethod
    def at(cls, hazard_id: str, version: int) -> NoticeLog:
        """The log as its stream stands, read under the stream's lock."""
        log = cls(hazard_id)
        log.version = version
        return log

    def apply(self, event: Event) -> None:
        if not isinstance(event, NoticeEvent):
            raise TypeError(f"not a notice event: {type(event).__name__}")

    def record(self, event: NoticeEvent) -> None:
        self._emit(event)
