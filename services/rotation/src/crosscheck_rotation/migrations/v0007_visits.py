"""The campaigns' inspections (InspectionCompleted from the hazards topic): the presence
flags of each visit and the groups' find rates weigh the zones of the next round."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS visits (
            inspection_id text PRIMARY KEY,
            township text NOT NULL,
            campaign_id text NOT NULL,
            round_no integer NOT NULL,
            site_id text NOT NULL,
            group_id text NOT NULL,
            inspected_at timestamptz NOT NULL,
            hazards integer NOT NULL,
            flags text[] NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX IF NOT EXISTS visits_campaign ON visits (campaign_id)",
    )
