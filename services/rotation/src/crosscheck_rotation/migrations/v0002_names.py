"""Names of staff and places in the roster, so that messages name people and places,
never their ids."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute(
        "ALTER TABLE roster_staff ADD COLUMN IF NOT EXISTS name text NOT NULL DEFAULT ''",
        "ALTER TABLE roster_sites ADD COLUMN IF NOT EXISTS name text NOT NULL DEFAULT ''",
    )
