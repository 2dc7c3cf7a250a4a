"""The rectification notice as a township files it: the legal basis of township items,
the inspectors' names (from the registry's staff), the file number in the township's
own yearly sequence, and the revocable link of each notice's public status page."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    execute(
        "ALTER TABLE township_items ADD COLUMN IF NOT EXISTS basis text NOT NULL DEFAULT ''",
        """CREATE TABLE IF NOT EXISTS known_staff (
            staff_id text PRIMARY KEY,
            township text NOT NULL,
            name text NOT NULL
        )""",
        # One number per inspection's notice, given when it is first issued; the
        # township's numbers run from 1 each year (维的乡互查整改〔2026〕第12号).
        """CREATE TABLE IF NOT EXISTS notice_numbers (
            inspection_id text PRIMARY KEY,
            township text NOT NULL,
            year integer NOT NULL,
            number integer NOT NULL,
            issued_at timestamptz NOT NULL,
            UNIQUE (township, year, number)
        )""",
        # The token in a notice's QR code: random, so it cannot be guessed; revoked, it
        # opens nothing, and the next print carries a new one.
        """CREATE TABLE IF NOT EXISTS notice_links (
            token text PRIMARY KEY,
            inspection_id text NOT NULL,
            township text NOT NULL,
            created_at timestamptz NOT NULL,
            revoked_at timestamptz
        )""",
        """CREATE UNIQUE INDEX IF NOT EXISTS notice_links_live
            ON notice_links (inspection_id) WHERE revoked_at IS NULL""",
    )
