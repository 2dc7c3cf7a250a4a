"""Idempotency keys move to the platform's `command_outcomes` (every service's command
path records them there): the results kept so far come along, without the HTTP status
the old table held, which the edge decides. `idempotency_keys` stays for the replicas of
the version before while they run (expand only); a later release drops it."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    execute(
        """INSERT INTO command_outcomes (township, key, fingerprint, outcome, created_at)
           SELECT township, key, fingerprint, body, created_at FROM idempotency_keys
           WHERE body IS NOT NULL
           ON CONFLICT (township, key) DO NOTHING""",
    )
