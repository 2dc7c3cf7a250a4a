"""Idempotency keys in every service's schema: what a command answered, written by the
same statement as its events (`EventStore.commit`), so a retry gets it back."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    execute(
        # `outcome` is the command's result as JSON text, stored and returned whole.
        """CREATE TABLE IF NOT EXISTS command_outcomes (
            township text NOT NULL,
            key text NOT NULL,
            fingerprint text NOT NULL,
            outcome text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (township, key)
        )""",
    )
