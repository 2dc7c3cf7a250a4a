"""What every running service reports at scrape time: its outbox backlog, its
consumers' lag behind the log, and the messages they dead-lettered.

Lag is the group's, as Kafka holds it (log end offset minus the group's committed
offset, per partition), the same figure KEDA scales the consumers by: every replica
reports the whole group, so dashboards take the max over replicas, not the sum.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from crosscheck_platform.http.runtime import ServiceRuntime, Subscription
from crosscheck_platform.kafka.security import client_options


async def outbox_pending(runtime: ServiceRuntime) -> Sequence[Metric]:
    pending = await runtime.database.fetchval("SELECT count(*) FROM outbox")
    family = GaugeMetricFamily(
        "crosscheck_outbox_pending",
        "Events committed to the outbox and not yet acknowledged by Kafka",
        labels=["schema"],
    )
    family.add_metric([runtime.schema], pending)
    return [family]


async def consumer_lag(runtime: ServiceRuntime) -> Sequence[Metric]:
    family = GaugeMetricFamily(
        "crosscheck_consumer_lag",
        "Records in the partition after the consumer group's committed offset",
        labels=["group", "topic", "partition"],
    )
    running = [(s, k) for s in runtime.subscriptions.values() if (k := s.kafka()) is not None]
    if not running:
        return [family]
    admin = AIOKafkaAdminClient(**client_options(runtime.settings.kafka_bootstrap))
    await admin.start()
    try:
        for subscription, kafka in running:
            for tp, lag in (await _group_lag(admin, subscription, kafka)).items():
                family.add_metric([subscription.group, tp.topic, str(tp.partition)], lag)
    finally:
        await admin.close()
    return [family]


async def _group_lag(
    admin: AIOKafkaAdminClient, subscription: Subscription, kafka: AIOKafkaConsumer
) -> dict[TopicPartition, int]:
    partitions = [
        TopicPartition(topic, p)
        for topic in subscription.topics
        for p in sorted(kafka.partitions_for_topic(topic) or ())
    ]
    if not partitions:
        return {}
    end = await kafka.end_offsets(partitions)
    committed = await admin.list_consumer_group_offsets(subscription.group, partitions=partitions)
    # A partition the group never committed on is behind from the log's start.
    start = await kafka.beginning_offsets(partitions)
    lag = {}
    for tp in partitions:
        done = committed.get(tp)
        position = done.offset if done is not None and done.offset >= 0 else start[tp]
        lag[tp] = max(0, end[tp] - position)
    return lag


KAFKA_HEALTH_SECONDS = 3.0
"""Longer than this and Kafka counts as down for the scrape (the source's own limit is 5 s)."""


async def kafka_health(runtime: ServiceRuntime) -> Sequence[Metric]:
    """Whether a broker answers (readiness leaves Kafka out: commands go to the outbox
    while it is away), and, per topic the service writes or reads, the partitions with
    no leader (their events wait) or fewer in-sync replicas than replicas."""
    up = GaugeMetricFamily(
        "crosscheck_kafka_up", "1 when a Kafka broker answered the service's metadata request"
    )
    leaderless = GaugeMetricFamily(
        "crosscheck_kafka_partitions_leaderless",
        "Partitions of the topic with no leader: nothing is written to or read from them",
        labels=["topic"],
    )
    under = GaugeMetricFamily(
        "crosscheck_kafka_partitions_under_replicated",
        "Partitions of the topic with fewer in-sync replicas than replicas",
        labels=["topic"],
    )
    try:
        async with asyncio.timeout(KAFKA_HEALTH_SECONDS):
            await runtime.kafka_ready()
            described = await _described(runtime)
    except Exception:
        up.add_metric([], 0)
        return [up]
    up.add_metric([], 1)
    for topic in described:
        if topic["error_code"]:
            continue
        partitions = topic["partitions"]
        leaderless.add_metric([topic["topic"]], sum(1 for p in partitions if p["leader"] < 0))
        under.add_metric(
            [topic["topic"]], sum(1 for p in partitions if len(p["isr"]) < len(p["replicas"]))
        )
    return [up, leaderless, under]


async def _described(runtime: ServiceRuntime) -> list[dict[str, Any]]:
    admin = AIOKafkaAdminClient(**client_options(runtime.settings.kafka_bootstrap))
    await admin.start()
    try:
        described: list[dict[str, Any]] = await admin.describe_topics(list(runtime.topics.all))
        return described
    finally:
        await admin.close()


async def consumer_counts(runtime: ServiceRuntime) -> Sequence[Metric]:
    applied = CounterMetricFamily(
        "crosscheck_events_applied",
        "Events the consumer applied since the process started",
        labels=["consumer"],
    )
    dead = CounterMetricFamily(
        "crosscheck_dead_letters",
        "Messages sent to the topic's dead-letter twin since the process started",
        labels=["consumer", "topic"],
    )
    for name, consumer in runtime.consumers.items():
        applied.add_metric([consumer.name], consumer.applied)
        # Zero for every topic consumed, so that the first dead letter is an increase.
        subscribed = runtime.subscriptions[name].topics if name in runtime.subscriptions else ()
        counts = consumer.dead_lettered_by_topic
        for topic in sorted({*subscribed, *counts}):
            dead.add_metric([consumer.name, topic], counts.get(topic, 0))
    return [applied, dead]
