"""The reference campaign end to end: every service as its own process on the real stack
(own schemas, own topic namespace, a local SMTP server), driven by the demo through the
public HTTP APIs only. Checks the ledgers' figures, the recusal rules on every round
(the rotation's check endpoint and an independent reading of the plan against the
registry's staff list), the overdue notice delivered as mail, and that an outside
subscriber, a plain aiokafka consumer decoding with the CloudEvents SDK, sees every
InspectionCompleted, HazardFound and RectificationVerified."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message as EmailMessage
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from crosscheck_contracts.base import BoundedContext
from crosscheck_contracts.topics import Topics
from crosscheck_demo.driver import SERVICES, DemoSettings, Endpoints, Outcomes, run
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import bootstrap_servers
from crosscheck_testing.infra import Infra
from crosscheck_testing.issuer import IssuedTokens
from crosscheck_testing.ports import free_port
from crosscheck_testing.processes import wait_until_ready

pytestmark = pytest.mark.infra

WATCHED = ("InspectionCompleted", "HazardFound", "RectificationVerified", "RectificationOverdue")


class Mailbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[list[str], str, str]] = []

    def handle_message(self, message: object) -> None:
        assert isinstance(message, EmailMessage)
        subject = str(make_header(decode_header(message["Subject"] or "")))
        plain = [p for p in message.walk() if p.get_content_type() == "text/plain"]
        part = plain[0] if plain else message
        raw = part.get_payload(decode=True)
        body = raw.decode(part.get_content_charset() or "utf-8") if isinstance(raw, bytes) else ""
        self.messages.append(([message["To"] or ""], subject, body))


@dataclass
class Stack:
    endpoints: Endpoints
    namespace: str
    mailbox: Mailbox
    logs: Path


@pytest.fixture
async def stack(infra: Infra, unique_name: str, tmp_path: Path) -> AsyncIterator[Stack]:
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    ports = {name: free_port() for name in SERVICES}
    processes = []
    env = {
        **os.environ,
        "CROSSCHECK_KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "CROSSCHECK_DATABASE_URL": infra.database_url,
        "CROSSCHECK_TOPIC_NAMESPACE": unique_name,
        "CROSSCHECK_OIDC_ISSUER": infra.issuer.url,
        "CROSSCHECK_NOTIFY_SMTP_HOST": "127.0.0.1",
        "CROSSCHECK_NOTIFY_SMTP_PORT": str(smtp.port),
        "CROSSCHECK_NOTIFY_POLL_INTERVAL_S": "0.2",
    }
    try:
        for name in ports:
            # As `./crosscheck up` does: the schemas migrated by the command first.
            migrated = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "crosscheck_platform.migrations.cli",
                name,
                "--schema",
                f"{unique_name}_{name}",
                env=env,
            )
            assert await migrated.wait() == 0
        for name, port in ports.items():
            log = (tmp_path / f"{name}.log").open("wb")
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    f"crosscheck_{name}.main",
                    env={
                        **env,
                        "CROSSCHECK_DB_SCHEMA": f"{unique_name}_{name}",
                        "CROSSCHECK_HTTP_PORT": str(port),
                        # The notices' QR codes link to this run's hazards port.
                        "CROSSCHECK_HAZARDS_PUBLIC_URL": f"http://127.0.0.1:{port}",
                    },
                    stdout=log,
                    stderr=log,
                )
            )
        endpoints = Endpoints.on_ports(ports)
        for name, process in zip(SERVICES, processes, strict=True):
            try:
                await wait_until_ready(endpoints.of(name), process)
            except RuntimeError as exc:
                pytest.fail(f"{exc}\n{(tmp_path / f'{name}.log').read_text()}")
        yield Stack(endpoints, unique_name, mailbox, tmp_path)
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
        for process in processes:
            await process.wait()
        smtp.stop()
        cleanup = await Database.connect(infra.database_url, "public", min_size=1, max_size=1)
        for name in SERVICES:
            await cleanup.execute(f"DROP SCHEMA IF EXISTS {unique_name}_{name} CASCADE")
        await cleanup.close()


async def outside_subscriber(infra: Infra, namespace: str, expected: Counter[str]) -> Counter[str]:
    """Read the hazards and notify topics from the start as any other system would:
    aiokafka and the CloudEvents SDK, nothing of Crosscheck's, until the expected counts
    are reached."""
    consumer = AIOKafkaConsumer(
        Topics(namespace).of(BoundedContext.HAZARDS),
        Topics(namespace).of(BoundedContext.NOTIFY),
        bootstrap_servers=bootstrap_servers(infra.kafka_bootstrap),
        group_id=f"{namespace}-outsider",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: Counter[str] = Counter()
    ids: set[str] = set()
    try:
        async with asyncio.timeout(60):
            while any(seen[k] < n for k, n in expected.items()):
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        event = from_binary(
                            KafkaMessage(
                                headers=dict(record.headers), key=record.key, value=record.value
                            ),
                            JSONFormat(),
                        )
                        if event.get_id() in ids:
                            continue  # at least once: a repeat is the same event id
                        ids.add(event.get_id())
                        kind = event.get_type().rsplit(".", 1)[-1]
                        if kind in WATCHED:
                            seen[kind] += 1
    except TimeoutError:
        pass  # the assertion below says what is missing
    finally:
        await consumer.stop()
    return seen


async def test_reference_campaign_end_to_end(stack: Stack, infra: Infra, tmp_path: Path) -> None:
    settings = DemoSettings(
        tokens=IssuedTokens(infra.issuer),
        endpoints=stack.endpoints,
        state_dir=tmp_path / "demo",
        timeout_s=90,
        progress=lambda line: print(f"{time.monotonic() - started:6.1f} s  {line}"),
    )
    started = time.monotonic()
    outcome: Outcomes = await run(settings)

    f = outcome.figures
    assert (f["places_inspected"], f["hazards"], f["verified"], f["open"]) == (68, 164, 159, 5)
    assert f["rectification_percent"] == 97
    assert f["overdue"] == 1
    assert f["inspections"] == outcome.inspections == 68 * len(outcome.round_checks)
    assert set(outcome.hazards_by_category) >= {"fire_safety", "electricity", "gas"}

    assert len(outcome.round_checks) == 2
    for check in outcome.round_checks:
        assert check.service_held and check.service_agrees_with_recorded, check
        assert check.problems == [], check

    # The overdue record itself has no recipient; the notices to people do.
    overdue = [n for n in outcome.overdue_notices if n["kind"] == "overdue" and n["recipient"]]
    assert {(n["recipient"]["role"], n["state"]) for n in overdue} == {
        ("responsible_person", "sent"),
        ("village_committee", "sent"),
    }
    # Subjects name the hazard by its description; the body carries its id.
    late = f"编号 {outcome.overdue_hazard_id}"
    mailed = {
        to[0] for to, subject, body in stack.mailbox.messages if "逾期" in subject and late in body
    }
    assert len(mailed) == 2, stack.mailbox.messages

    assert outcome.xlsx is not None and outcome.xlsx.read_bytes()[:2] == b"PK"

    # The status link the demo prints opens without signing in and shows the overdue
    # hazard still being rectified.
    assert outcome.status_link is not None
    assert outcome.status_link.startswith(f"{stack.endpoints.hazards}/public/notices/")
    async with httpx.AsyncClient() as client:
        status = await client.get(outcome.status_link)
    assert status.status_code == 200, status.text
    assert "隐患整改进度" in status.text and "整改中" in status.text

    expected = Counter(
        {
            "InspectionCompleted": f["inspections"],
            "HazardFound": 164,
            "RectificationVerified": 159,
            "RectificationOverdue": 1,
        }
    )
    seen = await outside_subscriber(infra, stack.namespace, expected)
    assert seen == expected

    # Running it again changes nothing: the campaign is found and only read.
    again = await run(settings)
    assert again.resumed and again.campaign_id == outcome.campaign_id
    assert again.figures["hazards"] == 164 and again.figures["verified"] == 159

    assert_no_credentials_logged(stack.logs)


JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


def assert_no_credentials_logged(logs: Path) -> None:
    """Nothing the services wrote during the whole campaign (hundreds of requests, each
    with a bearer token) carries a token or an authorization header."""
    for log in sorted(logs.glob("*.log")):
        text = log.read_text(errors="replace")
        assert text, f"{log.name} is empty: the scan would prove nothing"
        assert not JWT.search(text), f"{log.name} holds a token"
        assert "Bearer " not in text and "authorization" not in text.lower(), log.name
