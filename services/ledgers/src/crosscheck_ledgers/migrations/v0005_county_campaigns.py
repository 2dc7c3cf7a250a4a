"""County campaigns in the ledgers: a township's part of one (CampaignLaunched v2 with
`county`) records the county campaign it belongs to, so the county's figures and
ledgers can be asked for the whole county campaign (appended at the end of the table,
as the spec lists it)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    execute(
        """ALTER TABLE lg_campaigns
            ADD COLUMN IF NOT EXISTS county_v integer,
            ADD COLUMN IF NOT EXISTS county_campaign_id text""",
    )
