"""What a notice says of its hazard beyond the hazards events: the place's name and
address (registry), and the notice's file number and public status link (hazards'
NoticeIssued)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS known_places (
            site_id text PRIMARY KEY,
            township text NOT NULL,
            name text NOT NULL,
            address text NOT NULL
        )""",
        # The newest notice of each hazard's inspection wins (a revoked link is
        # replaced by the one issued after it).
        """CREATE TABLE IF NOT EXISTS hazard_links (
            hazard_id text PRIMARY KEY,
            township text NOT NULL,
            file_number text NOT NULL,
            status_url text NOT NULL,
            version integer NOT NULL
        )""",
    )
