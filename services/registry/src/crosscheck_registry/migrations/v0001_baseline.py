"""The registry service's own tables, as it created them at start before migrations
existed. Written with IF NOT EXISTS, so a schema that already has them is adopted
unchanged.

Beside the event store: the read model its events build, and the private contacts that
never travel on a topic. The read model is updated in the same transaction as the
append (see `app.handlers`), not by a Kafka consumer of the registry's own topic: an
import must diff against the state it is about to change and apply atomically, names
must be unique per village at commit time, and an admin expects to see a place right
after registering it. The projection is still a function of the events alone
(`projection.project`), so it can be rebuilt from the event store.
"""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0001"
down_revision = None


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS townships (
            code text PRIMARY KEY,
            county_code text NOT NULL,
            name text NOT NULL,
            county_name text NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS villages (
            id text PRIMARY KEY,
            code text NOT NULL UNIQUE,
            township_code text NOT NULL,
            county_code text NOT NULL,
            name text NOT NULL,
            UNIQUE (township_code, name)
        )""",
        """CREATE TABLE IF NOT EXISTS sites (
            id text PRIMARY KEY,
            township_code text NOT NULL,
            county_code text NOT NULL,
            village_id text NOT NULL,
            name text NOT NULL,
            site_type text NOT NULL,
            address text NOT NULL,
            lat double precision,
            lon double precision,
            responsible_name text NOT NULL,
            responsible_phone_masked text,
            active boolean NOT NULL DEFAULT true,
            closed_on date,
            close_reason text,
            version integer NOT NULL
        )""",
        # A name is unique among the open places of a village; a closed one may be reused.
        """CREATE UNIQUE INDEX IF NOT EXISTS sites_open_name
            ON sites (village_id, name) WHERE active""",
        "CREATE INDEX IF NOT EXISTS sites_listing ON sites (township_code, village_id, name)",
        """CREATE TABLE IF NOT EXISTS staff (
            id text PRIMARY KEY,
            township_code text NOT NULL,
            county_code text NOT NULL,
            name text NOT NULL,
            unit text NOT NULL,
            is_leadership boolean NOT NULL,
            home_village_id text,
            conflict_village_ids text[] NOT NULL DEFAULT '{}',
            conflict_site_ids text[] NOT NULL DEFAULT '{}',
            active boolean NOT NULL DEFAULT true,
            version integer NOT NULL
        )""",
        """CREATE UNIQUE INDEX IF NOT EXISTS staff_active_name
            ON staff (township_code, name) WHERE active""",
        # Personal data: the responsible person's full number, for the township's own use.
        """CREATE TABLE IF NOT EXISTS site_contacts (
            site_id text PRIMARY KEY,
            phone text NOT NULL
        )""",
    )
