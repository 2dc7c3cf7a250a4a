"""Officials an official declared they must not share an inspection group with
(StaffConflictDeclared v2), beside the villages and places they stay out of."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute(
        "ALTER TABLE staff ADD COLUMN IF NOT EXISTS conflict_staff_ids text[] NOT NULL "
        "DEFAULT '{}'",
    )
