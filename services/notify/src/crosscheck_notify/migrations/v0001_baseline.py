"""The notify service's own tables, as it created them at start before migrations
existed. Written with IF NOT EXISTS, so a schema that already has them is adopted
unchanged."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0001"
down_revision = None


def upgrade() -> None:
    execute(
        # Hazards events as received, by their version in the hazard's stream: the schedule
        # is recomputed from these, so arrival order and duplicates do not matter.
        """CREATE TABLE IF NOT EXISTS hazard_events (
            hazard_id text NOT NULL,
            version integer NOT NULL,
            event_id uuid NOT NULL,
            correlation_id uuid NOT NULL,
            occurred_at timestamptz NOT NULL,
            event_type text NOT NULL,
            schema_version integer NOT NULL,
            data text NOT NULL,
            township text NOT NULL,
            county text NOT NULL,
            PRIMARY KEY (hazard_id, version)
        )""",
        # One row per notice; `notice_id` is deterministic (see domain.schedule) and is the
        # idempotency key every channel receives.
        """CREATE TABLE IF NOT EXISTS notices (
            notice_id uuid PRIMARY KEY,
            hazard_id text NOT NULL,
            township text NOT NULL,
            county text NOT NULL,
            kind text NOT NULL,
            recipient_role text,
            recipient_ref text,
            template text NOT NULL,
            params jsonb NOT NULL,
            deadline timestamptz,
            due_at timestamptz NOT NULL,
            next_attempt_at timestamptz NOT NULL,
            state text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
            attempts integer NOT NULL DEFAULT 0,
            last_error text,
            channel text,
            settled_at timestamptz,
            cause_event_id uuid,
            correlation_id uuid
        )""",
        # A worker's lease on a notice it has claimed (and prepared) ahead of its due time.
        "ALTER TABLE notices ADD COLUMN IF NOT EXISTS claimed_until timestamptz",
        """CREATE INDEX IF NOT EXISTS notices_pending ON notices (next_attempt_at)
           WHERE state = 'pending'""",
        "CREATE INDEX IF NOT EXISTS notices_by_hazard ON notices (hazard_id)",
        # The notices history: a township's notices, newest due first.
        "CREATE INDEX IF NOT EXISTS notices_by_township ON notices (township, due_at DESC)",
        # The first shape of the table was keyed by recipient alone, which let one
        # township's clerk overwrite another's contacts: it is kept aside, not reused.
        """DO $$ BEGIN
            IF EXISTS (SELECT 1 FROM information_schema.tables
                       WHERE table_schema = current_schema() AND table_name = 'contacts')
               AND NOT EXISTS (SELECT 1 FROM information_schema.columns
                               WHERE table_schema = current_schema() AND table_name = 'contacts'
                                 AND column_name = 'township') THEN
                ALTER TABLE contacts RENAME TO contacts_unscoped;
                ALTER TABLE contacts_unscoped RENAME CONSTRAINT contacts_pkey
                    TO contacts_unscoped_pkey;
            END IF;
        END $$""",
        # Contact details stay inside the notify service: the registry publishes no phone
        # numbers, so each township's admin fills its own (over the HTTP API, or an import).
        """CREATE TABLE IF NOT EXISTS contacts (
            township text NOT NULL,
            recipient_role text NOT NULL,
            recipient_ref text NOT NULL,
            channel text NOT NULL CHECK (channel IN ('webhook', 'email', 'sms')),
            address text NOT NULL,
            language text NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (township, recipient_role, recipient_ref)
        )""",
    )
