"""All five services on a 3-broker Kafka cluster of this test session's own, started by
`deploy/stack up --brokers 3 --kafka-only` in a state folder and on ports of its own (the
shared stack's broker is not touched; the database is the shared PostgreSQL, each service
in a schema of this module's own). The services take the settings the stack prints.

1. They start, and every topic they made has 3 replicas, min.insync.replicas 2 and no
   retention limit.
2. The reference campaign runs through their HTTP APIs, and the broker leading the most
   event-topic partitions is killed with SIGKILL once its first round is recorded.
   Nothing is lost: the campaign's figures come out of the ledgers (fed by the topics), no
   outbox row is left, every event each service committed (a command is acknowledged
   only once its events and their outbox rows are committed, in one statement) is on its
   topic, once after dropping redelivered copies (the same event id), the topics hold no
   event the stores do not, and no dead letter was written. The services still answer.

The brokers run C1-compiled only (less CPU while three JVMs start on two cores) with a
256 MB heap.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiosmtpd.controller import Controller

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.topics import Topics, dead_letter_topic
from crosscheck_demo.driver import SERVICES, DemoSettings, Endpoints, run
from crosscheck_platform import migrations
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import admin_client
from crosscheck_testing.infra import Infra
from crosscheck_testing.issuer import IssuedTokens
from crosscheck_testing.kafka_reading import read_to_end
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

from .e2e.test_reference_campaign import Mailbox

pytestmark = pytest.mark.infra

STACK = Path(__file__).resolve().parents[1] / "deploy" / "stack"
PUBLISHERS = ("registry", "rotation", "hazards", "notify")


@dataclass(frozen=True)
class Cluster:
    bootstrap: str
    """As `deploy/stack up` printed it."""
    nodes: Path
    """The cluster's folder: node-N/kafka.pid for node N."""
    base_port: int

    def pid(self, node: int) -> int:
        return int((self.nodes / f"node-{node}" / "kafka.pid").read_text())

    def client_port(self, node: int) -> int:
        return self.base_port + 2 * (node - 1)


