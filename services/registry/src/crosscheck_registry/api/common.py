"""What the registry's routers share: paging parameters and command answers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from crosscheck_platform.eventstore import StoredEvent
from crosscheck_platform.http.params import Offset
from crosscheck_registry.adapters.queries import Page


def paging(
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> Page:
    return Page(limit, offset)


def accepted(aggregate_id: str, stored: list[StoredEvent]) -> dict[str, Any]:
    """A command's answer: the aggregate, its new version, the events it caused."""
    return {
        "id": aggregate_id,
        "version": stored[-1].version if stored else None,
        "events": [s.envelope.type.rsplit(".", 1)[-1] for s in stored],
    }
