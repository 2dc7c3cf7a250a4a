"""The hazard index speaks the one vocabulary of states (`HazardStatus`): `assigned`
became `rectifying`, `closed` became `verified`."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    execute(
        "UPDATE hazard_index SET state = 'rectifying' WHERE state = 'assigned'",
        "UPDATE hazard_index SET state = 'verified' WHERE state = 'closed'",
    )
