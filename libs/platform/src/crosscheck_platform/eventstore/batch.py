"""Appending to many streams in one transaction and four statements, whatever their number.

A spreadsheet import registers hundreds of places at once; one round trip per place
would make the network, not the database, the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crosscheck_contracts.base import Event


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
