"""The notices history of a township, as its staff read it: each scheduled notice and
what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from crosscheck_platform.db import Database

# Stored states and the words the API uses for them: "delivered" also covers the
# overdue record, which nobody receives, so people read it as "sent".
STATE_NAMES = {
    "pending": "pending",
    "delivered": "sent",
    "failed": "failed",
    "cancelled": "cancelled",
}
STORED_STATES = {name: stored for stored, name in STATE_NAMES.items()}


@dataclass(frozen=True)
class NoticeFilter:
    county: str
    township: str
    hazard_id: str | None = None
    state: str | None = None
    """A stored state (see STORED_STATES)."""
    limit: int = 50
    offset: int = 0


_LIST = """
    SELECT notice_id, hazard_id, kind, recipient_role, recipient_ref, channel, state,
           due_at, next_attempt_at, settled_at, attempts, last_error, count(*) OVER () AS total
    FROM notices
    WHERE county = $1 AND township = $2
      AND ($3::text IS NULL OR hazard_id = $3)
      AND ($4::text IS NULL OR state = $4)
    ORDER BY due_at DESC, hazard_id, kind, recipient_role NULLS FIRST, notice_id
    LIMIT $5 OFFSET $6"""


async def list_notices(db: Database, where: NoticeFilter) -> dict[str, Any]:
    rows = await db.fetch(
        _LIST,
        where.county,
        where.township,
        where.hazard_id,
        where.state,
        where.limit,
        where.offset,
    )
    if rows:
        total = rows[0]["total"]
    else:  # past the last page, or nothing at all: count separately
        total = await db.fetchval(
            """SELECT count(*) FROM notices WHERE county = $1 AND township = $2
                 AND ($3::text IS NULL OR hazard_id = $3) AND ($4::text IS NULL OR state = $4)""",
            where.county,
            where.township,
            where.hazard_id,
            where.state,
        )
    return {
        "items": [_item(row) for row in rows],
        "total": total,
        "limit": where.limit,
        "offset": where.offset,
    }


def _item(row: Any) -> dict[str, Any]:
    role = row["recipient_role"]
    delivered: datetime | None = row["settled_at"] if row["state"] == "delivered" else None
    notice_id: UUID = row["notice_id"]
    return {
        "notice_id": str(notice_id),
        "hazard_id": row["hazard_id"],
        "kind": row["kind"],
        # No recipient: the overdue record itself (RectificationOverdue), nobody is told.
        "recipient": None if role is None else {"role": role, "ref": row["recipient_ref"]},
        "channel": row["channel"],
        "state": STATE_NAMES[row["state"]],
        "due_at": row["due_at"],
        "next_attempt_at": row["next_attempt_at"] if row["state"] == "pending" else None,
        "delivered_at": delivered,
        "settled_at": row["settled_at"],
        "attempts": row["attempts"],
        "last_error": row["last_error"],
    }
