"""The history of a hazard or an inspection: every recorded step in order, who did it,
when, what it changed and the evidence it cites (read from the aggregate's stream)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from crosscheck_contracts.base import Event
from crosscheck_platform.eventstore import StoredEvent
from crosscheck_platform.i18n import Language, register, translate

register(
    {
        "step.InspectionCompleted": ("完成检查", "Inspection recorded"),
        "step.HazardFound": ("发现隐患", "Hazard found"),
        "step.HazardNotified": ("当场告知", "Told on the spot"),
        "step.RectificationAssigned": ("限期整改", "Rectification assigned"),
        "step.RectificationReported": ("报告整改完成", "Fix reported"),
        "step.RectificationVerified": ("现场复核通过，销号", "Verified on site, closed"),
        "step.RectificationRejected": ("现场复核未通过", "Re-check failed"),
        "step.DeadlineExtended": ("延期整改", "Deadline extended"),
        "step.HazardEscalated": ("提级督办", "Escalated"),
        "step.NoticeIssued": ("签发整改通知书", "Rectification notice issued"),
    }
)

# The payload field that says when the step happened (the envelope's time says when it
# was recorded, which for an inspection entered later differs).
_WHEN = (
    "inspected_at",
    "found_at",
    "notified_at",
    "assigned_at",
    "extended_at",
    "reported_at",
    "verified_at",
    "rejected_at",
    "escalated_at",
    "issued_at",
)
_NOT_A_CHANGE = {"actor", "evidence_ids"}


class StepActor(BaseModel):
    staff_id: str | None = Field(description="their staff record; null for other accounts")
    name: str
    role: str = Field(description="their role as their sign-in token said")


class StepEvidence(BaseModel):
    evidence_id: str
    url: str = Field(description="where the caller downloads it (same access rules)")


class HistoryStep(BaseModel):
    version: int = Field(description="the step's position in the stream, from 1")
    step: str = Field(description="the event type, e.g. RectificationReported")
    label: str = Field(description="the step in words, in the caller's language")
    at: datetime = Field(description="when the step happened")
    recorded_at: datetime = Field(description="when it was recorded")
    actor: StepActor | None = Field(
        description="who did it; null for a deadline worker or a step recorded before v2"
    )
    changes: dict[str, Any] = Field(description="what the step set (the event's fields)")
    evidence: list[StepEvidence]


class History(BaseModel):
    id: str
    steps: list[HistoryStep]


def history(stream_id: str, stored: list[StoredEvent], lang: Language) -> History:
    return History(id=stream_id, steps=[_step(s, lang) for s in stored])


def _step(stored: StoredEvent, lang: Language) -> HistoryStep:
    event: Event = stored.event
    name = type(event).__name__
    data = event.model_dump(mode="json")
    aggregate_field = event.aggregate_field
    when = next((getattr(event, f) for f in _WHEN if data.get(f)), stored.envelope.time)
    actor = data.get("actor")
    return HistoryStep(
        version=stored.version,
        step=name,
        label=translate(f"step.{name}", lang),
        at=when,
        recorded_at=stored.envelope.time,
        actor=StepActor(**actor) if actor else None,
        changes={k: v for k, v in data.items() if k not in _NOT_A_CHANGE and k != aggregate_field},
        evidence=[
            StepEvidence(evidence_id=e, url=f"/v1/evidence/{e}")
            for e in data.get("evidence_ids", [])
        ],
    )
