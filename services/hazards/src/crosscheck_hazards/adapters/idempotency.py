"""Idempotency keys: a retried command gets its first answer back and changes nothing.

The key, its request's fingerprint and the answer are written by the same statement as
the command's events. A concurrent retry with the same key waits on that row's key
until the first commits, then fails on it and reads the first's answer; if the first
fails, nothing was stored and the retry runs the command itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crosscheck_platform.db import Connection
from crosscheck_platform.errors import RuleViolation
from crosscheck_platform.eventstore import TableRows


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: Any


def key_rows(township: str, key: str, fingerprint: str, status: int, body: Any) -> TableRows:
    return TableRows(
        "idempotency_keys",
        ("township", "key", "fingerprint", "status", "body"),
        ("text", "text", "text", "int", "text"),
        [(township, key, fingerprint, status, json.dumps(body, ensure_ascii=False))],
    )


async def stored(
    conn: Connection, township: str, key: str, fingerprint: str
) -> StoredAnswer | None:
    """The answer stored under `key`, if a command with it committed. A key reused for a
    different request (another fingerprint) is refused."""
    row = await conn.fetchrow(
        "SELECT fingerprint, status, body FROM idempotency_keys WHERE township = $1 AND key = $2",
        township,
        key,
    )
    if row is None:
        return None
    if row["fingerprint"] != fingerprint:
        raise RuleViolation("idempotency.key_reused")
    return StoredAnswer(status=row["status"], body=json.loads(row["body"]))
