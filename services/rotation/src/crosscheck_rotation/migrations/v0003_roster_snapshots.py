"""The rosters decisions were made from, by content version, so that a draw or a plan
can be replayed from the very roster it read (GroupsFormed and the round events record
the version)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS roster_snapshots (
            township text NOT NULL,
            version text NOT NULL,
            facts jsonb NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (township, version)
        )""",
    )
