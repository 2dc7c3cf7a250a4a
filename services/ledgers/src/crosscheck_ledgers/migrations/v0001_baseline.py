"""The ledgers service's own tables, as it created them at start before migrations
existed. Written with IF NOT EXISTS, so a schema that already has them is adopted
unchanged.

The statements are those that `adapters.sql.ddl()` compiled from the table specs
(`domain.tables`) on that day, frozen here: a later change to the specs is a new step,
and the migration tests check that the steps build what the specs say.
"""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0001"
down_revision = None


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS lg_townships (
            township_code text NOT NULL,
            township text,
            county text,
            registered_v integer,
            name text,
            county_name text,
            PRIMARY KEY (township_code)
        )""",
        """CREATE TABLE IF NOT EXISTS lg_villages (
            village_id text NOT NULL,
            township text,
            county text,
            registered_v integer,
            code text,
            name text,
            PRIMARY KEY (village_id)
        )""",
        """CREATE TABLE IF NOT EXISTS lg_sites (
            site_id text NOT NULL,
            township text,
            county text,
            name_v integer,
            name text,
            village_v integer,
            village_id text,
            type_v integer,
            site_type text,
            address_v integer,
            address text,
            responsible_v integer,
            responsible_name text,
            phone_v integer,
            responsible_phone_masked text,
            closed_v integer,
            closed_on date,
            closed_reason text,
            PRIMARY KEY (site_id)
        )""",
        "CREATE INDEX IF NOT EXISTS lg_sites_i0 ON lg_sites (county, township, village_id)",
        """CREATE TABLE IF NOT EXISTS lg_staff (
            staff_id text NOT NULL,
            township text,
            county text,
            name_v integer,
            name text,
            unit_v integer,
            unit text,
            PRIMARY KEY (staff_id)
        )""",
        """CREATE TABLE IF NOT EXISTS lg_campaigns (
            campaign_id text NOT NULL,
            township text,
            county text,
            launched_v integer,
            name text,
            starts_on date,
            ends_on date,
            rounds integer,
            PRIMARY KEY (campaign_id)
        )""",
        """CREATE TABLE IF NOT EXISTS lg_zones (
            campaign_id text NOT NULL,
            zone_id text NOT NULL,
            township text,
            county text,
            launched_v integer,
            name text,
            village_id text,
            PRIMARY KEY (campaign_id, zone_id)
        )""",
        """CREATE TABLE IF NOT EXISTS lg_groups (
            campaign_id text NOT NULL,
            group_id text NOT NULL,
            township text,
            county text,
            formed_v integer,
            name text,
            leader_id text,
            member_count integer,
            PRIMARY KEY (campaign_id, group_id)
        )""",
        """CREATE TABLE IF NOT EXISTS lg_rounds (
            campaign_id text NOT NULL,
            round_no integer NOT NULL,
            township text,
            county text,
            plan_v integer,
            closed_v integer,
            PRIMARY KEY (campaign_id, round_no)
        )""",
        """CREATE TABLE IF NOT EXISTS lg_plan_sites (
            campaign_id text NOT NULL,
            round_no integer NOT NULL,
            plan_version integer NOT NULL,
            site_id text NOT NULL,
            township text,
            county text,
            planned_v integer,
            group_id text,
            zone_id text,
            PRIMARY KEY (campaign_id, round_no, plan_version, site_id)
        )""",
        """CREATE TABLE IF NOT EXISTS lg_inspections (
            inspection_id text NOT NULL,
            township text,
            county text,
            completed_v integer,
            campaign_id text,
            round_no integer,
            site_id text,
            village_id text,
            group_id text,
            inspected_at timestamptz,
            items_checked integer,
            items_failed integer,
            hazard_count integer,
            override_reason text,
            PRIMARY KEY (inspection_id)
        )""",
        (
            "CREATE INDEX IF NOT EXISTS lg_inspections_i0 ON lg_inspections "
            "(county, township, campaign_id, round_no)"
        ),
        "CREATE INDEX IF NOT EXISTS lg_inspections_i1 ON lg_inspections (site_id)",
        """CREATE TABLE IF NOT EXISTS lg_hazards (
            hazard_id text NOT NULL,
            township text,
            county text,
            found_v integer,
            inspection_id text,
            campaign_id text,
            round_no integer,
            site_id text,
            village_id text,
            group_id text,
            checklist_item_id text,
            category text,
            severity text,
            description text,
            found_at timestamptz,
            recurrence_of text,
            state_v integer,
            state text,
            state_at timestamptz,
            notified_v integer,
            notified_at timestamptz,
            notified_by text,
            told_person text,
            signed boolean,
            assigned_v integer,
            responsible_person text,
            responsible_staff_id text,
            supervising_village_id text,
            assigned_at timestamptz,
            deadline_v integer,
            deadline timestamptz,
            reported_v integer,
            reported_at timestamptz,
            verified_v integer,
            verified_by text,
            verified_at timestamptz,
            rejected_v integer,
            rejected_by text,
            rejected_at timestamptz,
            rejection_reason text,
            escalated_v integer,
            escalation_level text,
            escalated_at timestamptz,
            overdue_notice_v integer,
            overdue_noticed_at timestamptz,
            PRIMARY KEY (hazard_id)
        )""",
        "CREATE INDEX IF NOT EXISTS lg_hazards_i0 ON lg_hazards (county, township, found_at)",
        "CREATE INDEX IF NOT EXISTS lg_hazards_i1 ON lg_hazards (site_id)",
        "CREATE INDEX IF NOT EXISTS lg_hazards_i2 ON lg_hazards (inspection_id)",
    )
