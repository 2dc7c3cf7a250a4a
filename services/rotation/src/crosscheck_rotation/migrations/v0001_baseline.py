"""The rotation service's own tables, as it created them at start before migrations
existed. Written with IF NOT EXISTS, so a schema that already has them is adopted
unchanged."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0001"
down_revision = None


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS roster_villages (
            village_id text PRIMARY KEY,
            township text NOT NULL,
            name text NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS roster_sites (
            site_id text PRIMARY KEY,
            township text NOT NULL,
            village_id text NOT NULL,
            closed boolean NOT NULL DEFAULT false
        )""",
        "CREATE INDEX IF NOT EXISTS roster_sites_township ON roster_sites (township)",
        """CREATE TABLE IF NOT EXISTS roster_staff (
            staff_id text PRIMARY KEY,
            township text NOT NULL,
            unit text NOT NULL,
            is_leadership boolean NOT NULL,
            home_village_id text,
            active boolean NOT NULL DEFAULT true,
            conflict_villages text[] NOT NULL DEFAULT '{}',
            conflict_sites text[] NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX IF NOT EXISTS roster_staff_township ON roster_staff (township)",
    )
