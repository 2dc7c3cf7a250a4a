"""What a notice says of its hazard beyond the hazards events, as the service learns it
from Kafka: the place's name and address (registry's SiteRegistered) and the public
status link of the hazard's rectification notice (hazards' NoticeIssued), in an e-mail
sent through a real SMTP server with its Date and Message-ID, and in a signed webhook,
where they are fields of their own as well."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.message import Message
from email.utils import parsedate_to_datetime

import pytest

from crosscheck_contracts import kafka as wire
from crosscheck_contracts.base import Event
from crosscheck_contracts.envelope import Tenant
from crosscheck_contracts.events import NoticeIssued, SiteRegistered
from crosscheck_contracts.events.notify import Channel, RecipientRole
from crosscheck_contracts.samples import sample, sample_envelope
from crosscheck_contracts.topics import Topics
from crosscheck_notify import bootstrap
from crosscheck_notify.adapters.channels import (
    EmailSender,
    Sender,
    SignedPoster,
    SmtpSettings,
    WebhookSender,
    http_client,
)
from crosscheck_notify.adapters.directory import Contact, TableDirectory
from crosscheck_platform.clock import ManualClock
from crosscheck_platform.db import Database
from crosscheck_platform.kafka import reliable_producer
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.infra import Infra

from . import harness
from .domain_helpers import DEADLINE, TOWNSHIP, History
from .receivers import SECRET, smtp_server, webhook_receiver
from .test_service import eventually, notify_settings
from .test_worker import POLICY

pytestmark = pytest.mark.infra

STATUS_URL = "https://hazards.example.gov.cn/public/notices/Xq3v9Lr0aTf2mWc8HkP1sY7dNb4eUg6J"


async def publish(infra: Infra, topics: Topics, events: list[Event]) -> None:
    producer = reliable_producer(infra.kafka_bootstrap)
    await producer.start()
    try:
        for event in events:
            envelope = sample_envelope(
                event, tenant=Tenant(county=harness.COUNTY, township=TOWNSHIP)
            )
            key, headers, value = wire.encode(envelope, event)
            await producer.send_and_wait(
                topics.of(event.context), value=value, key=key, headers=headers
            )
    finally:
        await producer.stop()


async def test_a_mail_names_the_place_and_links_the_status_page(
    infra: Infra, database: Database, topics: Topics
) -> None:
    store = await harness.setup(database, topics)
    settings = ServiceSettings(
        kafka_bootstrap=infra.kafka_bootstrap,
        database_url=infra.database_url,
        topic_namespace=topics.namespace,
        db_schema=database.schema,
        oidc_issuer="http://issuer.invalid/realms/crosscheck",
    )
    app = bootstrap.build_app(
        settings, notify_settings(), ManualClock(DEADLINE - 5 * timedelta(days=1))
    )
    async with app.router.lifespan_context(app):
        await publish(
            infra,
            topics,
            [
                sample(SiteRegistered, site_id="site-1", name="老王饭店", address="大庄村12号"),
                sample(NoticeIssued, hazard_ids=["hz-place"], status_url=STATUS_URL),
            ],
        )

        async def known() -> bool:
            places = await database.fetchval("SELECT count(*) FROM known_places")
            links = await database.fetchval("SELECT count(*) FROM hazard_links")
            return bool(places == 1 and links == 1)

        await eventually(known, "the place and the notice's link")

    histories = [History("hz-place").found().assigned()]
    await harness.schedule(database, histories, POLICY)
    directory = TableDirectory(database)
    clock = ManualClock(DEADLINE - timedelta(days=1))
    async with (
        smtp_server() as (port, mailbox),
        webhook_receiver() as receiver,
        http_client() as client,
    ):
        await directory.put(
            TOWNSHIP,
            RecipientRole.VILLAGE_COMMITTEE,
            "v-1",
            Contact(Channel.WEBHOOK, f"{receiver.url}/village"),
        )
        await directory.put(
            TOWNSHIP,
            RecipientRole.RESPONSIBLE_PERSON,
            "site-1",
            Contact(Channel.EMAIL, "owner@example.org", language="en"),
        )
        email = EmailSender(SmtpSettings(host="127.0.0.1", port=port, sender="notify@example.org"))
        poster = SignedPoster(client, SECRET, clock, retry_delays=(0.0,))
        senders: dict[Channel, Sender] = {
            Channel.EMAIL: email,
            Channel.WEBHOOK: WebhookSender(poster),
        }
        worker = harness.worker(database, store, directory, client, clock, POLICY, senders=senders)
        assert await worker.drain() == 4
        for _ in range(100):
            if len(mailbox) == 2:
                break
            await asyncio.sleep(0.02)
    assert len(mailbox) == 2

    def body(m: Message) -> str:
        payload = m.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode(m.get_content_charset() or "utf-8")

    for m in mailbox:
        assert m["Message-ID"] and parsedate_to_datetime(m["Date"]) is not None
        assert STATUS_URL in body(m)
    hooks = receiver.on("village")
    assert len(hooks) == 2
    for hook in hooks:
        assert "场所:老王饭店(地址:大庄村12号)" in hook.body["text"]
        assert f"整改进度查询:{STATUS_URL}" in hook.body["text"]
        assert (hook.body["place"], hook.body["address"]) == ("老王饭店", "大庄村12号")
        assert hook.body["status_url"] == STATUS_URL
    en = [body(m) for m in mailbox if m["To"] == "owner@example.org"]
    assert all("Place: 老王饭店 (大庄村12号)" in b and "Status: " in b for b in en)
