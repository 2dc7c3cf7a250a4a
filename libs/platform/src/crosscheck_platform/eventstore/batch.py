"""Appending to many streams in one transaction and four statements, whatever their number,
or in one statement together with the service's own rows.

A spreadsheet import registers hundreds of places at once; one round trip per place
would make the network, not the database, the limit.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from crosscheck_contracts.base import Event
from crosscheck_platform.db import checked_identifier


@dataclass(frozen=True)
class StreamAppend:
    """New events for one stream, which must still be at `expected_version`."""

    stream_id: str
    expected_version: int
    events: Sequence[Event]


CREATE_STREAMS = """
    INSERT INTO streams (stream_id, version, township, county)
    SELECT s.id, s.version, $3, $4 FROM unnest($1::text[], $2::int[]) AS s(id, version)
    ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id"""

MOVE_STREAMS = """
    UPDATE streams SET version = s.version
    FROM unnest($1::text[], $2::int[], $3::int[]) AS s(id, version, expected)
    WHERE streams.stream_id = s.id AND streams.version = s.expected
    RETURNING streams.stream_id"""

INSERT_EVENTS = """
    INSERT INTO events (stream_id, version, event_id, event_type, schema_version, data,
                        source, occurred_at, township, county, correlation_id, causation_id)
    SELECT u.stream_id, u.version, u.event_id, u.event_type, u.schema_version, u.data::json,
           u.source, u.occurred_at, $9, $10, $11, $12
    FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::int[], $6::text[],
                $7::text[], $8::timestamptz[]) WITH ORDINALITY
         AS u(stream_id, version, event_id, event_type, schema_version, data, source,
              occurred_at, n)
    ORDER BY u.n
    RETURNING position, event_id"""

INSERT_OUTBOX = """
    INSERT INTO outbox (topic, key, headers, value)
    SELECT o.topic, convert_to(o.stream_id, 'UTF8'), o.headers, o.value
    FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[]) WITH ORDINALITY
         AS o(topic, stream_id, headers, value, n)
    ORDER BY o.n"""


def check_distinct(appends: Sequence[StreamAppend]) -> None:
    seen: set[str] = set()
    for item in appends:
        if item.stream_id in seen:
            raise ValueError(f"stream {item.stream_id!r} appears twice in one batch")
        seen.add(item.stream_id)


@dataclass(frozen=True)
class TableRows:
    """Rows of a service's own table (an index, details kept beside the events), to be
    written by the same statement as an append and only if the append succeeds.

    `types` are the PostgreSQL types of `columns`; `on_conflict` is appended verbatim
    (for an upsert). Names are checked as plain identifiers.
    """

    table: str
    columns: Sequence[str]
    types: Sequence[str]
    rows: Sequence[Sequence[object]]
    on_conflict: str = ""


# One statement for the appends to every stream, their outbox rows and the service's
# own rows: a single statement is atomic without BEGIN and COMMIT, so a command's write
# is one round trip. Tenant and causality are per stream ($4, $5) and per event ($6, $7,
# $19, $20) so that several commands' writes can share the statement (GroupCommit).
# The streams are locked and checked first ($1 ids, $2 new versions, $3 expected
# versions); if any is not where the caller expected, `bad` names it and nothing at all
# is written. Two creators of one new stream both pass the check, and the
# second's insert into `streams` fails on the key: the statement fails as a whole.
ATOMIC_WRITE = """
WITH s AS (
    SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[])
        AS s(id, version, expected, township, county)
),
cur AS (
    -- = ANY rather than a join: a plan made while `streams` was small still uses the key.
    SELECT stream_id, version FROM streams WHERE stream_id = ANY($1::text[])
    FOR UPDATE
),
bad AS (
    SELECT s.id FROM s LEFT JOIN cur ON cur.stream_id = s.id
    WHERE coalesce(cur.version, 0) <> s.expected
),
created AS (
    INSERT INTO streams (stream_id, version, township, county)
    SELECT s.id, s.version, s.township, s.county FROM s
    WHERE s.expected = 0 AND NOT EXISTS (SELECT 1 FROM bad)
    RETURNING stream_id
),
moved AS (
    UPDATE streams SET version = s.version FROM s
    WHERE streams.stream_id = s.id AND s.expected > 0 AND streams.version = s.expected
      AND NOT EXISTS (SELECT 1 FROM bad)
    RETURNING streams.stream_id
),
ev AS (
    INSERT INTO events (stream_id, version, event_id, event_type, schema_version, data,
                        source, occurred_at, township, county, correlation_id, causation_id)
    SELECT u.stream_id, u.version, u.event_id, u.event_type, u.schema_version, u.data::json,
           u.source, u.occurred_at, u.township, u.county, u.correlation_id, u.causation_id
    FROM unnest($8::text[], $9::int[], $10::uuid[], $11::text[], $12::int[], $13::text[],
                $14::text[], $15::timestamptz[], $6::text[], $7::text[], $19::uuid[],
                $20::uuid[]) WITH ORDINALITY
         AS u(stream_id, version, event_id, event_type, schema_version, data, source,
              occurred_at, township, county, correlation_id, causation_id, n)
    WHERE NOT EXISTS (SELECT 1 FROM bad)
    ORDER BY u.n
    RETURNING position, event_id
),
ob AS (
    INSERT INTO outbox (topic, key, headers, value)
    SELECT o.topic, convert_to(o.stream_id, 'UTF8'), o.headers, o.value
    FROM unnest($16::text[], $8::text[], $17::bytea[], $18::bytea[]) WITH ORDINALITY
         AS o(topic, stream_id, headers, value, n)
    WHERE NOT EXISTS (SELECT 1 FROM bad)
    ORDER BY o.n
){rows}
SELECT NULL::bigint AS position, NULL::uuid AS event_id, id AS conflict FROM bad
UNION ALL
SELECT position, event_id, NULL FROM ev"""

ATOMIC_WRITE_PARAMETERS = 20


def atomic_write_sql(writes: Sequence[TableRows]) -> str:
    """ATOMIC_WRITE with a CTE for each of `writes`, its columns as array parameters
    after the append's own."""
    return _atomic_write_sql(
        tuple((w.table, tuple(w.columns), tuple(w.types), w.on_conflict) for w in writes)
    )


# Commands write the same few shapes of rows over and over.
@functools.lru_cache(maxsize=256)
def _atomic_write_sql(shapes: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...]) -> str:
    parts = []
    n = ATOMIC_WRITE_PARAMETERS + 1
    for i, (table, columns, types, on_conflict) in enumerate(shapes):
        names = ", ".join(checked_identifier(c) for c in columns)
        arrays = []
        for kind in types:
            if not _TYPE.match(kind):
                raise ValueError(f"not a plain SQL type: {kind!r}")
            arrays.append(f"${n}::{kind}[]")
            n += 1
        parts.append(
            f""",
r{i} AS (
    INSERT INTO {checked_identifier(table)} ({names})
    SELECT * FROM unnest({", ".join(arrays)}) WHERE NOT EXISTS (SELECT 1 FROM bad)
    {on_conflict}
)"""
        )
    return ATOMIC_WRITE.replace("{rows}", "".join(parts))


_TYPE = re.compile(r"^[a-z][a-z0-9_ ]*$")
