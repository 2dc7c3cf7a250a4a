"""Claims with leases renewed by a heartbeat, in place of a lease per notice."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute(
        # The claim (a worker's pass) holding a notice it claimed (and prepared) ahead of
        # its due time. (The `claimed_until` column of the step before is no longer
        # written; it goes in a later step, once no replica of that version runs.)
        "ALTER TABLE notices ADD COLUMN IF NOT EXISTS claimed_by uuid",
        # Each claim's lease, renewed by its worker's heartbeat: one row per claim, so a
        # heartbeat writes a few rows, never the thousands of notices they hold. A
        # notice whose claim is gone or expired is free to claim.
        """CREATE TABLE IF NOT EXISTS notice_claims (
            claim_id uuid PRIMARY KEY,
            expires_at timestamptz NOT NULL
        )""",
    )
