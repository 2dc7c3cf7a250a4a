"""Proof of presence in the ledgers: the flags of an inspection's evidence and of a
verification's (appended at the end of the tables, as the specs list them)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute(
        """ALTER TABLE lg_inspections
            ADD COLUMN IF NOT EXISTS presence_v integer,
            ADD COLUMN IF NOT EXISTS presence_flags text""",
        """ALTER TABLE lg_hazards
            ADD COLUMN IF NOT EXISTS verify_presence_v integer,
            ADD COLUMN IF NOT EXISTS verify_presence_flags text""",
    )
