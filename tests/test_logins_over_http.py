"""Logins that follow the roster, on the real stack: the registry gives a township's
people logins at the stack's identity provider; the services accept the provider's
tokens and nothing forged; deactivating a staff member ends their login within seconds."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from crosscheck_platform.auth import Principal, Role
from crosscheck_platform.db import Database
from crosscheck_platform.identity import IdentityProvider, LoginRefused, TokenSet
from crosscheck_platform.identity.local import LocalAccounts
from crosscheck_registry import bootstrap
from crosscheck_testing.infra import IdentityInfra, Infra
from crosscheck_testing.logins import forget_logins
from crosscheck_testing.schema import migrated

COUNTY = "532327"


@dataclass
class Township:
    code: str
    village_id: str
    staff_id: str
    leader_id: str


@dataclass
class Stack:
    http: httpx.AsyncClient
    idp: IdentityProvider
    accounts: LocalAccounts
    township: Township

    async def as_admin(self, township: str | None = None) -> dict[str, str]:
        code = township or self.township.code
        principal = Principal(
            subject="admin", name="安全办", role=Role.TOWNSHIP_ADMIN, county=COUNTY, township=code
        )
        return {"Authorization": f"Bearer {await self.accounts.token(principal)}"}

    async def sign_in(self, username: str, password: str) -> TokenSet:
        return await self.idp.password_grant(username, password)


def phone() -> str:
    return "138" + "".join(secrets.choice("0123456789") for _ in range(8))


@pytest.fixture
async def stack(
    infra: Infra, identity: IdentityInfra, database: Database, unique_name: str
) -> AsyncIterator[Stack]:
    # The registry trusts the provider's own tokens here, not the session's test issuer.
    settings = infra.service_settings(unique_name, database.schema).model_copy(
        update={"oidc_issuer": identity.issuer}
    )
    await migrated(database, "registry")
    app = bootstrap.build_app(settings)
    # A township of its own: logins live at the provider across test runs.
    code = COUNTY + f"{secrets.randbelow(900) + 100}"
    async with (
        app.router.lifespan_context(app),
        IdentityProvider(identity.settings) as idp,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://registry", timeout=60
        ) as http,
    ):
        accounts = LocalAccounts(idp, environment="test")
        stack = Stack(http, idp, accounts, Township(code, "", "", ""))
        admin = await stack.as_admin()
        base = f"/v1/townships/{code}"
        created = await http.put(
            base, json={"name": "测试乡", "county_name": "永仁县"}, headers=admin
        )
        assert created.status_code == 201, created.text
        village = await http.post(
            f"{base}/villages", json={"code": code + "201", "name": "小河村委会"}, headers=admin
        )
        assert village.status_code == 201, village.text
        village_id = village.json()["id"]
        staff = await http.post(
            f"{base}/staff", json={"name": "马贵涛", "unit": "综治中心"}, headers=admin
        )
        leader = await http.post(
            f"{base}/staff",
            json={"name": "李明", "unit": "党政办", "is_leadership": True},
            headers=admin,
        )
        stack.township = Township(code, village_id, staff.json()["id"], leader.json()["id"])
        try:
            yield stack
        finally:
            await forget_logins(identity, code)


async def grant(stack: Stack, path: str, **body: Any) -> httpx.Response:
    return await stack.http.put(
        f"/v1/townships/{stack.township.code}/{path}/login",
        json=body,
        headers=await stack.as_admin(),
    )


async def test_the_providers_tokens_are_accepted_and_forged_ones_refused(stack: Stack) -> None:
    admin = await stack.as_admin()
    me = await stack.http.get("/v1/whoami", headers=admin)
    assert me.status_code == 200 and me.json()["township"] == stack.township.code
    token = admin["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    now = datetime.now(UTC)
    forged_claims = {**claims, "iat": now, "exp": now + timedelta(hours=1)}
    expired_claims = {**claims, "iat": now - timedelta(hours=2), "exp": now - timedelta(hours=1)}
    forged = {
        "shared secret": jwt.encode(forged_claims, "crosscheck-development-secret-change-me"),
        "alg none": jwt.encode(forged_claims, "", algorithm="none"),
        "tampered": token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB"),
        "expired (re-signed)": jwt.encode(expired_claims, "x" * 32),
        "another issuer": jwt.encode(
            {**forged_claims, "iss": "https://evil.example/realm"}, "k" * 32
        ),
    }
    for what, bad in forged.items():
        answer = await stack.http.get("/v1/whoami", headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401, what


async def test_a_staff_login_is_given_used_reset_disabled_and_enabled(stack: Stack) -> None:
    username = phone()
    given = await grant(
        stack,
        f"staff/{stack.township.staff_id}",
        username=username,
        password="Xun-cha-2024!",
        temporary=False,
    )
    assert given.status_code == 200, given.text
    login = given.json()
    assert (login["username"], login["name"], login["role"]) == (username, "马贵涛", "inspector")
    assert login["enabled"] and login["new_password"] is None

    tokens = await stack.sign_in(username, "Xun-cha-2024!")
    me = await stack.http.get(
        "/v1/whoami", headers={"Authorization": f"Bearer {tokens.access_token}"}
    )
    assert me.status_code == 200
    assert (me.json()["staff_id"], me.json()["role"]) == (stack.township.staff_id, "inspector")

    base = f"/v1/townships/{stack.township.code}/staff/{stack.township.staff_id}/login"
    admin = await stack.as_admin()
    reset = await stack.http.post(f"{base}/password", json={"temporary": False}, headers=admin)
    assert reset.status_code == 200, reset.text
    new_password = reset.json()["new_password"]
    assert new_password and len(new_password) == 12
    await stack.sign_in(username, new_password)

    disabled = await stack.http.post(f"{base}/disable", headers=admin)
    assert disabled.status_code == 200 and not disabled.json()["enabled"]
    with pytest.raises(LoginRefused):
        await stack.sign_in(username, new_password)
    enabled = await stack.http.post(f"{base}/enable", headers=admin)
    assert enabled.json()["enabled"]
    await stack.sign_in(username, new_password)

    listed = await stack.http.get(f"/v1/townships/{stack.township.code}/logins", headers=admin)
    listed_names = {item["username"]: item["name"] for item in listed.json()["items"]}
    assert listed_names[username] == "马贵涛"  # beside the admin's own login
    # Last: a wrong password counts towards the provider's lock-out of the login.
    with pytest.raises(LoginRefused):
        await stack.sign_in(username, "Xun-cha-2024!")


async def test_leaders_lead_villages_get_their_own_login_and_names_are_one_persons(
    stack: Stack,
) -> None:
    leader = await grant(
        stack, f"staff/{stack.township.leader_id}", username="li.ming." + secrets.token_hex(3)
    )
    assert leader.status_code == 200, leader.text
    assert leader.json()["role"] == "group_leader"
    assert leader.json()["must_change_password"] and leader.json()["new_password"]

    village_user = "xiaohe-" + secrets.token_hex(3)
    village = await grant(
        stack,
        f"villages/{stack.township.village_id}",
        username=village_user,
        password="Cun-wei-2024!",
        temporary=False,
    )
    assert village.status_code == 200, village.text
    assert (village.json()["role"], village.json()["name"]) == ("village_committee", "小河村委会")
    tokens = await stack.sign_in(village_user, "Cun-wei-2024!")
    me = await stack.http.get(
        "/v1/whoami", headers={"Authorization": f"Bearer {tokens.access_token}"}
    )
    assert me.json()["village_id"] == stack.township.village_id

    taken = await grant(stack, f"staff/{stack.township.staff_id}", username=village_user)
    assert taken.status_code == 409, taken.text
    bad = await grant(stack, f"staff/{stack.township.staff_id}", username="has space")
    assert bad.status_code == 422
    village_role = await grant(
        stack, f"staff/{stack.township.staff_id}", username=phone(), role="village_committee"
    )
    assert village_role.status_code == 422
    elsewhere = await stack.http.put(
        f"/v1/townships/{stack.township.code}/staff/{stack.township.staff_id}/login",
        json={"username": phone()},
        headers=await stack.as_admin(COUNTY + "999"),
    )
    assert elsewhere.status_code == 403


async def test_deactivating_a_staff_member_ends_their_login_within_seconds(stack: Stack) -> None:
    username = phone()
    given = await grant(
        stack,
        f"staff/{stack.township.staff_id}",
        username=username,
        password="Xun-cha-2024!",
        temporary=False,
    )
    assert given.status_code == 200, given.text
    before = await stack.sign_in(username, "Xun-cha-2024!")

    deactivated = await stack.http.post(
        f"/v1/townships/{stack.township.code}/staff/{stack.township.staff_id}/deactivate",
        json={"reason": "调离本乡"},
        headers=await stack.as_admin(),
    )
    assert deactivated.status_code in (200, 201), deactivated.text

    async def refused() -> bool:
        try:
            await stack.sign_in(username, "Xun-cha-2024!")
        except LoginRefused:
            return True
        return False

    async with asyncio.timeout(60):
        while not await refused():
            await asyncio.sleep(0.5)
    # The session it had is over too: its refresh token no longer works.
    assert before.refresh_token is not None
    with pytest.raises(LoginRefused):
        await stack.idp.refresh(before.refresh_token)
    again = await grant(stack, f"staff/{stack.township.staff_id}", username=phone())
    assert again.status_code == 409
