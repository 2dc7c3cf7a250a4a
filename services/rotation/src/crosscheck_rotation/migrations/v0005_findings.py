"""What the campaigns' rounds found (from the hazards and notify topics), so that the
next round's plan can weigh the zones by it (risk-aware rounds)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS findings (
            hazard_id text PRIMARY KEY,
            township text NOT NULL,
            campaign_id text NOT NULL,
            round_no integer NOT NULL,
            site_id text NOT NULL,
            major boolean NOT NULL,
            closed boolean NOT NULL DEFAULT false,
            overdue boolean NOT NULL DEFAULT false
        )""",
        "CREATE INDEX IF NOT EXISTS findings_campaign ON findings (campaign_id)",
    )
