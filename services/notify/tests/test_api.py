"""The notify HTTP API on the real stack (its lifespan started, the real database):
a township admin keeps the township's contacts, the workers reach whoever is on
record there, and the notices history shows what became of every notice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from crosscheck_contracts.events.notify import Channel, RecipientRole
from crosscheck_contracts.topics import Topics
from crosscheck_notify import bootstrap
from crosscheck_notify.adapters.channels import http_client
from crosscheck_notify.adapters.directory import Contact, TableDirectory
from crosscheck_notify.domain.policy import NotifyPolicy
from crosscheck_notify.settings import NotifySettings
from crosscheck_platform.auth import Role
from crosscheck_platform.clock import ManualClock
from crosscheck_platform.db import Database
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.auth import bearer
from crosscheck_testing.infra import Infra
from crosscheck_testing.issuer import LocalIssuer
from crosscheck_testing.schema import migrated
from crosscheck_testing.tenancy import assert_out_of_scope

from . import harness
from .domain_helpers import DEADLINE, T0, TOWNSHIP, History
from .receivers import webhook_receiver

pytestmark = pytest.mark.infra

COUNTY = harness.COUNTY
OTHER_TOWNSHIP = "532327102"
DAY = timedelta(days=1)


@dataclass
class Api:
    app: FastAPI
    client: httpx.AsyncClient
    settings: ServiceSettings
    issuer: LocalIssuer

    def token(
        self, role: Role = Role.TOWNSHIP_ADMIN, township: str = TOWNSHIP, county: str = COUNTY
    ) -> dict[str, str]:
        return bearer(self.issuer, role, county=county, township=township, village_id="v-1")

    async def put_contact(
        self, role: str, ref: str, body: dict[str, Any], township: str = TOWNSHIP, **headers: str
    ) -> httpx.Response:
        return await self.client.put(
            f"/v1/townships/{township}/contacts/{role}/{ref}",
            json=body,
            headers={**self.token(township=township), **headers},
        )

    async def contacts(self, township: str = TOWNSHIP) -> list[dict[str, Any]]:
        response = await self.client.get(
            f"/v1/townships/{township}/contacts", headers=self.token(township=township)
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


@pytest.fixture
async def api(infra: Infra, database: Database, unique_name: str) -> AsyncIterator[Api]:
    settings = infra.service_settings(unique_name, database.schema)
    await migrated(database, "notify")
    # No workers in the app: the tests drive one with a controlled clock.
    app = bootstrap.build_app(settings, NotifySettings(workers=0), ManualClock(T0))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
            yield Api(app, client, settings, infra.issuer)


async def test_contacts_are_kept_per_township(api: Api, database: Database) -> None:
    response = await api.put_contact(
        "village_committee", "v-1", {"channel": "webhook", "address": "https://cunwei.example/h"}
    )
    assert response.status_code == 200, response.text
    stored = response.json()
    assert stored["township"] == TOWNSHIP
    assert (stored["role"], stored["ref"], stored["channel"]) == (
        "village_committee",
        "v-1",
        "webhook",
    )
    assert (stored["address"], stored["language"]) == ("https://cunwei.example/h", "zh")

    # The same recipient reference in another township is another contact.
    response = await api.put_contact(
        "village_committee",
        "v-1",
        {"channel": "email", "address": "cunwei@example.org", "language": "en"},
        township=OTHER_TOWNSHIP,
    )
    assert response.status_code == 200, response.text

    # A number is stored as the SMS gateway takes it; putting again replaces.
    response = await api.put_contact(
        "responsible_person", "site-1", {"channel": "sms", "address": "+86 138-1234-5678"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["address"] == "13812345678"
    response = await api.put_contact(
        "responsible_person", "site-1", {"channel": "sms", "address": "13900001111"}
    )
    assert response.json()["address"] == "13900001111"

    mine = await api.contacts()
    assert [(c["role"], c["ref"], c["channel"], c["address"]) for c in mine] == [
        ("responsible_person", "site-1", "sms", "13900001111"),
        ("village_committee", "v-1", "webhook", "https://cunwei.example/h"),
    ]
    theirs = await api.contacts(OTHER_TOWNSHIP)
    assert [(c["role"], c["address"], c["language"]) for c in theirs] == [
        ("village_committee", "cunwei@example.org", "en")
    ]

    # The workers look contacts up within the notice's township.
    found = await TableDirectory(database).lookup(
        [
            (TOWNSHIP, RecipientRole.VILLAGE_COMMITTEE, "v-1"),
            (OTHER_TOWNSHIP, RecipientRole.VILLAGE_COMMITTEE, "v-1"),
            (OTHER_TOWNSHIP, RecipientRole.RESPONSIBLE_PERSON, "site-1"),
        ]
    )
    assert {key: contact.address for key, contact in found.items()} == {
        (TOWNSHIP, RecipientRole.VILLAGE_COMMITTEE, "v-1"): "https://cunwei.example/h",
        (OTHER_TOWNSHIP, RecipientRole.VILLAGE_COMMITTEE, "v-1"): "cunwei@example.org",
    }

    # Deleting one township's contact leaves the other's.
    path = f"/v1/townships/{TOWNSHIP}/contacts/village_committee/v-1"
    response = await api.client.delete(path, headers=api.token())
    assert response.status_code == 204, response.text
    assert [c["role"] for c in await api.contacts()] == ["responsible_person"]
    assert len(await api.contacts(OTHER_TOWNSHIP)) == 1
    response = await api.client.delete(path, headers=api.token())
    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        f"该乡镇({TOWNSHIP})没有此联系人:village_committee v-1"
    )


async def test_invalid_contacts_are_refused_in_the_callers_language(api: Api) -> None:
    response = await api.put_contact(
        "responsible_person", "site-1", {"channel": "sms", "address": "12345"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "短信号码须为11位手机号码,例如 13812345678"
    assert error["detail"]["field"] == "address"
    assert response.headers["content-language"] == "zh-CN"

    response = await api.put_contact(
        "responsible_person",
        "site-1",
        {"channel": "email", "address": "not-an-address"},
        **{"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "This is not an e-mail address (e.g. zhangsan@example.cn)."
    )
    response = await api.put_contact(
        "village_committee", "v-1", {"channel": "webhook", "address": "ftp://cunwei.example"}
    )
    assert response.status_code == 422
    assert "http://" in response.json()["error"]["message"]

    # Malformed requests: every field named, in Chinese by default.
    response = await api.put_contact(
        "village_committee", "v-1", {"channel": "pigeon", "language": "fr", "extra": 1}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "提交的数据有误,请检查后重试"
    fields = {(f["location"], f["field"]) for f in error["detail"]["fields"]}
    assert fields == {
        ("body", "channel"),
        ("body", "address"),
        ("body", "language"),
        ("body", "extra"),
    }
    missing = [f for f in error["detail"]["fields"] if f["field"] == "address"]
    assert missing[0]["message"] == "此项为必填项"

    response = await api.put_contact(
        "mayor", "x", {"channel": "sms", "address": "13800000000"}, **{"Accept-Language": "en"}
    )
    assert response.status_code == 422
    [field] = response.json()["error"]["detail"]["fields"]
    assert (field["location"], field["field"]) == ("path", "role")
    assert response.json()["error"]["message"].startswith("The submitted data is invalid")
    assert await api.contacts() == []


async def test_contacts_belong_to_the_townships_admin(api: Api) -> None:
    base = f"/v1/townships/{TOWNSHIP}/contacts"
    body = {"channel": "sms", "address": "13800000000"}

    response = await api.client.get(base)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    response = await api.client.put(
        f"{base}/responsible_person/site-1", json=body, headers={"Authorization": "Bearer junk"}
    )
    assert response.status_code == 401

    other_admin = api.token(township=OTHER_TOWNSHIP)
    assert_out_of_scope(await api.client.get(base, headers=other_admin))
    assert_out_of_scope(
        await api.client.put(f"{base}/responsible_person/site-1", json=body, headers=other_admin)
    )

    # Personal data: the county's viewers and the township's other roles do not see it.
    for role in (Role.COUNTY_VIEWER, Role.INSPECTOR, Role.VILLAGE_COMMITTEE):
        response = await api.client.get(base, headers=api.token(role))
        assert response.status_code == 403, role
        response = await api.client.delete(
            f"{base}/responsible_person/site-1", headers=api.token(role)
        )
        assert response.status_code == 403, role
    assert await api.contacts() == []


async def test_notices_history_shows_each_notice_and_its_fate(
    api: Api, database: Database, topics: Topics
) -> None:
    policy = NotifyPolicy(max_attempts=1)
    store = await harness.setup(database, topics)
    histories = [History("hz-1").found().assigned(), History("hz-2").found().assigned()]
    await harness.schedule(database, histories, policy)
    # Verification cancels hz-2's notices (the consumer's part, tested in test_service).
    await database.execute(
        "UPDATE notices SET state = 'cancelled', settled_at = now() WHERE hazard_id = 'hz-2'"
    )
    clock = ManualClock(DEADLINE + policy.escalation_grace)
    async with webhook_receiver() as receiver, http_client() as client:
        # Contacts through the API; nobody on record for the township's leadership.
        for role, ref, path in (
            ("responsible_person", "site-1", "person"),
            ("village_committee", "v-1", "village"),
        ):
            body = {"channel": "webhook", "address": f"{receiver.url}/{path}"}
            response = await api.put_contact(role, ref, body)
            assert response.status_code == 200, response.text
        worker = harness.worker(database, store, TableDirectory(database), client, clock, policy)
        assert await worker.drain() == 8
    assert len(receiver.unique) == 6

    def listing(**params: Any) -> dict[str, str]:
        return {k: str(v) for k, v in params.items()}

    base = f"/v1/townships/{TOWNSHIP}/notices"
    response = await api.client.get(base, headers=api.token())
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 16 and len(page["items"]) == 16
    assert [i["due_at"] for i in page["items"]] == sorted(
        (i["due_at"] for i in page["items"]), reverse=True
    )

    response = await api.client.get(
        base, params=listing(hazard_id="hz-1", state="sent"), headers=api.token()
    )
    sent = response.json()["items"]
    assert len(sent) == 7
    assert {i["state"] for i in sent} == {"sent"}
    assert all(i["delivered_at"] is not None and i["attempts"] == 1 for i in sent)
    kinds = sorted(
        (i["kind"], (i["recipient"] or {}).get("role", "-"), i["channel"] or "-") for i in sent
    )
    assert kinds == [
        ("overdue", "-", "-"),  # the overdue record itself: nobody is told
        ("overdue", "responsible_person", "webhook"),
        ("overdue", "village_committee", "webhook"),
        ("reminder", "responsible_person", "webhook"),
        ("reminder", "responsible_person", "webhook"),
        ("reminder", "village_committee", "webhook"),
        ("reminder", "village_committee", "webhook"),
    ]
    assert {i["notice_id"] for i in sent if i["recipient"]} == set(receiver.unique)

    response = await api.client.get(base, params=listing(state="failed"), headers=api.token())
    [failed] = response.json()["items"]
    assert (failed["hazard_id"], failed["kind"], failed["state"]) == (
        "hz-1",
        "escalation",
        "failed",
    )
    assert failed["recipient"] == {"role": "township_leadership", "ref": TOWNSHIP}
    assert failed["attempts"] == 1 and failed["delivered_at"] is None
    assert "no contact" in failed["last_error"]
    assert datetime.fromisoformat(failed["due_at"]) == DEADLINE + policy.escalation_grace

    response = await api.client.get(base, params=listing(state="cancelled"), headers=api.token())
    cancelled = response.json()["items"]
    assert len(cancelled) == 8 and {i["hazard_id"] for i in cancelled} == {"hz-2"}
    assert all(i["delivered_at"] is None and i["attempts"] == 0 for i in cancelled)

    # Paging, and the county's viewer reads the same history.
    viewer = api.token(Role.COUNTY_VIEWER)
    response = await api.client.get(base, params=listing(limit=5, offset=15), headers=viewer)
    assert response.status_code == 200
    assert response.json()["total"] == 16 and len(response.json()["items"]) == 1
    response = await api.client.get(base, params=listing(limit=5, offset=20), headers=viewer)
    assert response.json() == {"items": [], "total": 16, "limit": 5, "offset": 20}

    # Another township's people and the township's inspectors are not this history's
    # readers (`test_out_of_scope_readers_are_refused_not_answered_empty`).
    response = await api.client.get(base, headers=api.token(Role.INSPECTOR))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    response = await api.client.get(base)
    assert response.status_code == 401
    response = await api.client.get(
        base, params=listing(state="delivered"), headers={**api.token(), "Accept-Language": "en"}
    )
    assert response.status_code == 422
    [field] = response.json()["error"]["detail"]["fields"]
    assert (field["location"], field["field"]) == ("query", "state")


async def test_a_contacts_table_without_townships_is_set_aside(database: Database) -> None:
    # The first shape of the table, keyed by recipient alone, with a row in it.
    await database.execute(
        """CREATE TABLE contacts (
            recipient_role text NOT NULL, recipient_ref text NOT NULL, channel text NOT NULL,
            address text NOT NULL, language text NOT NULL DEFAULT 'zh',
            PRIMARY KEY (recipient_role, recipient_ref))"""
    )
    await database.execute(
        "INSERT INTO contacts VALUES ('village_committee', 'v-1', 'sms', '13800000000', 'zh')"
    )
    await migrated(database, "notify")
    await migrated(database, "notify")  # nothing left to do once migrated
    directory = TableDirectory(database)
    assert await directory.list(TOWNSHIP) == []
    kept = await database.fetch("SELECT recipient_ref, address FROM contacts_unscoped")
    assert [tuple(r) for r in kept] == [("v-1", "13800000000")]
    contact = Contact(Channel.SMS, "13900000000")
    await directory.put(TOWNSHIP, RecipientRole.VILLAGE_COMMITTEE, "v-1", contact)
    [stored] = await directory.list(TOWNSHIP)
    assert stored.contact == contact


async def test_out_of_scope_readers_are_refused_not_answered_empty(
    api: Api, database: Database
) -> None:
    """Another county's viewer used to get this township's notices as an empty page;
    every reader out of scope now gets the same 403, whatever its role."""
    histories = [History("hz-1").found().assigned()]
    await harness.schedule(database, histories, NotifyPolicy())
    notices = f"/v1/townships/{TOWNSHIP}/notices"
    contacts = f"/v1/townships/{TOWNSHIP}/contacts"
    unregistered = f"/v1/townships/{COUNTY}199/notices"
    outsiders = [
        (Role.COUNTY_VIEWER, "532328", TOWNSHIP),
        (Role.COUNTY_ADMIN, "532328", TOWNSHIP),
        (Role.TOWNSHIP_ADMIN, COUNTY, OTHER_TOWNSHIP),
        (Role.VILLAGE_COMMITTEE, COUNTY, TOWNSHIP),  # the township's notices are no village's
    ]
    for role, county, township in outsiders:
        headers = api.token(role, county=county, township=township)
        for path in (notices, contacts, unregistered):
            assert_out_of_scope(await api.client.get(path, headers=headers))
    english = {**api.token(Role.COUNTY_VIEWER, county="532328"), "Accept-Language": "en"}
    assert_out_of_scope(await api.client.get(notices, headers=english))

    for role in (Role.COUNTY_VIEWER, Role.COUNTY_ADMIN):
        response = await api.client.get(notices, headers=api.token(role))
        assert response.status_code == 200, response.text
        assert response.json()["total"] > 0
