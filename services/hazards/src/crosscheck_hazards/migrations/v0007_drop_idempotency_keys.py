"""`idempotency_keys` goes, superseded by the platform's `command_outcomes` (step 0004
copied its rows; the replicas of the version before kept writing it while they ran).

Rows those replicas wrote after step 0004 are copied first, as that step did: the key,
its request's fingerprint and the answer, whose HTTP status the edge now decides. A row
without an answer (`body` NULL) was a key claimed by a command that never committed
(the first versions claimed it and wrote the answer in the command's transaction): it
holds no answer to give back, and a retry runs the command again, as it does for a key
never stored, so it is not copied.

Contract step: roll it out only after a release with step 0004 has replaced every
replica that wrote `idempotency_keys` (a replica of before 0004 fails its keyed commands
once the table is gone)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    execute(
        """DO $$ BEGIN
            IF to_regclass('idempotency_keys') IS NOT NULL THEN
                INSERT INTO command_outcomes (township, key, fingerprint, outcome, created_at)
                SELECT township, key, fingerprint, body, created_at FROM idempotency_keys
                WHERE body IS NOT NULL
                ON CONFLICT (township, key) DO NOTHING;
                DROP TABLE idempotency_keys;
            END IF;
        END $$""",
    )
