"""The secure broker (`deploy/stack up --secure`: SASL_SSL with SCRAM, ACLs per service)
on a broker of this test's own: clients without credentials, with a wrong password, a
service writing another service's topic and the read-only subscriber writing anything
are refused; then every service runs under its own principal and the reference campaign
gives its figures, read back by the subscriber principal."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError
from aiosmtpd.controller import Controller

from crosscheck_demo.driver import SERVICES, DemoSettings, Endpoints, run
from crosscheck_platform.db import Database
from crosscheck_platform.kafka.security import KafkaSecurity, client_options
from crosscheck_testing.fixtures import new_namespace
from crosscheck_testing.infra import Infra
from crosscheck_testing.issuer import IssuedTokens
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import service_env, service_process

from .test_reference_campaign import Mailbox

pytestmark = pytest.mark.infra

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "secure_kafka.py"


@dataclass(frozen=True)
class SecureKafka:
    env: dict[str, str]
    bootstrap: str
    schema_prefix: str

    def settings(self, principal: str) -> dict[str, str]:
        out = subprocess.run(
            [sys.executable, str(SCRIPT), "env", principal],
            env=self.env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        return dict(line.split("=", 1) for line in out.stdout.splitlines())

    def security(self, principal: str, password: str | None = None) -> KafkaSecurity:
        s = self.settings(principal)
        return KafkaSecurity(
            security_protocol="SASL_SSL",
            sasl_username=principal,
            sasl_password=password or s["CROSSCHECK_KAFKA_SASL_PASSWORD"],
            ssl_cafile=Path(s["CROSSCHECK_KAFKA_SSL_CAFILE"]),
        )


def _three_free_ports() -> int:
    for _ in range(50):
        port = free_port()
        if port < 65000 and all(_free(port + n) for n in (1, 2)):
            return port
    raise RuntimeError("no three consecutive free ports")


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def secure() -> Iterator[SecureKafka]:
    state = Path(tempfile.mkdtemp(prefix="crosscheck-secure-kafka-"))
    port = _three_free_ports()
    prefix = new_namespace("tsec") + "_"
    env = {
        "CROSSCHECK_SECURE_KAFKA_SCHEMA_PREFIX": prefix,
        **os.environ,
        "CROSSCHECK_SECURE_KAFKA_STATE": str(state),
        "CROSSCHECK_SECURE_KAFKA_PORT": str(port),
        "CROSSCHECK_TOPIC_NAMESPACE": "",
    }
    try:
        up = subprocess.run(
            [sys.executable, str(SCRIPT), "up"], env=env, capture_output=True, text=True,
            timeout=600,
        )  # fmt: skip
        assert up.returncode == 0, up.stdout + up.stderr
        yield SecureKafka(env, f"127.0.0.1:{port}", prefix)
    finally:
        subprocess.run([sys.executable, str(SCRIPT), "down"], env=env, check=False, timeout=120)
        shutil.rmtree(state, ignore_errors=True)


async def _send(bootstrap: str, security: KafkaSecurity | None, topic: str) -> None:
    options = (
        client_options(bootstrap, security)
        if security is not None
        else {"bootstrap_servers": bootstrap}
    )
    producer = AIOKafkaProducer(**options, request_timeout_ms=10_000, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}", key=b"k")
    finally:
        await producer.stop()


async def test_unauthorised_clients_are_refused(secure: SecureKafka) -> None:
    started = time.monotonic()
    with pytest.raises((KafkaError, OSError, TimeoutError)):  # no credentials, no TLS
        await asyncio.wait_for(_send(secure.bootstrap, None, "crosscheck.registry.v1"), 30)
    with pytest.raises(KafkaError):  # a wrong password
        await _send(
            secure.bootstrap, secure.security("registry", "guessed"), "crosscheck.registry.v1"
        )
    registry = secure.security("registry")
    await _send(secure.bootstrap, registry, "crosscheck.registry.v1")  # its own topic
    with pytest.raises(TopicAuthorizationFailedError):  # another service's topic
        await _send(secure.bootstrap, registry, "crosscheck.hazards.v1")
    with pytest.raises(TopicAuthorizationFailedError):  # the subscriber only reads
        await _send(secure.bootstrap, secure.security("subscriber"), "crosscheck.registry.v1")
    assert time.monotonic() - started < 120


async def _subscriber_counts(secure: SecureKafka, expected: Counter[str]) -> Counter[str]:
    consumer = AIOKafkaConsumer(
        "crosscheck.hazards.v1",
        "crosscheck.notify.v1",
        **client_options(secure.bootstrap, secure.security("subscriber")),
        group_id="subscriber.e2e",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: Counter[str] = Counter()
    ids: set[bytes] = set()
    try:
        async with asyncio.timeout(60):
            while any(seen[k] < n for k, n in expected.items()):
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        headers = dict(record.headers)
                        if headers["ce_id"] in ids:
                            continue
                        ids.add(headers["ce_id"])
                        seen[headers["ce_type"].decode().rsplit(".", 1)[-1]] += 1
    except TimeoutError:
        pass  # the assertion says what is missing
    finally:
        await consumer.stop()
    return Counter({k: seen[k] for k in expected})


async def test_the_campaign_runs_with_a_principal_per_service(
    secure: SecureKafka, infra: Infra, tmp_path: Path
) -> None:
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        async with AsyncExitStack() as stack:
            endpoints: dict[str, str] = {}
            for name in SERVICES:
                port = free_port()
                log = stack.enter_context((tmp_path / f"{name}.log").open("wb"))
                env = service_env(
                    infra,
                    schema=f"{secure.schema_prefix}{name}",
                    namespace="",
                    port=port,
                    CROSSCHECK_NOTIFY_SMTP_HOST="127.0.0.1",
                    CROSSCHECK_NOTIFY_SMTP_PORT=str(smtp.port),
                    CROSSCHECK_NOTIFY_POLL_INTERVAL_S="0.2",
                    CROSSCHECK_LOG_LEVEL="WARNING",
                    **secure.settings(name),
                )
                base, _ = await stack.enter_async_context(
                    service_process(f"crosscheck_{name}.main", env, port, stdout=log, stderr=log)
                )
                endpoints[name] = base
            outcome = await run(
                DemoSettings(
                    tokens=IssuedTokens(infra.issuer),
                    endpoints=Endpoints(**endpoints),
                    state_dir=tmp_path / "demo",
                    timeout_s=180,
                )
            )
            f = outcome.figures
            assert (f["places_inspected"], f["hazards"], f["verified"], f["open"]) == (
                68,
                164,
                159,
                5,
            )
            assert f["rectification_percent"] == 97
            expected = Counter(
                {"HazardFound": 164, "RectificationVerified": 159, "RectificationOverdue": 1}
            )
            assert await _subscriber_counts(secure, expected) == expected
    finally:
        smtp.stop()
        cleanup = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
        for name in SERVICES:
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {secure.schema_prefix}{name} CASCADE")
        await cleanup.close()