def _six_free_ports() -> int:
    """A base port with the five after it free, below the kernel's ephemeral range: the
    brokers bind them seconds later, and a port from that range can meanwhile become the
    local end of any program's outgoing connection (it happened)."""
    try:
        ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768
    for _ in range(200):
        base = random.randrange(20000, ephemeral - 6, 2)
        if all(_free(base + n) for n in range(6)):
            return base
    raise RuntimeError("no six consecutive free ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="session")
def three_brokers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    state = tmp_path_factory.mktemp("three-brokers")
    port = _six_free_ports()
    env = {
        **os.environ,
        "CROSSCHECK_STACK_STATE": str(state),
        "CROSSCHECK_KAFKA_PORT": str(port),
        "CROSSCHECK_KAFKA_HEAP": "256m",
        "CROSSCHECK_KAFKA_JAVA_OPTS": "-XX:TieredStopAtLevel=1",
    }
    stack = [str(STACK)]
    try:
        up = subprocess.run(
            [*stack, "up", "--brokers", "3", "--kafka-only"],
            env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert up.returncode == 0, up.stdout + up.stderr
        printed = re.search(r"export CROSSCHECK_KAFKA_BOOTSTRAP=(\S+)", up.stdout)
        assert printed is not None, up.stdout
        yield Cluster(printed.group(1), state / "kafka" / f"three-{port}", port)
    finally:
        subprocess.run([*stack, "down", "--kafka-only"], env=env, check=False, timeout=300)
        shutil.rmtree(state, ignore_errors=True)


@dataclass(frozen=True)
class Services:
    endpoints: Endpoints
    namespace: str
    schema_prefix: str


@pytest.fixture(scope="module")
async def services(
    infra: Infra, three_brokers: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Services]:
    """The five services, each its own process on the 3 brokers, started together."""
    namespace = f"t3b{os.getpid()}"  # the cluster is this session's: no other test's topics
    prefix = f"{namespace}_"
    logs = tmp_path_factory.mktemp("three-broker-services")
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        async with AsyncExitStack() as stack:

            async def start(name: str) -> str:
                port = free_port()
                log = stack.enter_context((logs / f"{name}.log").open("wb"))
                env = service_env(
                    infra,
                    schema=f"{prefix}{name}",
                    namespace=namespace,
                    port=port,
                    CROSSCHECK_KAFKA_BOOTSTRAP=three_brokers.bootstrap,
                    CROSSCHECK_NOTIFY_SMTP_HOST="127.0.0.1",
                    CROSSCHECK_NOTIFY_SMTP_PORT=str(smtp.port),
                    CROSSCHECK_NOTIFY_POLL_INTERVAL_S="0.2",
                    CROSSCHECK_LOG_LEVEL="WARNING",
                )
                base, _ = await stack.enter_async_context(
                    service_process(
                        f"crosscheck_{name}.main", env, port, migrate=False, stdout=log, stderr=log
                    )
                )
                return base

            for name in SERVICES:  # one at a time: alembic's runner is not thread-safe
                await migrations.migrate(infra.database_url, f"{prefix}{name}", name)
            # Every start is entered before any failure is raised, so the stack stops all.
            started = await asyncio.gather(*(start(n) for n in SERVICES), return_exceptions=True)
            for outcome in started:
                if isinstance(outcome, BaseException):
                    raise outcome
            bases = [b for b in started if isinstance(b, str)]
            yield Services(Endpoints(**dict(zip(SERVICES, bases, strict=True))), namespace, prefix)
    finally:
        smtp.stop()
        cleanup = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
        for name in SERVICES:
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {prefix}{name} CASCADE")
        await cleanup.close()


async def test_five_services_start_on_three_brokers_with_replicated_permanent_topics(
    services: Services, three_brokers: Cluster
) -> None:
    topics = Topics(services.namespace).all
    names = topics + [dead_letter_topic(t) for t in topics]
    async with admin_client(three_brokers.bootstrap) as admin:
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


async def _busiest_broker(bootstrap: str, topics: list[str]) -> int:
    async with admin_client(bootstrap) as admin:
        described = await admin.describe_topics(topics)
    leaders: Counter[int] = Counter(p["leader"] for t in described for p in t["partitions"])
    return min(leaders, key=lambda node: (-leaders[node], node))


async def _committed_events(infra: Infra, schema: str) -> set[str]:
    db = await Database.connect(infra.database_url, schema, min_size=1, max_size=1)
    try:
        for _ in range(600):  # the relay drains what is left of the outbox
            if await db.fetchval("SELECT count(*) FROM outbox") == 0:
                break
            await asyncio.sleep(0.1)
        assert await db.fetchval("SELECT count(*) FROM outbox") == 0, f"{schema}: outbox left"
        return {str(r["event_id"]) for r in await db.fetch("SELECT event_id FROM events")}
    finally:
        await db.close()


async def test_a_broker_killed_during_the_campaign_loses_nothing(
    services: Services, three_brokers: Cluster, infra: Infra, tmp_path: Path
) -> None:
    topics = Topics(services.namespace)
    event_topics = [topics.of(BoundedContext(name)) for name in PUBLISHERS]
    victim = await _busiest_broker(three_brokers.bootstrap, event_topics)
    victim_pid = three_brokers.pid(victim)
    killed_after: list[str] = []
    started = time.monotonic()

    def progress(line: str) -> None:
        print(f"{time.monotonic() - started:6.1f} s  {line}")
        if line.startswith("round 1:") and not killed_after:
            os.kill(victim_pid, signal.SIGKILL)
            killed_after.append(line)
            print(f"{time.monotonic() - started:6.1f} s  broker {victim} killed (SIGKILL)")

    outcome = await run(
        DemoSettings(
            tokens=IssuedTokens(infra.issuer),
            endpoints=services.endpoints,
            state_dir=tmp_path / "demo",
            timeout_s=120,
            progress=progress,
        )
    )
    assert killed_after, "the campaign never reported its first round"
    assert _free(three_brokers.client_port(victim)), "the killed broker still listens"

    f = outcome.figures
    assert (f["places_inspected"], f["hazards"], f["verified"], f["open"]) == (68, 164, 159, 5)
    assert (f["rectification_percent"], f["overdue"]) == (97, 1)

    records = await read_to_end(three_brokers.bootstrap, event_topics)
    on_topics: dict[str, Counter[str]] = {t: Counter() for t in event_topics}
    for record in records:
        on_topics[record.topic][dict(record.headers)["ce_id"].decode()] += 1
    for name, topic in zip(PUBLISHERS, event_topics, strict=True):
        committed = await _committed_events(infra, f"{services.schema_prefix}{name}")
        assert committed, name
        published = set(on_topics[topic])
        assert committed - published == set(), f"{name}: committed, not on {topic}"
        assert published - committed == set(), f"{name}: on {topic}, never committed"
        again = sum(n - 1 for n in on_topics[topic].values())
        print(f"{name}: {len(committed)} events, all on {topic} ({again} redelivered copies)")

    dead = [dead_letter_topic(t) for t in topics.all]
    assert await read_to_end(three_brokers.bootstrap, dead) == []

    async with httpx.AsyncClient(timeout=30) as client:
        for name in SERVICES:
            answer = await client.get(f"{services.endpoints.of(name)}/readyz")
            assert answer.status_code == 200, (name, answer.text)
