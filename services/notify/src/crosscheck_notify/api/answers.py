"""What the notify service answers, as the OpenAPI documents show them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from crosscheck_contracts.events.notify import Channel, NoticeKind, RecipientRole


class ContactAnswer(BaseModel):
    """Whom the workers reach for a role and reference in a township, and how."""

    township: str
    role: RecipientRole
    ref: str
    channel: Channel
    address: str = Field(description="webhook URL, e-mail address or mobile number")
    language: Literal["zh", "en"]
    updated_at: datetime


class Contacts(BaseModel):
    items: list[ContactAnswer]


class Recipient(BaseModel):
    role: RecipientRole
    ref: str | None


class Notice(BaseModel):
    """A scheduled notice and what became of it."""

    notice_id: str
    hazard_id: str
    kind: NoticeKind
    recipient: Recipient | None = Field(
        description="null for the overdue record itself, which nobody receives"
    )
    channel: Channel | None = Field(description="the channel of the last attempt")
    state: Literal["pending", "sent", "failed", "cancelled"]
    due_at: datetime
    next_attempt_at: datetime | None = Field(description="while pending")
    delivered_at: datetime | None
    settled_at: datetime | None
    attempts: int
    last_error: str | None


class NoticePage(BaseModel):
    items: list[Notice]
    total: int
    limit: int
    offset: int
