"""The identity provider of the stack (Keycloak, realm crosscheck), driven the way the
registry and scripts drive it: logins provisioned with the service account, tokens from
the password grant, and what the realm refuses."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from crosscheck_platform.clock import ManualClock
from crosscheck_platform.http.statuses import status_of
from crosscheck_platform.identity import (
    IdentityConflict,
    IdentityProvider,
    IdentityRefused,
    IdentitySettings,
    IdentityUnreachable,
    IdentityUser,
    LoginRefused,
    PasswordRejected,
    RealmRole,
    UserSpec,
)
from crosscheck_testing.infra import IdentityInfra
from crosscheck_testing.oidc import authorization_request, browser_sign_in
from crosscheck_testing.ports import free_port

pytestmark = pytest.mark.infra

PASSWORD = "Xun-cha-2024!"
CONSOLE = "crosscheck-console"
CONSOLE_REDIRECT = "http://127.0.0.1:8106/auth/callback"
# Password hashing is slow on purpose, and slower on a busy two-core machine.
HTTP_TIMEOUT = 60.0

NewLogin = Callable[..., Awaitable[IdentityUser]]


def claims(token: str) -> dict[str, Any]:
    """The token's payload, unverified: these tests look at what the provider puts in it."""
    payload: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return payload


def phone() -> str:
    return "139" + "".join(secrets.choice("0123456789") for _ in range(8))


@pytest.fixture
async def idp(identity: IdentityInfra) -> AsyncIterator[IdentityProvider]:
    async with IdentityProvider(identity.settings) as provider:
        yield provider


@pytest.fixture
async def new_login(idp: IdentityProvider) -> AsyncIterator[NewLogin]:
    """Creates logins with a password (defaults: an inspector of 532327101) and deletes
    them after the test."""
    created: list[str] = []

    async def create(password: str = PASSWORD, **fields: Any) -> IdentityUser:
        spec = UserSpec(
            **{
                "username": phone(),
                "role": RealmRole.INSPECTOR,
                "display_name": "张建华",
                "county": "532327",
                "township": "532327101",
                "staff_id": "staff-" + secrets.token_hex(4),
                **fields,
            }
        )
        user = await idp.create_user(spec)
        created.append(user.id)
        await idp.set_password(user.id, password, temporary=False)
        return user

    yield create
    for user_id in created:
        await idp.delete_user(user_id)


async def test_a_provisioned_login_signs_in_with_its_role_and_scope_as_claims(
    idp: IdentityProvider, new_login: NewLogin, identity: IdentityInfra
) -> None:
    user = await new_login(role=RealmRole.GROUP_LEADER, village_id="v-07")

    tokens = await idp.password_grant(user.username, PASSWORD)

    header = jwt.get_unverified_header(tokens.access_token)
    assert header["alg"] == "RS256" and header["kid"]
    access = claims(tokens.access_token)
    assert access["iss"] == identity.issuer
    audience = access["aud"] if isinstance(access["aud"], list) else [access["aud"]]
    assert identity.audience in audience
    assert access["sub"] == user.id
    assert access["azp"] == "crosscheck-cli"
    # Only the Crosscheck roles: the client scope maps those and nothing else.
    assert access["roles"] == ["group_leader"]
    assert access["county"] == "532327"
    assert access["township"] == "532327101"
    assert access["village_id"] == "v-07"
    assert access["staff_id"] == user.staff_id
    assert access["name"] == "张建华"
    assert access["preferred_username"] == user.username
    # crosscheck-cli's own lifespan; the realm's default is 300 s.
    assert access["exp"] - access["iat"] == 3600
    assert tokens.refresh_token is not None


async def test_logins_are_found_by_username_and_by_staff_id(
    idp: IdentityProvider, new_login: NewLogin
) -> None:
    user = await new_login(role=RealmRole.VILLAGE_COMMITTEE, village_id="v-03")

    by_name = await idp.find_by_username(user.username)
    by_staff = await idp.find_by_staff_id(str(user.staff_id))

    assert by_name == by_staff == user
    assert user.role is RealmRole.VILLAGE_COMMITTEE
    assert (user.county, user.township, user.village_id) == ("532327", "532327101", "v-03")
    assert user.display_name == "张建华" and user.enabled
    assert await idp.find_by_username(phone()) is None
    assert await idp.find_by_staff_id("staff-nobody-" + secrets.token_hex(4)) is None


