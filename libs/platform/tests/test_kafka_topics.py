"""Event topics on the real broker: created as the permanent log with the cluster's
replication, and checked when a service starts (it refuses topics that drop events)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from pydantic import ValidationError

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.topics import Topics, dead_letter_topic
from crosscheck_platform.db import Database
from crosscheck_platform.http import ServiceSpec, service_app
from crosscheck_platform.kafka import PERMANENT_LOG as PERMANENT
from crosscheck_platform.kafka import Replication, TopicRefused, admin_client, ensure_topics
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.infra import Infra
from crosscheck_testing.schema import migrated

pytestmark = pytest.mark.infra

SEVEN_DAYS = "604800000"


async def described(bootstrap: str, names: list[str]) -> dict[str, dict[str, Any]]:
    """Each topic's replication factor and effective settings, as the broker says."""
    async with admin_client(bootstrap) as admin:
        topics = await admin.describe_topics(names)
        [response] = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, n) for n in names]
        )
    configs = {
        r["resource_name"]: {e["config_names"]: e["config_value"] for e in r["config_entries"]}
        for r in response.to_object()["resources"]
    }
    return {
        t["topic"]: {
            "replicas": {len(p["replicas"]) for p in t["partitions"]},
            **configs[t["topic"]],
        }
        for t in topics
    }


async def cluster_size(bootstrap: str) -> int:
    async with admin_client(bootstrap) as admin:
        return len((await admin.describe_cluster())["brokers"])


async def create_plain(
    bootstrap: str, name: str, configs: Mapping[str, str], *, replicas: int | None = None
) -> None:
    """A topic made as an operator might, outside the platform: as replicated as the
    cluster wants unless `replicas` says otherwise, with `configs` on top."""
    wanted = Replication.for_cluster(await cluster_size(bootstrap))
    settings = {"min.insync.replicas": str(wanted.min_insync), **configs}
    async with admin_client(bootstrap) as admin:
        response = await admin.create_topics(
            [NewTopic(name, 1, replicas or wanted.factor, topic_configs=settings)]
        )
        assert response.to_object()["topic_errors"][0]["error_code"] == 0
        async with asyncio.timeout(30):
            while name not in await admin.list_topics():
                await asyncio.sleep(0.05)


async def existing(bootstrap: str) -> set[str]:
    async with admin_client(bootstrap) as admin:
        return set(await admin.list_topics())


