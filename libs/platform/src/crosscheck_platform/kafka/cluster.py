"""Which Kafka cluster a schema's consumers have been reading.

Their positions (and the offsets their groups committed) are offsets of one cluster's
partitions. Pointed at a new cluster (a different cluster id: rebuilt, restored from
nothing, or the wrong one), the same numbers mean nothing; a consumer that skips by
position would sit at old offsets past the new topics' ends and apply nothing, showing
zeros. So the cluster's id is kept beside the positions and compared when consumers
start. A change is refused unless the deployment says `rewind`
(CROSSCHECK_KAFKA_CLUSTER_CHANGE): then the positions are forgotten and the consumers
read the new cluster's topics from the start, skipping by event id what they applied
(position-tracking handlers are idempotent per event).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import StrEnum

from crosscheck_platform.db import Database
from crosscheck_platform.kafka.clients import admin_client

log = logging.getLogger(__name__)


class ClusterChangePolicy(StrEnum):
    REFUSE = "refuse"
    REWIND = "rewind"


class KafkaClusterChanged(RuntimeError):
    """The brokers are another cluster than the one this schema's consumers read."""

    def __init__(self, schema: str, recorded: str, current: str, bootstrap: str) -> None:
        super().__init__(
            f"Kafka cluster changed for schema {schema}: its consumers read cluster "
            f"{recorded}, the brokers at {bootstrap} are cluster {current}. Their positions "
            f"are offsets of the old cluster and mean nothing here. If the cluster was "
            f"replaced on purpose, republish the event stores to it (crosscheck-republish) "
            f"and start once with CROSSCHECK_KAFKA_CLUSTER_CHANGE=rewind: the positions are "
            f"forgotten and the consumers read the new topics from the start, applying "
            f"nothing twice. Otherwise point CROSSCHECK_KAFKA_BOOTSTRAP at the old cluster."
        )
        self.schema = schema
        self.recorded = recorded
        self.current = current


async def cluster_id(bootstrap: str | Iterable[str]) -> str:
    async with admin_client(bootstrap) as admin:
        described = await admin.describe_cluster()
    return str(described["cluster_id"])


async def check_cluster(
    db: Database, current: str, policy: ClusterChangePolicy, bootstrap: str
) -> bool:
    """Record `current` as the schema's cluster, or compare it with the one recorded.
    On a change: raise KafkaClusterChanged, or with REWIND forget the consumers'
    positions and record the new cluster. True when positions were forgotten."""
    async with db.transaction() as conn:
        # Replicas starting together: one records or rewinds, the others then agree.
        await conn.execute("LOCK TABLE kafka_cluster IN EXCLUSIVE MODE")
        recorded = await conn.fetchval("SELECT cluster_id FROM kafka_cluster")
        if recorded == current:
            return False
        if recorded is None:
            # First start, or a schema from before the id was kept: this is its cluster.
            await conn.execute("INSERT INTO kafka_cluster (cluster_id) VALUES ($1)", current)
            return False
        if policy is ClusterChangePolicy.REFUSE:
            raise KafkaClusterChanged(db.schema, recorded, current, bootstrap)
        forgotten = await conn.fetchval(
            "WITH gone AS (DELETE FROM consumer_positions RETURNING 1) SELECT count(*) FROM gone"
        )
        await conn.execute("UPDATE kafka_cluster SET cluster_id = $1, recorded_at = now()", current)
    log.warning(
        "Kafka cluster changed: consumer positions forgotten, reading from the start",
        extra={"schema": db.schema, "was": recorded, "now": current, "positions": forgotten},
    )
    return True