async def test_saving_again_updates_the_login_in_place_with_exactly_one_role(
    idp: IdentityProvider, new_login: NewLogin
) -> None:
    user = await new_login(role=RealmRole.VILLAGE_COMMITTEE, village_id="v-03")

    moved = await idp.save_user(
        UserSpec(
            username=user.username,
            role=RealmRole.TOWNSHIP_ADMIN,
            first_name="建华",
            last_name="张",
            county="532327",
            township="532327102",
            staff_id=user.staff_id,
        )
    )

    assert moved.id == user.id
    assert moved.roles == {RealmRole.TOWNSHIP_ADMIN}
    assert (moved.township, moved.village_id) == ("532327102", None)
    access = claims((await idp.password_grant(user.username, PASSWORD)).access_token)
    assert access["roles"] == ["township_admin"]
    assert access["township"] == "532327102"
    assert "village_id" not in access


async def test_a_username_held_by_another_staff_member_is_a_conflict(
    idp: IdentityProvider, new_login: NewLogin
) -> None:
    user = await new_login()
    same_phone = UserSpec(
        username=user.username,
        role=RealmRole.INSPECTOR,
        display_name="王芳",
        county="532327",
        township="532327101",
        staff_id="staff-someone-else",
    )

    with pytest.raises(IdentityConflict) as saved:
        await idp.save_user(same_phone)
    with pytest.raises(IdentityConflict) as created:
        await idp.create_user(same_phone)

    assert status_of(saved.value) == status_of(created.value) == 409
    assert created.value.provider_status == 409
    assert (await idp.get_user(user.id)).display_name == "张建华"


async def test_a_disabled_login_can_neither_sign_in_nor_refresh(
    idp: IdentityProvider, new_login: NewLogin
) -> None:
    user = await new_login()
    tokens = await idp.password_grant(user.username, PASSWORD)
    assert tokens.refresh_token is not None

    await idp.set_enabled(user.id, False)

    assert not (await idp.get_user(user.id)).enabled
    with pytest.raises(LoginRefused):
        await idp.password_grant(user.username, PASSWORD)
    with pytest.raises(LoginRefused):
        await idp.refresh(tokens.refresh_token)
    await idp.set_enabled(user.id, True)
    assert (await idp.password_grant(user.username, PASSWORD)).access_token


async def test_a_refresh_token_works_once(idp: IdentityProvider, new_login: NewLogin) -> None:
    user = await new_login()
    first = await idp.password_grant(user.username, PASSWORD)
    assert first.refresh_token is not None

    second = await idp.refresh(first.refresh_token)

    assert claims(second.access_token)["sub"] == user.id
    assert second.refresh_token not in (None, first.refresh_token)
    with pytest.raises(LoginRefused):
        await idp.refresh(first.refresh_token)


async def test_a_temporary_password_is_no_good_for_the_password_grant(
    idp: IdentityProvider, new_login: NewLogin
) -> None:
    user = await new_login()

    await idp.set_password(user.id, "Ling-shi-8899", temporary=True)

    assert "UPDATE_PASSWORD" in (await idp.get_user(user.id)).required_actions
    with pytest.raises(LoginRefused):
        await idp.password_grant(user.username, "Ling-shi-8899")


async def test_a_password_against_the_policy_is_rejected(
    idp: IdentityProvider, new_login: NewLogin
) -> None:
    user = await new_login()

    with pytest.raises(PasswordRejected) as short:
        await idp.set_password(user.id, "abc12", temporary=False)
    with pytest.raises(PasswordRejected):
        await idp.set_password(user.id, user.username, temporary=False)

    assert status_of(short.value) == 422
    assert (await idp.password_grant(user.username, PASSWORD)).access_token


async def test_repeated_wrong_passwords_lock_the_login_for_a_while(
    idp: IdentityProvider, new_login: NewLogin
) -> None:
    user = await new_login()
    other = await new_login()

    for _ in range(5):  # the realm's failureFactor
        with pytest.raises(LoginRefused):
            await idp.password_grant(user.username, "Wrong-pass-0000")

    with pytest.raises(LoginRefused):
        await idp.password_grant(user.username, PASSWORD)
    # The lock is the login's, not the client's or the address's.
    assert (await idp.password_grant(other.username, PASSWORD)).access_token


