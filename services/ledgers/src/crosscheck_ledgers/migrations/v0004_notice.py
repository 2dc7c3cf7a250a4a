"""The rectification notice's file number on each hazard it lists (NoticeIssued)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    execute(
        """ALTER TABLE lg_hazards
            ADD COLUMN IF NOT EXISTS notice_v integer,
            ADD COLUMN IF NOT EXISTS notice_file_number text""",
    )
