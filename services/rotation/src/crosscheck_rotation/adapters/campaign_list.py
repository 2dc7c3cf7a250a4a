"""A township's campaigns, read straight from the service's own event store: the launch
of each stream and what changed its phase since (plans, closed rounds, cancellation).
No read model of its own: the events are the record, and the list is one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from crosscheck_platform.db import Connection

_TYPE = "crosscheck.rotation."
_LIST = f"""
SELECT l.stream_id, l.occurred_at,
       min(l.data->>'name') AS name,
       min((l.data->>'rounds')::int) AS rounds,
       min((l.data->>'starts_on')::date) AS starts_on,
       min((l.data->>'ends_on')::date) AS ends_on,
       coalesce(max((e.data->>'round_no')::int)
                FILTER (WHERE e.event_type = '{_TYPE}RoundClosed'), 0) AS last_closed,
       bool_or(e.event_type = '{_TYPE}RoundScheduled') AS planned,
       bool_or(e.event_type = '{_TYPE}CampaignCancelled') AS cancelled
FROM events l JOIN events e ON e.stream_id = l.stream_id
WHERE l.township = $1 AND l.event_type = '{_TYPE}CampaignLaunched'
GROUP BY l.stream_id, l.occurred_at
ORDER BY l.occurred_at DESC, l.stream_id"""


@dataclass(frozen=True)
class CampaignRow:
    campaign_id: str
    name: str
    rounds: int
    starts_on: date
    ends_on: date
    created: datetime
    last_closed: int
    planned: bool
    cancelled: bool


async def campaigns(conn: Connection, township: str) -> list[CampaignRow]:
    """The township's campaigns, newest first."""
    rows = await conn.fetch(_LIST, township)
    return [
        CampaignRow(
            campaign_id=r["stream_id"],
            name=r["name"],
            rounds=r["rounds"],
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
            created=r["occurred_at"],
            last_closed=r["last_closed"],
            planned=r["planned"],
            cancelled=r["cancelled"],
        )
        for r in rows
    ]
