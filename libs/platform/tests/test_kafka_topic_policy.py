"""The rule every event topic is held to: the permanent log, replicated as the cluster
allows. Pure checks here; test_kafka_topics.py checks topics on the broker."""

from __future__ import annotations

import pytest

from crosscheck_platform.kafka import PERMANENT_LOG, Replication, TopicRefused
from crosscheck_platform.kafka.policy import TopicState, problems

TOPIC = "crosscheck.hazards.v1"


def state(replication: int = 3, **configs: str) -> TopicState:
    effective = {**PERMANENT_LOG, "min.insync.replicas": "2"}
    effective.update({k.replace("_", "."): v for k, v in configs.items()})
    return TopicState(TOPIC, replication, effective)


@pytest.mark.parametrize(
    ("brokers", "factor", "min_insync"),
    [(1, 1, 1), (2, 2, 1), (3, 3, 2), (5, 3, 2)],
)
def test_replication_follows_the_brokers_up_to_three(
    brokers: int, factor: int, min_insync: int
) -> None:
    assert Replication.for_cluster(brokers) == Replication(factor, min_insync)


def test_a_replication_setting_overrides_the_broker_count() -> None:
    assert Replication.for_cluster(5, override=2) == Replication(2, 1)
    assert Replication.for_cluster(1, override=3) == Replication(3, 2)


def test_created_topics_keep_every_event() -> None:
    assert Replication(3, 2).topic_configs() == {
        "retention.ms": "-1",
        "retention.bytes": "-1",
        "cleanup.policy": "delete",
        "min.insync.replicas": "2",
    }


def test_a_permanent_replicated_topic_passes() -> None:
    assert problems(state(), Replication(3, 2)) == []
    # More replicas, or a stricter min ISR, than wanted are fine.
    assert problems(state(5, min_insync_replicas="3"), Replication(3, 2)) == []


def test_kafkas_default_seven_days_is_refused() -> None:
    [line] = problems(state(retention_ms="604800000"), Replication(3, 2))
    assert line.startswith(f"{TOPIC}: retention.ms=604800000 ")


def test_a_size_limit_is_refused() -> None:
    [line] = problems(state(retention_bytes="1073741824"), Replication(3, 2))
    assert line.startswith(f"{TOPIC}: retention.bytes=1073741824 ")


@pytest.mark.parametrize("policy", ["compact", "compact,delete", "delete,compact"])
def test_compaction_is_refused_even_with_infinite_retention(policy: str) -> None:
    [line] = problems(state(cleanup_policy=policy), Replication(3, 2))
    assert line.startswith(f"{TOPIC}: cleanup.policy={policy} ")


def test_too_few_replicas_are_refused() -> None:
    [line] = problems(state(1), Replication(3, 2))
    assert "replication factor 1, below the 3 wanted" in line
    assert "CROSSCHECK_KAFKA_REPLICATION_FACTOR" in line


def test_a_min_isr_of_one_on_three_replicas_is_refused() -> None:
    [line] = problems(state(min_insync_replicas="1"), Replication(3, 2))
    assert line.startswith(f"{TOPIC}: min.insync.replicas=1, below 2")


def test_the_refusal_names_each_topic_and_setting_and_how_to_fix_it() -> None:
    lines = problems(state(1, retention_ms="604800000"), Replication(3, 2))
    message = str(TopicRefused(lines, Replication(3, 2)))
    assert message.startswith("refusing to start")
    assert f"{TOPIC}: retention.ms=604800000" in message
    assert f"{TOPIC}: replication factor 1" in message
    assert (
        "--add-config retention.ms=-1,retention.bytes=-1,cleanup.policy=delete,"
        "min.insync.replicas=2" in message
    )
