"""The townships' names (TownshipRegistered), so that a county campaign names the
townships taking part."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS roster_townships (
            township text PRIMARY KEY,
            county text NOT NULL,
            name text NOT NULL,
            county_name text NOT NULL
        )""",
    )
