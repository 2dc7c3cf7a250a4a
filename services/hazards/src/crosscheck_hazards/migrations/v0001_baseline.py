"""The hazards service's own tables, as it created them at start before migrations
existed. Written with IF NOT EXISTS, so a schema that already has them is adopted
unchanged.

Written in the same transaction as the events they follow (hazard index, inspection
notes, idempotency keys), or by the inventory consumer (places, rounds, groups).
"""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0001"
down_revision = None


def upgrade() -> None:
    execute(
        # One row per hazard, updated with every append to its stream: recurrence look-ups
        # and lists need it; the event stream stays the source of truth.
        """CREATE TABLE IF NOT EXISTS hazard_index (
            hazard_id text PRIMARY KEY,
            township text NOT NULL,
            county text NOT NULL,
            inspection_id text NOT NULL,
            site_id text NOT NULL,
            village_id text NOT NULL,
            checklist_item_id text NOT NULL,
            severity text NOT NULL,
            state text NOT NULL,
            deadline timestamptz,
            found_at timestamptz NOT NULL,
            closed_at timestamptz
        )""",
        """CREATE INDEX IF NOT EXISTS hazard_index_recurrence
            ON hazard_index (township, site_id, checklist_item_id, closed_at DESC)
            WHERE closed_at IS NOT NULL""",
        # What an inspection recorded that stays inside the service (free-text notes may
        # name private persons; they are not for public topics).
        """CREATE TABLE IF NOT EXISTS inspection_details (
            inspection_id text PRIMARY KEY,
            township text NOT NULL,
            checklist_version text NOT NULL,
            notes text,
            evidence_ids text[] NOT NULL DEFAULT '{}'
        )""",
        # A retried command finds its first answer here; the row is written in the same
        # transaction as the command's events, so either both exist or neither.
        """CREATE TABLE IF NOT EXISTS idempotency_keys (
            township text NOT NULL,
            key text NOT NULL,
            fingerprint text NOT NULL,
            status integer,
            body text,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (township, key)
        )""",
        """CREATE TABLE IF NOT EXISTS township_items (
            township text NOT NULL,
            item_id text NOT NULL,
            category text NOT NULL,
            site_types text[] NOT NULL,
            check_text text NOT NULL,
            check_en text NOT NULL,
            hazard text NOT NULL,
            action text NOT NULL,
            severity text NOT NULL,
            added_at timestamptz NOT NULL,
            PRIMARY KEY (township, item_id)
        )""",
        """CREATE TABLE IF NOT EXISTS evidence_villages (
            evidence_id text NOT NULL,
            township text NOT NULL,
            county text NOT NULL,
            village_id text NOT NULL,
            PRIMARY KEY (evidence_id, township, village_id)
        )""",
        """CREATE TABLE IF NOT EXISTS known_townships (
            township text PRIMARY KEY,
            name text NOT NULL,
            county_name text NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS known_villages (
            village_id text PRIMARY KEY,
            township text NOT NULL,
            name text NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS known_sites (
            site_id text PRIMARY KEY,
            township text NOT NULL,
            county text NOT NULL,
            village_id text NOT NULL,
            site_type text NOT NULL,
            name text NOT NULL,
            address text NOT NULL,
            responsible_name text NOT NULL,
            closed boolean NOT NULL DEFAULT false
        )""",
        # A county viewer's evidence is looked up across the county's townships.
        "CREATE INDEX IF NOT EXISTS known_sites_county ON known_sites (county, township)",
        """CREATE TABLE IF NOT EXISTS round_sites (
            township text NOT NULL,
            campaign_id text NOT NULL,
            round_no integer NOT NULL,
            site_id text NOT NULL,
            group_id text NOT NULL,
            zone_id text NOT NULL,
            PRIMARY KEY (township, campaign_id, round_no, site_id)
        )""",
        # Rounds rotation closed: groups record no more inspections for them.
        """CREATE TABLE IF NOT EXISTS closed_rounds (
            township text NOT NULL,
            campaign_id text NOT NULL,
            round_no integer NOT NULL,
            PRIMARY KEY (township, campaign_id, round_no)
        )""",
        """CREATE TABLE IF NOT EXISTS campaign_groups (
            township text NOT NULL,
            campaign_id text NOT NULL,
            group_id text NOT NULL,
            name text NOT NULL,
            member_ids text[] NOT NULL,
            PRIMARY KEY (township, campaign_id, group_id)
        )""",
    )