@pytest.fixture
def brokers_seen(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Once n is appended, the admin client reports n brokers, so the replication
    computed for another cluster can be seen against the stack at hand."""
    count: list[int] = []
    describe = AIOKafkaAdminClient.describe_cluster

    async def pretend(self: AIOKafkaAdminClient) -> dict[str, Any]:
        found: dict[str, Any] = await describe(self)
        if count:
            found["brokers"] = [{"node_id": n} for n in range(count[0])]
        return found

    monkeypatch.setattr(AIOKafkaAdminClient, "describe_cluster", pretend)
    return count


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[NewTopic]:
    """The topics the admin client asks the broker to create."""
    requests: list[NewTopic] = []
    create = AIOKafkaAdminClient.create_topics

    async def recording(self: AIOKafkaAdminClient, topics: list[NewTopic], **kw: Any) -> Any:
        requests.extend(topics)
        return await create(self, topics, **kw)

    monkeypatch.setattr(AIOKafkaAdminClient, "create_topics", recording)
    return requests


async def test_platform_topics_keep_every_event(infra: Infra, unique_name: str) -> None:
    topics = Topics(unique_name).all
    wanted = await ensure_topics(infra.kafka_bootstrap, topics, partitions=2)
    names = topics + [dead_letter_topic(t) for t in topics]
    assert wanted == Replication.for_cluster(await cluster_size(infra.kafka_bootstrap))
    for name, topic in (await described(infra.kafka_bootstrap, names)).items():
        assert topic["retention.ms"] == "-1", name
        assert topic["retention.bytes"] == "-1", name
        assert topic["cleanup.policy"] == "delete", name
        assert topic["min.insync.replicas"] == str(wanted.min_insync), name
        assert topic["replicas"] == {wanted.factor}, name
    # A second start finds them as they should be.
    assert await ensure_topics(infra.kafka_bootstrap, topics, partitions=2) == wanted


async def test_a_service_refuses_topics_with_kafkas_default_retention(
    infra: Infra, database: Database, unique_name: str
) -> None:
    hazards = Topics(unique_name).of(BoundedContext.HAZARDS)
    await create_plain(infra.kafka_bootstrap, hazards, {"retention.ms": SEVEN_DAYS})
    settings = infra.service_settings(unique_name, database.schema)
    await migrated(database)
    app = service_app(ServiceSpec(name="probe"), settings)
    with pytest.raises(TopicRefused) as refused:
        async with app.router.lifespan_context(app):
            pass
    assert refused.value.lines == [
        f"{hazards}: retention.ms={SEVEN_DAYS} deletes events older than that"
    ]
    assert "refusing to start" in str(refused.value)


async def test_a_service_told_the_deployment_creates_topics_only_checks_them(
    infra: Infra, database: Database, unique_name: str
) -> None:
    settings = infra.service_settings(unique_name, database.schema).model_copy(
        update={"kafka_create_topics": False}
    )
    await migrated(database)
    app = service_app(ServiceSpec(name="probe"), settings)
    with pytest.raises(TopicRefused) as refused:
        async with app.router.lifespan_context(app):
            pass
    missing = [line.partition(":")[0] for line in refused.value.lines]
    topics = Topics(unique_name).all
    assert missing == topics + [dead_letter_topic(t) for t in topics]
    assert not {t for t in await existing(infra.kafka_bootstrap) if t.startswith(unique_name)}


def test_the_topic_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSCHECK_KAFKA_CREATE_TOPICS", raising=False)
    monkeypatch.delenv("CROSSCHECK_KAFKA_REPLICATION_FACTOR", raising=False)
    defaults = ServiceSettings()
    assert (defaults.kafka_create_topics, defaults.kafka_replication_factor) == (True, None)
    monkeypatch.setenv("CROSSCHECK_KAFKA_CREATE_TOPICS", "false")
    monkeypatch.setenv("CROSSCHECK_KAFKA_REPLICATION_FACTOR", "2")
    settings = ServiceSettings()
    assert (settings.kafka_create_topics, settings.kafka_replication_factor) == (False, 2)
    monkeypatch.setenv("CROSSCHECK_KAFKA_REPLICATION_FACTOR", "0")
    with pytest.raises(ValidationError, match="kafka_replication_factor"):
        ServiceSettings()


async def test_compaction_and_a_size_limit_are_refused(infra: Infra, unique_name: str) -> None:
    compacted, capped = f"{unique_name}.compacted", f"{unique_name}.capped"
    await create_plain(infra.kafka_bootstrap, compacted, {**PERMANENT, "cleanup.policy": "compact"})
    await create_plain(
        infra.kafka_bootstrap, capped, {"retention.ms": "-1", "retention.bytes": "1048576"}
    )
    with pytest.raises(TopicRefused) as refused:
        await ensure_topics(infra.kafka_bootstrap, [compacted, capped], with_dead_letters=False)
    assert refused.value.lines == [
        f"{compacted}: cleanup.policy=compact keeps only the latest event of each aggregate",
        f"{capped}: retention.bytes=1048576 deletes a partition's oldest events at that size",
    ]


async def test_when_the_deployment_creates_topics_a_missing_one_is_refused_not_made(
    infra: Infra, unique_name: str
) -> None:
    topics = Topics(unique_name).all
    with pytest.raises(TopicRefused) as refused:
        await ensure_topics(infra.kafka_bootstrap, topics, create=False)
    assert len(refused.value.lines) == 2 * len(topics)
    assert "CROSSCHECK_KAFKA_CREATE_TOPICS=false" in refused.value.lines[0]
    assert not {t for t in await existing(infra.kafka_bootstrap) if t.startswith(unique_name)}


async def test_when_the_deployment_creates_topics_good_ones_are_accepted(
    infra: Infra, unique_name: str
) -> None:
    name = f"{unique_name}.made-by-the-deployment"
    await create_plain(infra.kafka_bootstrap, name, PERMANENT)
    assert await ensure_topics(
        infra.kafka_bootstrap, [name], with_dead_letters=False, create=False
    ) == Replication.for_cluster(await cluster_size(infra.kafka_bootstrap))


@pytest.mark.parametrize(
    ("brokers", "factor", "min_insync"), [(5, 3, "2"), (3, 3, "2"), (2, 2, "1")]
)
async def test_topics_are_asked_for_with_the_clusters_replication(
    infra: Infra,
    unique_name: str,
    brokers_seen: list[int],
    asked: list[NewTopic],
    brokers: int,
    factor: int,
    min_insync: str,
) -> None:
    really = await cluster_size(infra.kafka_bootstrap)
    brokers_seen.append(brokers)
    name = f"{unique_name}.replicated"
    if factor <= really:
        await ensure_topics(infra.kafka_bootstrap, [name], with_dead_letters=False)
    else:
        # The broker refuses what it cannot hold, and the refusal names the topic.
        with pytest.raises(TopicRefused) as refused:
            await ensure_topics(infra.kafka_bootstrap, [name], with_dead_letters=False)
        [line] = refused.value.lines
        assert line.startswith(f"{name}: not created: ")
        assert f"replication factor of {factor} cannot be reached" in line
    [topic] = asked
    assert (topic.name, topic.replication_factor) == (name, factor)
    assert topic.topic_configs == {
        "retention.ms": "-1",
        "retention.bytes": "-1",
        "cleanup.policy": "delete",
        "min.insync.replicas": min_insync,
    }


async def test_the_replication_setting_wins_over_the_broker_count(
    infra: Infra, unique_name: str, brokers_seen: list[int]
) -> None:
    brokers_seen.append(3)
    name = f"{unique_name}.one-replica"
    wanted = await ensure_topics(
        infra.kafka_bootstrap, [name], with_dead_letters=False, replication_factor=1
    )
    assert wanted == Replication(1, 1)
    topic = (await described(infra.kafka_bootstrap, [name]))[name]
    assert (topic["replicas"], topic["min.insync.replicas"]) == ({1}, "1")


async def test_existing_topics_with_fewer_replicas_than_the_cluster_wants_are_refused(
    infra: Infra, unique_name: str, brokers_seen: list[int]
) -> None:
    name = f"{unique_name}.under-replicated"
    await create_plain(
        infra.kafka_bootstrap, name, {**PERMANENT, "min.insync.replicas": "1"}, replicas=1
    )
    brokers_seen.append(3)
    with pytest.raises(TopicRefused) as refused:
        await ensure_topics(infra.kafka_bootstrap, [name], with_dead_letters=False)
    assert refused.value.lines == [
        f"{name}: replication factor 1, below the 3 wanted "
        "(CROSSCHECK_KAFKA_REPLICATION_FACTOR or min(3, brokers))",
        f"{name}: min.insync.replicas=1, below 2: an acknowledged event could be on one "
        "broker only",
    ]
