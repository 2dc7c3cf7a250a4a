"""Creating the event topics as the permanent log, and checking them at start-up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError, for_code

from crosscheck_contracts.topics import PARTITIONS, dead_letter_topic
from crosscheck_platform.kafka.clients import admin_client
from crosscheck_platform.kafka.policy import (
    CREATE_SETTING,
    DESCRIBED_CONFIGS,
    Replication,
    TopicRefused,
    TopicState,
    problems,
)

log = logging.getLogger(__name__)

# A topic just created may be described before every broker has its metadata.
DESCRIBE_ATTEMPTS = 50
DESCRIBE_PAUSE_SECONDS = 0.2


async def ensure_topics(
    bootstrap: str | Iterable[str],
    topics: Iterable[str],
    *,
    partitions: int = PARTITIONS,
    with_dead_letters: bool = True,
    create: bool = True,
    replication_factor: int | None = None,
) -> Replication:
    """Create the missing `topics` (and their dead-letter twins) as permanent logs with
    the cluster's replication, unless `create` is False; then check every one of them.

    Raises TopicRefused, naming each topic and setting, if a topic is missing (with
    `create` False) or would lose events. Returns the replication wanted: min(3, the
    brokers in the cluster) or `replication_factor`.
    """
    names = list(topics)
    if with_dead_letters:
        names += [dead_letter_topic(t) for t in names]
    async with admin_client(bootstrap) as admin:
        brokers = len((await admin.describe_cluster())["brokers"])
        wanted = Replication.for_cluster(brokers, replication_factor)
        # Listed, not asked for by name: a metadata request naming a missing topic makes
        # a broker with auto.create.topics.enable create it with its own defaults.
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing and not create:
            raise TopicRefused(
                [
                    f"{n}: missing, and {CREATE_SETTING}=false leaves creating it to the "
                    f"deployment ({partitions} partitions, replication factor {wanted.factor})"
                    for n in missing
                ],
                wanted,
            )
        if missing:
            await _create(admin, missing, partitions, wanted)
        states = await _describe(admin, names)
    refusals = [line for state in states for line in problems(state, wanted)]
    if refusals:
        raise TopicRefused(refusals, wanted)
    return wanted


async def _create(
    admin: AIOKafkaAdminClient, names: list[str], partitions: int, wanted: Replication
) -> None:
    configs = wanted.topic_configs()
    response = await admin.create_topics(
        [NewTopic(n, partitions, wanted.factor, topic_configs=configs) for n in names]
    )
    failed = [
        f"{error['topic']}: not created: {_reason(error)}"
        for error in response.to_object()["topic_errors"]
        # Another replica of the service may create them first; that is fine.
        if error["error_code"] not in (0, TopicAlreadyExistsError.errno)
    ]
    if failed:
        raise TopicRefused(failed, wanted)
    log.info(
        "topics created",
        extra={"topics": names, "replication": wanted.factor, "min_insync": wanted.min_insync},
    )


def _reason(error: dict[str, Any]) -> str:
    return str(error.get("error_message") or for_code(error["error_code"]).description)


async def _describe(admin: AIOKafkaAdminClient, names: list[str]) -> list[TopicState]:
    factors = await _replication_factors(admin, names)
    resources = [
        ConfigResource(ConfigResourceType.TOPIC, n, dict.fromkeys(DESCRIBED_CONFIGS)) for n in names
    ]
    configs: dict[str, dict[str, str]] = {}
    for response in await admin.describe_configs(resources):
        for resource in response.to_object()["resources"]:
            if resource["error_code"]:
                raise for_code(resource["error_code"])(
                    f"{resource['resource_name']}: {resource['error_message']}"
                )
            configs[resource["resource_name"]] = {
                entry["config_names"]: entry["config_value"] for entry in resource["config_entries"]
            }
    return [TopicState(n, factors[n], configs.get(n, {})) for n in names]


async def _replication_factors(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    for _ in range(DESCRIBE_ATTEMPTS):
        described: list[dict[str, Any]] = await admin.describe_topics(names)
        if all(t["error_code"] == 0 and t["partitions"] for t in described):
            return {t["topic"]: min(len(p["replicas"]) for p in t["partitions"]) for t in described}
        await asyncio.sleep(DESCRIBE_PAUSE_SECONDS)
    unknown = [t["topic"] for t in described if t["error_code"] or not t["partitions"]]
    raise RuntimeError(f"Kafka did not describe the topics {unknown} in time")


async def delete_topics_under(bootstrap: str | Iterable[str], prefixes: Iterable[str]) -> int:
    """Delete every topic whose name starts with one of `prefixes`; returns how many."""
    wanted = tuple(prefixes)
    async with admin_client(bootstrap) as admin:
        doomed = [t for t in await admin.list_topics() if t.startswith(wanted)]
        # The broker takes deletions in modest batches more gracefully than thousands at once.
        for start in range(0, len(doomed), 200):
            await admin.delete_topics(doomed[start : start + 200])
        return len(doomed)
