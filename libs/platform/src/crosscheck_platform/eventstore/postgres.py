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
from crosscheck_platform.eventstore import batch
from crosscheck_platform.eventstore.batch import StreamAppend, TableRows
from crosscheck_platform.eventstore.group import GroupCommit
from crosscheck_platform.eventstore.recorder import (
    AtomicWrite,
    CommandContext,
    ConcurrencyConflict,
    RecordedOutcome,
    StoredEvent,
    envelopes_for,
)

_CREATE_STREAM = """
    INSERT INTO streams (stream_id, version, township, county)
    SELECT $1, $2, $3, $4 WHERE $10::int = 0
    ON CONFLICT (stream_id) DO NOTHING RETURNING 1"""
_MOVE_STREAM = """
    UPDATE streams SET version = $2
    WHERE stream_id = $1 AND version = $10::int
    RETURNING 1"""
# $1 stream, $2 its new version, $3/$4 tenant, $5.. per-event arrays, $10 expected version,
# $11.. per-outbox-row arrays, $16/$17 correlation and causation of the command.
_APPEND = """
WITH bump AS ({bump}),
ev AS (
    INSERT INTO events (stream_id, version, event_id, event_type, schema_version, data,
                        source, occurred_at, township, county, correlation_id, causation_id)
    SELECT $1, u.version, u.event_id, u.event_type, u.schema_version, u.data::json,
           u.source, u.occurred_at, $3, $4, $16, $17
    FROM unnest($5::int[], $6::uuid[], $7::text[], $8::int[], $9::text[], $14::text[],
                $15::timestamptz[])
         AS u(version, event_id, event_type, schema_version, data, source, occurred_at)
    WHERE EXISTS (SELECT 1 FROM bump)
    RETURNING position, version
),
ob AS (
    INSERT INTO outbox (topic, key, headers, value)
    SELECT o.topic, convert_to($1, 'UTF8'), o.headers, o.value
    FROM unnest($11::text[], $12::bytea[], $13::bytea[]) WITH ORDINALITY
         AS o(topic, headers, value, n)
    WHERE EXISTS (SELECT 1 FROM bump)
    ORDER BY o.n
)
SELECT position, version FROM ev ORDER BY version"""

_READ = """
    SELECT position, stream_id, version, event_id, event_type, schema_version, data, source,
           occurred_at, township, county, correlation_id, causation_id
    FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version"""


