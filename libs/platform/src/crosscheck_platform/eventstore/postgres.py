"""PostgreSQL event store with a transactional outbox.

One SQL statement per append: it moves the stream's version (the optimistic concurrency
check — a row lock serialises writers of one stream), inserts the events and their
outbox rows. A single statement is atomic on its own and costs one round trip.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import asyncpg

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import Event
from crosscheck_contracts.catalogue import EventCatalogue
from crosscheck_contracts.envelope import Envelope
from crosscheck_contracts.topics import Topics
from crosscheck_platform.db import Connection, Database
from crosscheck_platform.eventstore.recorder import (
    CommandContext,
    ConcurrencyConflict,
    StoredEvent,
    envelopes_for,
)

SCHEMA_DDL = [
    """CREATE TABLE IF NOT EXISTS streams (
        stream_id text PRIMARY KEY,
        version integer NOT NULL CHECK (version >= 1),
        township text NOT NULL,
        county text NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS events (
        position bigserial NOT NULL UNIQUE,
        stream_id text NOT NULL,
        version integer NOT NULL,
        event_id uuid NOT NULL UNIQUE,
        event_type text NOT NULL,
        schema_version integer NOT NULL,
        township text NOT NULL,
        county text NOT NULL,
        envelope jsonb NOT NULL,
        data jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream_id, version)
    )""",
    """CREATE TABLE IF NOT EXISTS outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        key bytea NOT NULL,
        headers jsonb NOT NULL,
        value bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )""",
    # Wake the relay at commit time instead of making it poll hard.
    """CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', ''); RETURN NULL; END $$""",
    """DO $$ BEGIN
         CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
           FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
       EXCEPTION WHEN duplicate_object THEN NULL; END $$""",
]

_CREATE_STREAM = """
    INSERT INTO streams (stream_id, version, township, county)
    SELECT $1, $2, $3, $4 WHERE $11::int = 0
    ON CONFLICT (stream_id) DO NOTHING RETURNING 1"""
_MOVE_STREAM = """
    UPDATE streams SET version = $2
    WHERE stream_id = $1 AND version = $11::int
    RETURNING 1"""
_APPEND = """
WITH bump AS ({bump}),
ev AS (
    INSERT INTO events (stream_id, version, event_id, event_type, schema_version,
                        township, county, envelope, data)
    SELECT $1, u.version, u.event_id, u.event_type, u.schema_version, $3, $4,
           u.envelope::jsonb, u.data::jsonb
    FROM unnest($5::int[], $6::uuid[], $7::text[], $8::int[], $9::text[], $10::text[])
         AS u(version, event_id, event_type, schema_version, envelope, data)
    WHERE EXISTS (SELECT 1 FROM bump)
    RETURNING position, version
),
ob AS (
    INSERT INTO outbox (topic, key, headers, value)
    SELECT o.topic, convert_to($1, 'UTF8'), o.headers::jsonb, o.value
    FROM unnest($12::text[], $13::text[], $14::bytea[]) WITH ORDINALITY
         AS o(topic, headers, value, n)
    WHERE EXISTS (SELECT 1 FROM bump)
    ORDER BY o.n
)
SELECT position, version FROM ev ORDER BY version"""


class PostgresEventStore:
    def __init__(self, db: Database, catalogue: EventCatalogue, topics: Topics) -> None:
        self.db = db
        self.catalogue = catalogue
        self.topics = topics
        self._create_sql = _APPEND.format(bump=_CREATE_STREAM)
        self._move_sql = _APPEND.format(bump=_MOVE_STREAM)

    async def setup(self) -> None:
        await self.db.migrate(SCHEMA_DDL)

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        context: CommandContext,
        *,
        connection: Connection | None = None,
    ) -> list[StoredEvent]:
        if not events:
            return []
        envelopes = envelopes_for(stream_id, expected_version, events, context)
        args = self._arguments(stream_id, expected_version, events, envelopes)
        sql = self._create_sql if expected_version == 0 else self._move_sql
        if connection is not None:
            rows = await connection.fetch(sql, *args)
        else:
            async with self.db.pool.acquire() as conn:
                rows = await conn.fetch(sql, *args)
        if not rows:
            raise ConcurrencyConflict(stream_id, expected_version)
        return [
            StoredEvent(position=row["position"], envelope=envelope, event=event)
            for row, envelope, event in zip(rows, envelopes, events, strict=True)
        ]

    def _arguments(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        envelopes: Sequence[Envelope],
    ) -> list[Any]:
        datas = [event.model_dump_json() for event in events]
        headers = [
            json.dumps([[name, value.decode()] for name, value in wire.encode_headers(env)])
            for env in envelopes
        ]
        args: list[Any] = [
            stream_id,
            expected_version + len(events),
            envelopes[0].township,
            envelopes[0].county,
            [env.aggregateversion for env in envelopes],
            [env.id for env in envelopes],
            [env.type for env in envelopes],
            [env.schemaversion for env in envelopes],
            [env.model_dump_json() for env in envelopes],
            datas,
        ]
        args.append(expected_version)
        args.append([self.topics.of(event.context) for event in events])
        args.append(headers)
        args.append([data.encode() for data in datas])
        return args

    async def read(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        rows = await self.db.fetch(
            "SELECT position, envelope, data FROM events "
            "WHERE stream_id = $1 AND version > $2 ORDER BY version",
            stream_id,
            after_version,
        )
        return [self._stored(row) for row in rows]

    async def stream_version(self, stream_id: str) -> int:
        version = await self.db.fetchval(
            "SELECT version FROM streams WHERE stream_id = $1", stream_id
        )
        return int(version or 0)

    def _stored(self, row: asyncpg.Record) -> StoredEvent:
        envelope = Envelope.model_validate_json(row["envelope"])
        event = self.catalogue.decode_json(envelope.type, envelope.schemaversion, row["data"])
        return StoredEvent(position=row["position"], envelope=envelope, event=event)
