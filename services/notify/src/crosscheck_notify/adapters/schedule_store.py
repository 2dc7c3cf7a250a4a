"""Keeping the stored schedule equal to the planned one, inside the consumer's transaction.

For each relevant hazards event: remember it, fold the hazard's events, plan, and
reconcile: planned notices not yet stored are added (or revived if cancelled), stored
pending ones no longer planned are cancelled. A notice a worker is delivering right now
is row-locked: the cancel waits for the worker and then leaves a delivered notice alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_notify.domain.history import RELEVANT, Recorded, fold
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_notify.domain.schedule import PlannedNotice, plan
from crosscheck_platform.consumer import ReceivedEvent
from crosscheck_platform.db import Connection

_REMEMBER = """
    INSERT INTO hazard_events (hazard_id, version, event_id, correlation_id, occurred_at,
                               event_type, schema_version, data, township, county)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (hazard_id, version) DO NOTHING"""

_HISTORY = """
    SELECT version, event_id, correlation_id, occurred_at, event_type, schema_version, data,
           township
    FROM hazard_events WHERE hazard_id = $1"""

_CANCEL = """
    UPDATE notices SET state = 'cancelled', settled_at = now()
    WHERE hazard_id = $1 AND state = 'pending' AND NOT (notice_id = ANY($2::uuid[]))"""

_UPSERT = """
    INSERT INTO notices (notice_id, hazard_id, township, county, kind, recipient_role,
                         recipient_ref, template, params, deadline, due_at, next_attempt_at,
                         cause_event_id, correlation_id)
    SELECT n.id, $1, $2, $3, n.kind, n.role, n.ref, n.template, n.params::jsonb, n.deadline,
           n.due, n.due, n.cause, n.correlation
    FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                $10::timestamptz[], $11::timestamptz[], $12::uuid[], $13::uuid[])
         AS n(id, kind, role, ref, template, params, deadline, due, cause, correlation)
    ON CONFLICT (notice_id) DO UPDATE SET
        recipient_ref = EXCLUDED.recipient_ref,
        params = EXCLUDED.params,
        next_attempt_at = CASE WHEN notices.state = 'cancelled' THEN EXCLUDED.next_attempt_at
                               ELSE notices.next_attempt_at END,
        -- A revived notice is free to claim again, whoever had leased it before.
        claimed_by = CASE WHEN notices.state = 'cancelled' THEN NULL
                          ELSE notices.claimed_by END,
        state = 'pending',
        settled_at = NULL
    WHERE notices.state IN ('pending', 'cancelled')"""


class ScheduleStore:
    def __init__(self, policy: NotifyPolicy, catalogue: EventCatalogue) -> None:
        self.policy = policy
        self.catalogue = catalogue

    async def apply(self, conn: Connection, received: ReceivedEvent) -> None:
        """The consumer's handler: idempotent, and order-independent per hazard."""
        if not isinstance(received.event, RELEVANT):
            return
        env = received.envelope
        await conn.execute(
            _REMEMBER,
            env.aggregateid,
            env.aggregateversion,
            env.id,
            env.correlationid,
            env.time,
            env.type,
            type(received.event).schema_version,
            received.event.model_dump_json(),
            env.township,
            env.county,
        )
        await self.replan(conn, env.aggregateid, env.county)

    async def replan(self, conn: Connection, hazard_id: str, county: str) -> list[PlannedNotice]:
        rows = await conn.fetch(_HISTORY, hazard_id)
        records = [
            Recorded(
                version=row["version"],
                event_id=row["event_id"],
                correlation_id=row["correlation_id"],
                occurred_at=row["occurred_at"],
                event=self.catalogue.decode_json(
                    row["event_type"], row["schema_version"], row["data"]
                ),
            )
            for row in rows
        ]
        township = rows[0]["township"]
        planned = plan(fold(hazard_id, township, records), self.policy)
        await conn.execute(_CANCEL, hazard_id, [n.notice_id for n in planned])
        await store_planned(conn, hazard_id, township, county, planned)
        return planned


async def store_planned(
    conn: Connection,
    hazard_id: str,
    township: str,
    county: str,
    planned: Sequence[PlannedNotice],
) -> None:
    if not planned:
        return
    await conn.execute(
        _UPSERT,
        hazard_id,
        township,
        county,
        [n.notice_id for n in planned],
        [n.kind.value for n in planned],
        [n.recipient.value if n.recipient else None for n in planned],
        [n.recipient_ref for n in planned],
        [n.template for n in planned],
        [json.dumps(n.params, ensure_ascii=False) for n in planned],
        [n.deadline for n in planned],
        [n.due_at for n in planned],
        [n.cause_event_id for n in planned],
        [n.correlation_id for n in planned],
    )
