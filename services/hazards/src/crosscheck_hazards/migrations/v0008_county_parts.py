"""The townships' parts of county campaigns (CampaignLaunched v2 with `county`): a
visiting team's inspection is recorded in the township its places belong to."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS county_parts (
            campaign_id text PRIMARY KEY,
            township text NOT NULL,
            county text NOT NULL,
            county_campaign_id text NOT NULL
        )""",
    )
