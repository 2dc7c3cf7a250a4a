"""Notify events: what the deadline workers sent, noticed and failed to deliver."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self

from pydantic import Field, model_validator

from crosscheck_contracts.base import BoundedContext, Event
from crosscheck_contracts.fields import AwareDatetime, Id, Text


class NoticeKind(StrEnum):
    """Why a notice was sent."""

    REMINDER = "reminder"  # deadline approaching
    OVERDUE = "overdue"  # deadline passed
    ESCALATION = "escalation"  # handed up a level
    REVERIFICATION_REMINDER = "reverification_reminder"  # a reported fix awaits 现场复核


class Channel(StrEnum):
    """How a notice was delivered."""

    WEBHOOK = "webhook"
    EMAIL = "email"
    SMS = "sms"


class RecipientRole(StrEnum):
    """Who a notice was for; addresses themselves stay inside the notify service."""

    RESPONSIBLE_PERSON = "responsible_person"  # 场所负责人
    VILLAGE_COMMITTEE = "village_committee"  # 村委会
    TOWNSHIP_LEADERSHIP = "township_leadership"  # 乡党政领导
    INSPECTING_GROUP = "inspecting_group"  # 检查组


class _NotifyEvent(Event):
    context: ClassVar[BoundedContext] = BoundedContext.NOTIFY
    # Keyed by hazard so that all notices about one hazard stay in order.
    aggregate_field: ClassVar[str] = "hazard_id"


class ReminderSent(_NotifyEvent):
    """A notice about a hazard's deadline was delivered (督办提醒)."""

    event_type: ClassVar[str] = "crosscheck.notify.ReminderSent"

    notice_id: Id
    """Unique per notice; one notice is sent at most once."""
    hazard_id: Id
    kind: NoticeKind
    channel: Channel
    recipient_role: RecipientRole
    sent_at: AwareDatetime


class RectificationOverdue(_NotifyEvent):
    """A hazard's deadline passed without a verified fix (逾期未整改)."""

    event_type: ClassVar[str] = "crosscheck.notify.RectificationOverdue"

    hazard_id: Id
    deadline: AwareDatetime
    overdue_at: AwareDatetime
    """When the worker noticed; at or after the deadline."""

    @model_validator(mode="after")
    def _after_deadline(self) -> Self:
        if self.overdue_at < self.deadline:
            raise ValueError("overdue_at is before the deadline")
        return self


class NotificationFailed(_NotifyEvent):
    """A notice could not be delivered after all attempts; someone must follow up by hand."""

    event_type: ClassVar[str] = "crosscheck.notify.NotificationFailed"

    notice_id: Id
    hazard_id: Id
    kind: NoticeKind
    channel: Channel
    recipient_role: RecipientRole
    reason: Text
    attempts: int = Field(ge=1, le=1000)


EVENTS: tuple[type[Event], ...] = (ReminderSent, RectificationOverdue, NotificationFailed)