class PostgresEventStore:
    def __init__(
        self,
        db: Database,
        catalogue: EventCatalogue,
        topics: Topics,
        *,
        max_group: int = 64,
    ) -> None:
        """`max_group`: how many concurrent commits may share one statement (1: none)."""
        self.db = db
        self.catalogue = catalogue
        self.topics = topics
        self._create_sql = _APPEND.format(bump=_CREATE_STREAM)
        self._move_sql = _APPEND.format(bump=_MOVE_STREAM)
        self.group = GroupCommit(self, max_group=max_group, connect=lambda: db.pool.acquire())

    async def commit(
        self, write: AtomicWrite, *, connection: Connection | None = None
    ) -> list[StoredEvent]:
        """One command's write in one statement; without `connection`, concurrent
        commits share statements (GroupCommit)."""
        if connection is not None:
            (stored,) = await self.write_atomically([write], connection=connection)
            return stored
        return await self.group.commit(write)

    async def recorded(self, township: str, key: str) -> RecordedOutcome | None:
        rows = await self.db.fetch(
            "SELECT fingerprint, outcome FROM command_outcomes WHERE township = $1 AND key = $2",
            township,
            key,
        )
        return RecordedOutcome(key, rows[0]["fingerprint"], rows[0]["outcome"]) if rows else None

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
        args = self._arguments(stream_id, expected_version, events, envelopes, context.traceparent)
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
        traceparent: str | None,
    ) -> list[Any]:
        datas = [event.model_dump_json() for event in events]
        first = envelopes[0]
        return [
            stream_id,
            expected_version + len(events),
            first.township,
            first.county,
            [env.aggregateversion for env in envelopes],
            [env.id for env in envelopes],
            [env.type for env in envelopes],
            [env.schemaversion for env in envelopes],
            datas,
            expected_version,
            [self.topics.of(event.context) for event in events],
            [outbox_headers(env, traceparent) for env in envelopes],
            [data.encode() for data in datas],
            [env.source for env in envelopes],
            [env.time for env in envelopes],
            first.correlationid,
            first.causationid,
        ]

    async def append_many(
        self,
        appends: Sequence[StreamAppend],
        context: CommandContext,
        *,
        connection: Connection | None = None,
    ) -> list[StoredEvent]:
        """Append to several streams atomically; ConcurrencyConflict names the first stream
        that was not at its expected version, and nothing of the batch is written."""
        appends = [a for a in appends if a.events]
        if not appends:
            return []
        batch.check_distinct(appends)
        if connection is not None:
            async with connection.transaction():  # a savepoint inside the caller's
                return await self._append_many(connection, appends, context)
        async with self.db.transaction() as conn:
            return await self._append_many(conn, appends, context)

    async def _append_many(
        self, conn: Connection, appends: Sequence[StreamAppend], context: CommandContext
    ) -> list[StoredEvent]:
        tenant = context.tenant
        new = [a for a in appends if a.expected_version == 0]
        old = [a for a in appends if a.expected_version > 0]
        moved: set[str] = set()
        if new:
            rows = await conn.fetch(
                batch.CREATE_STREAMS,
                [a.stream_id for a in new],
                [len(a.events) for a in new],
                tenant.township,
                tenant.county,
            )
            moved.update(r["stream_id"] for r in rows)
        if old:
            rows = await conn.fetch(
                batch.MOVE_STREAMS,
                [a.stream_id for a in old],
                [a.expected_version + len(a.events) for a in old],
                [a.expected_version for a in old],
            )
            moved.update(r["stream_id"] for r in rows)
        for item in appends:
            if item.stream_id not in moved:
                raise ConcurrencyConflict(item.stream_id, item.expected_version)
        pairs = _enveloped(appends, context)
        datas = [event.model_dump_json() for _, event in pairs]
        rows = await conn.fetch(
            batch.INSERT_EVENTS,
            *_event_columns(pairs, datas),
            tenant.township,
            tenant.county,
            context.correlation_id,
            context.causation_id,
        )
        await conn.execute(
            batch.INSERT_OUTBOX,
            [self.topics.of(event.context) for _, event in pairs],
            [env.aggregateid for env, _ in pairs],
            [outbox_headers(env, context.traceparent) for env, _ in pairs],
            [data.encode() for data in datas],
        )
        positions = {r["event_id"]: r["position"] for r in rows}
        return [StoredEvent(positions[env.id], env, event) for env, event in pairs]

    async def append_atomically(
        self,
        appends: Sequence[StreamAppend],
        context: CommandContext,
        rows: Sequence[TableRows] = (),
    ) -> list[StoredEvent]:
        """Append to several streams and write the service's own `rows` in one statement
        (one round trip, atomic without a transaction): all of it or, on a conflict,
        nothing. A concurrent writer that slips past the version check (two creators of
        one stream, or of one key of `rows`) fails the statement on a unique key; that
        is reported as the same ConcurrencyConflict."""
        (stored,) = await self.write_atomically([AtomicWrite(appends, context, rows)])
        return stored

    async def write_atomically(
        self, writes: Sequence[AtomicWrite], *, connection: Connection | None = None
    ) -> list[list[StoredEvent]]:
        """Several commands' writes (see `append_atomically`) in one statement: all of
        them or none. A conflict anywhere fails the whole statement with the conflicting
        stream's ConcurrencyConflict; the caller decides who retries alone."""
        writes = [
            AtomicWrite([a for a in w.appends if a.events], w.context, w.rows, w.outcome)
            for w in writes
        ]
        appends = [a for w in writes for a in w.appends]
        tables = _merged_rows([r for w in writes for r in [*w.rows, *_outcome_rows(w)]])
        if not appends and not tables:
            return [[] for _ in writes]
        batch.check_distinct(appends)
        owners = [w.context.tenant for w in writes for _ in w.appends]
        pairs_per_write = [_enveloped(w.appends, w.context) for w in writes]
        pairs = [pair for write_pairs in pairs_per_write for pair in write_pairs]
        traces = [
            w.context.traceparent for w, wp in zip(writes, pairs_per_write, strict=True) for _ in wp
        ]
        datas = [event.model_dump_json() for _, event in pairs]
        args: list[Any] = [
            [a.stream_id for a in appends],
            [a.expected_version + len(a.events) for a in appends],
            [a.expected_version for a in appends],
            [t.township for t in owners],
            [t.county for t in owners],
            [env.township for env, _ in pairs],
            [env.county for env, _ in pairs],
            *_event_columns(pairs, datas),
            [self.topics.of(event.context) for _, event in pairs],
            [outbox_headers(env, trace) for (env, _), trace in zip(pairs, traces, strict=True)],
            [data.encode() for data in datas],
            [env.correlationid for env, _ in pairs],
            [env.causationid for env, _ in pairs],
        ]
        for write in tables:
            columns = list(zip(*write.rows, strict=True)) or [() for _ in write.columns]
            args += [list(c) for c in columns]
        sql = batch.atomic_write_sql(tables)
        try:
            if connection is not None:
                result = await connection.fetch(sql, *args)
            else:
                async with self.db.pool.acquire() as conn:
                    result = await conn.fetch(sql, *args)
        except asyncpg.UniqueViolationError as exc:
            first = appends[0] if appends else StreamAppend("", 0, ())
            raise ConcurrencyConflict(first.stream_id, first.expected_version) from exc
        expected = {a.stream_id: a.expected_version for a in appends}
        for row in result:
            if row["conflict"] is not None:
                raise ConcurrencyConflict(row["conflict"], expected[row["conflict"]])
        positions = {r["event_id"]: r["position"] for r in result}
        return [
            [StoredEvent(positions[env.id], env, event) for env, event in write_pairs]
            for write_pairs in pairs_per_write
        ]

    async def read(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        rows = await self.db.fetch(_READ, stream_id, after_version)
        return [self._stored(row) for row in rows]

    async def stream_version(self, stream_id: str) -> int:
        version = await self.db.fetchval(
            "SELECT version FROM streams WHERE stream_id = $1", stream_id
        )
        return int(version or 0)

    def _stored(self, row: asyncpg.Record) -> StoredEvent:
        envelope = envelope_of(row)
        event = self.catalogue.decode_json(envelope.type, envelope.schemaversion, row["data"])
        return StoredEvent(position=row["position"], envelope=envelope, event=event)


def envelope_of(row: asyncpg.Record) -> Envelope:
    """The envelope of a row of `events`, as it was written (and published)."""
    event_type, version = row["event_type"], row["schema_version"]
    return Envelope(
        id=row["event_id"],
        source=row["source"],
        type=event_type,
        time=row["occurred_at"],
        subject=row["stream_id"],
        dataschema=f"urn:crosscheck:schema:{event_type}:v{version}",
        township=row["township"],
        county=row["county"],
        aggregateid=row["stream_id"],
        aggregateversion=row["version"],
        correlationid=row["correlation_id"],
        causationid=row["causation_id"],
        schemaversion=version,
    )


TRACEPARENT_HEADER = "ce_traceparent"
"""The CloudEvents distributed tracing extension in the Kafka binary binding. Not an
Envelope attribute (the published envelope schema stays as it is): readers that do not
trace ignore it, as CloudEvents readers ignore unknown extensions."""


def outbox_headers(envelope: Envelope, traceparent: str | None) -> bytes:
    """The Kafka headers of an event, packed for its outbox row."""
    headers = wire.encode_headers(envelope)
    if traceparent is not None:
        headers.append((TRACEPARENT_HEADER, traceparent.encode()))
    return pack_headers(headers)


def pack_headers(headers: wire.Headers) -> bytes:
    """Kafka headers as one bytes value for the outbox row (JSON: [[name, text], ...])."""
    return json.dumps([[name, value.decode()] for name, value in headers]).encode()


def unpack_headers(packed: bytes) -> wire.Headers:
    return [(name, value.encode()) for name, value in json.loads(packed)]


def _enveloped(
    appends: Sequence[StreamAppend], context: CommandContext
) -> list[tuple[Envelope, Event]]:
    """Each event of `appends` beside its envelope, in append order."""
    return [
        (envelope, event)
        for item in appends
        for envelope, event in zip(
            envelopes_for(item.stream_id, item.expected_version, item.events, context),
            item.events,
            strict=True,
        )
    ]


def _outcome_rows(write: AtomicWrite) -> list[TableRows]:
    """The idempotency key's row: its primary key refuses a second write under it."""
    if write.outcome is None:
        return []
    recorded = write.outcome
    return [
        TableRows(
            "command_outcomes",
            ("township", "key", "fingerprint", "outcome"),
            ("text", "text", "text", "text"),
            [(write.context.tenant.township, recorded.key, recorded.fingerprint, recorded.outcome)],
        )
    ]


def _merged_rows(rows: Sequence[TableRows]) -> list[TableRows]:
    """Rows for the same table and columns written by one statement part, not one each."""
    merged: dict[tuple[object, ...], TableRows] = {}
    for write in rows:
        shape = (write.table, tuple(write.columns), tuple(write.types), write.on_conflict)
        earlier = merged.get(shape)
        merged[shape] = (
            write
            if earlier is None
            else TableRows(
                write.table,
                write.columns,
                write.types,
                [*earlier.rows, *write.rows],
                write.on_conflict,
            )
        )
    return list(merged.values())


def _event_columns(pairs: list[tuple[Envelope, Event]], datas: list[str]) -> list[list[Any]]:
    """The per-event arrays of the events insert, in the order its SQL names them."""
    return [
        [env.aggregateid for env, _ in pairs],
        [env.aggregateversion for env, _ in pairs],
        [env.id for env, _ in pairs],
        [env.type for env, _ in pairs],
        [env.schemaversion for env, _ in pairs],
        datas,
        [env.source for env, _ in pairs],
        [env.time for env, _ in pairs],
    ]
