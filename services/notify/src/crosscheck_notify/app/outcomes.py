"""What became of one claimed notice in one worker pass."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from crosscheck_contracts.events.notify import Channel, NoticeKind, RecipientRole


@dataclass(frozen=True)
class Claimed:
    notice_id: UUID
    hazard_id: str
    township: str
    county: str
    kind: NoticeKind
    recipient: RecipientRole | None
    recipient_ref: str | None
    template: str
    params: dict[str, str]
    deadline: datetime | None
    attempts: int
    due: datetime
    """When it is to go (its next_attempt_at as claimed)."""
    claim: UUID
    """The claim (claimed_by) of the worker pass that holds it; the claim's lease (in
    notice_claims) is renewed by that worker's heartbeat, and another worker may take the
    notice over once the lease has lapsed."""


@dataclass(frozen=True)
class Outcome:
    """`state` is the notice's next state: delivered (sent, or RectificationOverdue
    recorded), failed (given up), or pending again (retry or quiet hours) at `next_at`."""

    notice: Claimed
    state: str
    attempts: int
    channel: Channel | None = None
    next_at: datetime | None = None
    error: str | None = None
    at: datetime | None = None
    """When it happened (sent, or settled at its instant), recorded maybe a little later."""