async def test_the_console_signs_people_in_with_pkce_only(
    identity: IdentityInfra, new_login: NewLogin
) -> None:
    user = await new_login()
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        without = await authorization_request(http, identity.issuer, CONSOLE, CONSOLE_REDIRECT)
        plain = await authorization_request(
            http,
            identity.issuer,
            CONSOLE,
            CONSOLE_REDIRECT,
            code_challenge="x" * 43,
            code_challenge_method="plain",
        )
        tokens = await browser_sign_in(
            http, identity.issuer, CONSOLE, CONSOLE_REDIRECT, user.username, PASSWORD
        )

    for refused in (without, plain):
        assert refused.status_code == 302
        sent_back = parse_qs(urlsplit(refused.headers["location"]).query)
        assert sent_back["error"] == ["invalid_request"]
        assert "code" not in sent_back
    access = claims(tokens.access_token)
    assert access["azp"] == CONSOLE
    assert identity.audience in access["aud"]
    assert access["roles"] == ["inspector"]
    assert access["exp"] - access["iat"] == 300


async def test_the_cli_client_has_no_browser_flow_and_the_console_no_password_grant(
    idp: IdentityProvider, identity: IdentityInfra, new_login: NewLogin
) -> None:
    user = await new_login()
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        cli = await authorization_request(http, identity.issuer, "crosscheck-cli", CONSOLE_REDIRECT)

    # An error page, not a redirect that could carry a code.
    assert cli.status_code == 400 and "location" not in cli.headers
    with pytest.raises(IdentityRefused) as console:
        await idp.password_grant(user.username, PASSWORD, client_id=CONSOLE)
    assert not isinstance(console.value, LoginRefused)
    assert "unauthorized_client" in console.value.provider_error


async def test_people_cannot_change_their_own_scope_in_the_account_console(
    idp: IdentityProvider, identity: IdentityInfra, new_login: NewLogin
) -> None:
    user = await new_login()
    account_url = f"{identity.issuer}/account/"
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
        tokens = await browser_sign_in(
            http, identity.issuer, "account-console", account_url, user.username, PASSWORD
        )
        headers = {"Authorization": f"Bearer {tokens.access_token}", "Accept": "application/json"}
        mine = (await http.get(account_url, headers=headers)).json()
        elsewhere = {**mine, "attributes": {**mine["attributes"], "township": ["532327199"]}}
        refused = await http.post(account_url, headers=headers, json=elsewhere)
        renamed = await http.post(account_url, headers=headers, json={**mine, "firstName": "张华"})

    assert mine["attributes"]["township"] == ["532327101"]  # visible to its owner
    assert refused.status_code == 400
    assert refused.json()["errorMessage"] == "error-user-attribute-read-only"
    assert renamed.status_code == 204  # the account API itself works for this person
    after = await idp.get_user(user.id)
    assert (after.township, after.first_name) == ("532327101", "张华")


async def test_the_service_token_is_reused_until_shortly_before_it_expires(
    identity: IdentityInfra, new_login: NewLogin
) -> None:
    user = await new_login()
    asked: list[str] = []

    async def count(request: httpx.Request) -> None:
        if request.url.path.endswith("/protocol/openid-connect/token"):
            asked.append(request.url.path)

    clock = ManualClock(datetime.now(UTC))
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT, event_hooks={"request": [count]}) as http:
        idp = IdentityProvider(identity.settings, http=http, clock=clock)
        await idp.get_user(user.id)
        await idp.find_by_username(user.username)
        assert len(asked) == 1
        clock.advance(timedelta(seconds=300 - 31))  # the realm's 300 s, less the margin
        await idp.get_user(user.id)
        assert len(asked) == 1
        clock.advance(timedelta(seconds=2))
        await idp.get_user(user.id)
        assert len(asked) == 2


async def test_unreachable_is_told_apart_from_refused(identity: IdentityInfra) -> None:
    nowhere = IdentitySettings(
        f"http://127.0.0.1:{free_port()}", "crosscheck", "crosscheck-registry", "x"
    )
    wrong_secret = IdentitySettings(
        identity.settings.base_url, identity.settings.realm, "crosscheck-registry", "wrong"
    )

    async with IdentityProvider(nowhere) as idp:
        with pytest.raises(IdentityUnreachable) as down:
            await idp.find_by_username("13900000000")
        with pytest.raises(IdentityUnreachable):
            await idp.password_grant("13900000000", PASSWORD)
    async with IdentityProvider(wrong_secret) as idp:
        with pytest.raises(IdentityRefused) as refused:
            await idp.find_by_username("13900000000")

    assert status_of(down.value) == 503
    assert not isinstance(refused.value, LoginRefused)
    assert refused.value.provider_status == 401
