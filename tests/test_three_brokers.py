"""All five services against a 3-broker cluster: they start (the comma-separated bootstrap
reaches every client as three brokers) and their topics are replicated 3 times with
min.insync.replicas 2 and kept forever.

Starting a 3-broker cluster costs 20-80 s on the 2-core machines, too much for every run,
so this test runs when one is given: start it with `CROSSCHECK_KAFKA_PORT=29092
CROSSCHECK_PG_PORT=57432 deploy/stack up --brokers 3` in a second checkout (or on other
ports) and set CROSSCHECK_TEST_THREE_BROKERS to its bootstrap. The database is the one the
other tests use. libs/platform/tests/test_kafka_topics.py checks the replication computed
for three brokers on the one-broker stack in every run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from crosscheck_contracts.topics import Topics, dead_letter_topic
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import admin_client, delete_topics_under
from crosscheck_testing.infra import Infra
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

pytestmark = pytest.mark.infra

THREE_BROKERS = os.environ.get("CROSSCHECK_TEST_THREE_BROKERS", "")
SERVICES = ["registry", "rotation", "hazards", "notify", "ledgers"]
SECRET = "test-secret-for-three-brokers-0123456789"


@pytest.fixture
async def five_services(
    infra: Infra, unique_name: str, database: Database
) -> AsyncIterator[list[str]]:
    """Every service as its own process on the 3-broker cluster, each ready; their base
    URLs. The topics they made are deleted afterwards."""
    if not THREE_BROKERS:
        pytest.skip("no 3-broker cluster: set CROSSCHECK_TEST_THREE_BROKERS to its bootstrap")
    try:
        async with AsyncExitStack() as stack:
            bases = []
            for name in SERVICES:
                port = free_port()
                env = service_env(
                    infra,
                    schema=f"{unique_name}_{name}",
                    namespace=unique_name,
                    secret=SECRET,
                    port=port,
                    CROSSCHECK_KAFKA_BOOTSTRAP=THREE_BROKERS,
                    CROSSCHECK_LOG_LEVEL="WARNING",
                )
                base, _ = await stack.enter_async_context(
                    service_process(f"crosscheck_{name}.main", env, port)
                )
                bases.append(base)
            yield bases
    finally:
        await delete_topics_under(THREE_BROKERS, [f"{unique_name}."])
        for name in SERVICES:
            await database.execute(f"DROP SCHEMA IF EXISTS {unique_name}_{name} CASCADE")


async def test_five_services_start_on_three_brokers_with_replicated_permanent_topics(
    five_services: list[str], unique_name: str
) -> None:
    assert len(five_services) == len(SERVICES)  # each answered /readyz with 200
    topics = Topics(unique_name).all
    names = topics + [dead_letter_topic(t) for t in topics]
    async with admin_client(THREE_BROKERS) as admin:
        assert len((await admin.describe_cluster())["brokers"]) == 3
        described = await admin.describe_topics(names)
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, n) for n in names]
        )
    replicas = {t["topic"]: {len(p["replicas"]) for p in t["partitions"]} for t in described}
    assert replicas == {n: {3} for n in names}
    for resource in response.to_object()["resources"]:
        configs = {e["config_names"]: e["config_value"] for e in resource["config_entries"]}
        wanted = ("-1", "-1", "delete", "2")
        keys = ("retention.ms", "retention.bytes", "cleanup.policy", "min.insync.replicas")
        assert tuple(configs[k] for k in keys) == wanted, resource["resource_name"]
