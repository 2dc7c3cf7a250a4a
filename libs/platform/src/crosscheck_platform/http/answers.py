"""Answers every service gives the same way: what a command caused."""

from __future__ import annotations

from pydantic import BaseModel, Field

from crosscheck_platform.eventstore import StoredEvent


class Accepted(BaseModel):
    """A command's answer: the aggregate it changed, its new version, the events it caused."""

    id: str
    version: int | None = Field(description="the aggregate's version after the command")
    events: list[str] = Field(description="the types of the events recorded, in order")


def accepted(aggregate_id: str, stored: list[StoredEvent]) -> Accepted:
    return Accepted(
        id=aggregate_id,
        version=stored[-1].version if stored else None,
        events=[s.envelope.type.rsplit(".", 1)[-1] for s in stored],
    )
