"""Who found, assigned and reported each hazard, and the measures the fix report
describes (整改措施): columns appended to the hazard table, as its spec lists them."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    execute(
        """ALTER TABLE lg_hazards
            ADD COLUMN IF NOT EXISTS found_by_v integer,
            ADD COLUMN IF NOT EXISTS found_by_name text,
            ADD COLUMN IF NOT EXISTS assigned_by_v integer,
            ADD COLUMN IF NOT EXISTS assigned_by_name text,
            ADD COLUMN IF NOT EXISTS report_detail_v integer,
            ADD COLUMN IF NOT EXISTS reported_by_name text,
            ADD COLUMN IF NOT EXISTS measures text""",
    )
