"""What issuing a notice records beside the events: its file number in the township's
yearly sequence, and the random token of its public status page."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from crosscheck_platform.clock import CHINA_STANDARD_TIME
from crosscheck_platform.db import Database
from crosscheck_platform.eventstore import TableRows


@dataclass(frozen=True)
class FileNumber:
    year: int
    number: int


async def file_number(db: Database, township: str, inspection_id: str, now: datetime) -> FileNumber:
    """The notice's number, given once, when the notice is first issued: the next of the
    township's numbers of the year (the lock makes concurrent first issues take turns)."""
    async with db.transaction() as conn:
        row = await conn.fetchrow(
            "SELECT year, number FROM notice_numbers WHERE inspection_id = $1", inspection_id
        )
        if row is None:
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('notice_numbers/' || $1))", township
            )
            year = now.astimezone(CHINA_STANDARD_TIME).year
            row = await conn.fetchrow(
                """INSERT INTO notice_numbers
                   SELECT $1, $2, $3, coalesce(max(number), 0) + 1, $4
                   FROM notice_numbers WHERE township = $2 AND year = $3
                   ON CONFLICT (inspection_id) DO UPDATE SET year = notice_numbers.year
                   RETURNING year, number""",
                inspection_id,
                township,
                year,
                now,
            )
    assert row is not None
    return FileNumber(row["year"], row["number"])


def new_token() -> str:
    """192 random bits: a link nobody guesses."""
    return secrets.token_urlsafe(24)


async def token_of(db: Database, inspection_id: str) -> str | None:
    """The token of the notice's live status link, if one is."""
    token = await db.fetchval(
        "SELECT token FROM notice_links WHERE inspection_id = $1 AND revoked_at IS NULL",
        inspection_id,
    )
    return None if token is None else str(token)


def link_rows(token: str, inspection_id: str, township: str, now: datetime) -> TableRows:
    """The link, written with the NoticeIssued that publishes it."""
    return TableRows(
        "notice_links",
        ("token", "inspection_id", "township", "created_at"),
        ("text", "text", "text", "timestamptz"),
        [(token, inspection_id, township, now)],
    )


async def revoke(db: Database, township: str, inspection_id: str, now: datetime) -> bool:
    revoked = await db.fetchval(
        """UPDATE notice_links SET revoked_at = $3
           WHERE township = $1 AND inspection_id = $2 AND revoked_at IS NULL RETURNING true""",
        township,
        inspection_id,
        now,
    )
    return bool(revoked)


async def linked(db: Database, token: str) -> tuple[str, str] | None:
    """(township, inspection id) of a live token."""
    rows = await db.fetch(
        "SELECT township, inspection_id FROM notice_links WHERE token = $1 AND revoked_at IS NULL",
        token,
    )
    return (rows[0]["township"], rows[0]["inspection_id"]) if rows else None
