"""Proof of presence: where and when each piece of evidence was taken, the places'
positions, and each township's presence rule (radius, whether a major hazard's
verification requires presence)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    execute(
        """ALTER TABLE evidence_uploads
            ADD COLUMN IF NOT EXISTS taken_at timestamptz,
            ADD COLUMN IF NOT EXISTS time_source text,
            ADD COLUMN IF NOT EXISTS lat double precision,
            ADD COLUMN IF NOT EXISTS lon double precision,
            ADD COLUMN IF NOT EXISTS position_source text""",
        # The registry's position of a place (its import's 经纬度 column).
        """ALTER TABLE known_sites
            ADD COLUMN IF NOT EXISTS lat double precision,
            ADD COLUMN IF NOT EXISTS lon double precision""",
        # A place the registry has no position for takes the position of the first
        # located evidence of its first inspection.
        """CREATE TABLE IF NOT EXISTS site_positions (
            site_id text PRIMARY KEY,
            township text NOT NULL,
            lat double precision NOT NULL,
            lon double precision NOT NULL,
            inspection_id text NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS presence_rules (
            township text PRIMARY KEY,
            radius_m integer NOT NULL,
            required_for_major boolean NOT NULL,
            updated_at timestamptz NOT NULL
        )""",
    )
