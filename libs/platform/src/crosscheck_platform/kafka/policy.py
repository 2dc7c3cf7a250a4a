"""What an event topic must be: the permanent public log, replicated as the cluster allows.

Rebuilds and outside subscribers replay every topic from offset 0, so a topic that
deletes old events (a finite retention) or keeps only the latest event per key
(compaction: the key is the aggregate id) silently loses history. Dead-letter topics
follow the same rule: a dead letter is the only copy of an event the consumer did not
apply, kept to be replayed once the cause is fixed, and there are few of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Infinite retention by time and size; `delete` is named so that a broker whose default
# policy is `compact` does not apply it to our topics.
PERMANENT_LOG: Mapping[str, str] = {
    "retention.ms": "-1",
    "retention.bytes": "-1",
    "cleanup.policy": "delete",
}
MAX_REPLICATION = 3

# The settings named in messages, as operators set them.
CREATE_SETTING = "CROSSCHECK_KAFKA_CREATE_TOPICS"
REPLICATION_SETTING = "CROSSCHECK_KAFKA_REPLICATION_FACTOR"


@dataclass(frozen=True)
class Replication:
    """Replicas per partition and how many of them must have an event before acks=all
    acknowledges it."""

    factor: int
    min_insync: int

    @classmethod
    def for_cluster(cls, brokers: int, override: int | None = None) -> Replication:
        """min(3, brokers) replicas unless `override` says otherwise; with 3 or more, an
        acknowledged event is on 2 brokers at least, so one broker may be lost (or
        restarted) without losing events or stopping writes."""
        factor = override if override is not None else max(1, min(MAX_REPLICATION, brokers))
        return cls(factor=factor, min_insync=2 if factor >= 3 else 1)

    def topic_configs(self) -> dict[str, str]:
        return {**PERMANENT_LOG, "min.insync.replicas": str(self.min_insync)}


@dataclass(frozen=True)
class TopicState:
    """What the cluster says of one topic: its replication and its effective configs
    (the topic's own or the broker default)."""

    name: str
    replication_factor: int
    configs: Mapping[str, str]


DESCRIBED_CONFIGS = (*PERMANENT_LOG, "min.insync.replicas")


def problems(topic: TopicState, wanted: Replication) -> list[str]:
    """Why `topic` would lose events (empty if it keeps them all as wanted)."""
    found: list[str] = []
    configs = topic.configs
    if (value := configs.get("retention.ms")) != "-1":
        found.append(f"retention.ms={value} deletes events older than that")
    if (value := configs.get("retention.bytes")) != "-1":
        found.append(f"retention.bytes={value} deletes a partition's oldest events at that size")
    if "compact" in (value := configs.get("cleanup.policy", "")):
        found.append(f"cleanup.policy={value} keeps only the latest event of each aggregate")
    if topic.replication_factor < wanted.factor:
        found.append(
            f"replication factor {topic.replication_factor}, below the {wanted.factor} "
            f"wanted ({REPLICATION_SETTING} or min(3, brokers))"
        )
    insync = configs.get("min.insync.replicas", "")
    if not insync.isdigit() or int(insync) < wanted.min_insync:
        found.append(
            f"min.insync.replicas={insync}, below {wanted.min_insync}: an acknowledged event "
            "could be on one broker only"
        )
    return [f"{topic.name}: {problem}" for problem in found]


class TopicRefused(RuntimeError):
    """A topic the service writes or reads would lose events, or is missing where the
    deployment is to create it; the service does not start."""

    def __init__(self, lines: list[str], wanted: Replication) -> None:
        self.lines = lines
        fix = ",".join(f"{k}={v}" for k, v in wanted.topic_configs().items())
        super().__init__(
            "refusing to start: these Kafka topics would not keep every event "
            "(they are the permanent log that rebuilds and subscribers replay from "
            "offset 0):\n  "
            + "\n  ".join(lines)
            + "\nFix a topic's settings with: kafka-configs.sh --bootstrap-server <broker> "
            f"--alter --entity-type topics --entity-name <topic> --add-config {fix}; "
            "a replication factor is raised with kafka-reassign-partitions.sh, or set to "
            f"what the cluster can hold with {REPLICATION_SETTING}."
        )
