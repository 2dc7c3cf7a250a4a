"""The platform's tables in every service's schema, as the services created them at
start before migrations existed: the event store (streams, events), the outbox and its
notification trigger, and the consumers' applied events and positions. Written with IF
NOT EXISTS, so a schema that already has them is adopted unchanged."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0001"
down_revision = None


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS streams (
            stream_id text PRIMARY KEY,
            version integer NOT NULL CHECK (version >= 1),
            township text NOT NULL,
            county text NOT NULL
        )""",
        # Envelope attributes are columns (not a JSON document) so an append parses no JSON;
        # `data` is json, not jsonb, for the same reason: it is stored and read back whole.
        # `position` is commit-unordered and unindexed: nothing tails this table (the outbox
        # does the publishing), it only breaks ties for people reading it.
        """CREATE TABLE IF NOT EXISTS events (
            stream_id text NOT NULL,
            version integer NOT NULL,
            position bigserial NOT NULL,
            event_id uuid NOT NULL UNIQUE,
            event_type text NOT NULL,
            schema_version integer NOT NULL,
            source text NOT NULL,
            occurred_at timestamptz NOT NULL,
            township text NOT NULL,
            county text NOT NULL,
            correlation_id uuid NOT NULL,
            causation_id uuid,
            data json NOT NULL,
            PRIMARY KEY (stream_id, version)
        )""",
        # Rows are exactly what goes to Kafka: the relay copies bytes, it encodes nothing.
        """CREATE TABLE IF NOT EXISTS outbox (
            id bigserial PRIMARY KEY,
            topic text NOT NULL,
            key bytea NOT NULL,
            headers bytea NOT NULL,
            value bytea NOT NULL
        )""",
        # Wake the relay at commit time instead of making it poll hard.
        """CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', ''); RETURN NULL; END $$""",
        """DO $$ BEGIN
             CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
               FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
           EXCEPTION WHEN duplicate_object THEN NULL; END $$""",
        """CREATE TABLE IF NOT EXISTS processed_events (
            consumer text NOT NULL,
            event_id uuid NOT NULL,
            processed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, event_id)
        )""",
        """CREATE TABLE IF NOT EXISTS consumer_positions (
            consumer text NOT NULL,
            topic text NOT NULL,
            partition integer NOT NULL,
            next_offset bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (consumer, topic, partition)
        )""",
    )
