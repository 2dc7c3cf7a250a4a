"""Officials declared never to share an inspection group (StaffConflictDeclared v2)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    execute(
        "ALTER TABLE roster_staff ADD COLUMN IF NOT EXISTS conflict_staff text[] NOT NULL "
        "DEFAULT '{}'",
    )
