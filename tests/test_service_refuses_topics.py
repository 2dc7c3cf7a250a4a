"""A service started as its own process refuses to run on an event topic that would drop
events: it logs one critical line naming the topic and the setting, and exits before it
serves anything."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.topics import Topics
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import admin_client, ensure_topics
from crosscheck_testing.infra import Infra
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env
from crosscheck_testing.schema import migrated

pytestmark = pytest.mark.infra

SEVEN_DAYS = "604800000"  # Kafka's default retention
SECRET = "test-secret-for-topic-refusals-0123456789"


async def shorten_retention(bootstrap: str, topic: str) -> None:
    """As an operator might: the topic's own settings replaced by a 7-day retention."""
    resource = ConfigResource(ConfigResourceType.TOPIC, topic, {"retention.ms": SEVEN_DAYS})
    async with admin_client(bootstrap) as admin:
        await admin.alter_configs([resource])
        query = ConfigResource(ConfigResourceType.TOPIC, topic, {"retention.ms": None})
        async with asyncio.timeout(30):
            while True:
                [response] = await admin.describe_configs([query])
                [entry] = response.to_object()["resources"][0]["config_entries"]
                if entry["config_value"] == SEVEN_DAYS:
                    return
                await asyncio.sleep(0.05)


@pytest.mark.parametrize("service", ["registry", "ledgers"])
async def test_a_service_exits_naming_the_topic_and_the_setting(
    infra: Infra, unique_name: str, database: Database, service: str
) -> None:
    # `database` is the service's schema (`unique_name`): dropped afterwards. Migrated, so
    # that the only reason left to refuse is the topic.
    await migrated(database, service)
    topics = Topics(unique_name)
    await ensure_topics(infra.kafka_bootstrap, topics.all)
    hazards = topics.of(BoundedContext.HAZARDS)
    await shorten_retention(infra.kafka_bootstrap, hazards)
    port = free_port()
    env = service_env(infra, schema=unique_name, namespace=unique_name, secret=SECRET, port=port)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"crosscheck_{service}.main",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode != 0
    entries = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    [refusal] = [e for e in entries if e["level"] == "critical"]
    assert refusal["message"].startswith("refusing to start")
    assert refusal["topics"] == [
        f"{hazards}: retention.ms={SEVEN_DAYS} deletes events older than that"
    ]
    assert not any(e["message"].startswith("Uvicorn running") for e in entries)
