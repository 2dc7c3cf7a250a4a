"""Idempotency keys: a retried command gets its first answer back and changes nothing.

The key is claimed at the start of the command's transaction. A concurrent retry with
the same key waits on the claim (primary key) until the first commits, then reads its
answer; if the first fails, nothing was stored and the retry runs the command itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crosscheck_platform.db import Connection
from crosscheck_platform.errors import RuleViolation


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: Any


async def claim(conn: Connection, township: str, key: str, fingerprint: str) -> StoredAnswer | None:
    """Claim `key`, or return the answer stored under it. A key reused for a different
    request (another fingerprint) is refused."""
    claimed = await conn.fetchval(
        """INSERT INTO idempotency_keys (township, key, fingerprint) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING true""",
        township,
        key,
        fingerprint,
    )
    if claimed:
        return None
    stored_answer = await stored(conn, township, key, fingerprint)
    assert stored_answer is not None  # the claim's holder committed its answer with it
    return stored_answer


async def stored(
    conn: Connection, township: str, key: str, fingerprint: str
) -> StoredAnswer | None:
    """The answer stored under `key`, if a command with it committed."""
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


async def remember(conn: Connection, township: str, key: str, status: int, body: Any) -> None:
    await conn.execute(
        "UPDATE idempotency_keys SET status = $3, body = $4 WHERE township = $1 AND key = $2",
        township,
        key,
        status,
        json.dumps(body, ensure_ascii=False),
    )
