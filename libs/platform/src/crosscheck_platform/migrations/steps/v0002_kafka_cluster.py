"""The Kafka cluster a schema's consumers read: their positions mean something only there
(see crosscheck_platform.kafka.cluster)."""

from __future__ import annotations

from crosscheck_platform.migrations import execute

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    execute(
        """CREATE TABLE IF NOT EXISTS kafka_cluster (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            cluster_id text NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now()
        )""",
    )
