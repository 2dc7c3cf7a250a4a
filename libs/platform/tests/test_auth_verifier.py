"""Tokens are trusted when the issuer's published key signed them for us, and only then."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from pydantic import ValidationError

from crosscheck_platform.auth import (
    InvalidToken,
    IssuerNotConfigured,
    IssuerUnavailable,
    Principal,
    Role,
    TokenVerifier,
)
from crosscheck_platform.auth import verifier as verifier_module
from crosscheck_testing.issuer import AUDIENCE, LocalIssuer

INSPECTOR = Principal(
    subject="u-17",
    name="李娟",
    username="13800000017",
    role=Role.INSPECTOR,
    county="532327",
    township="532327101",
    staff_id="staff-9",
)


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    local = LocalIssuer()
    yield local
    local.close()


@pytest.fixture
def verifier(issuer: LocalIssuer) -> TokenVerifier:
    return TokenVerifier(issuer.url, AUDIENCE)


async def test_a_token_of_the_issuer_verifies_to_its_principal(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    assert await verifier.verify(issuer.token(INSPECTOR)) == INSPECTOR


async def test_an_expired_token_is_refused_as_expired(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(issuer.token(INSPECTOR, timedelta(hours=1), now=yesterday))
    assert refused.value.expired


async def test_a_token_signed_with_another_key_is_refused(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    impostor = LocalIssuer()
    try:
        # Same issuer name and key id in the header would not help: the key differs.
        forged = impostor.token(INSPECTOR, issuer=issuer.url)
        with pytest.raises(InvalidToken) as refused:
            await verifier.verify(forged)
        assert not refused.value.expired
    finally:
        impostor.close()


async def test_a_token_from_another_issuer_is_refused(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    with pytest.raises(InvalidToken):
        await verifier.verify(issuer.token(INSPECTOR, issuer="https://elsewhere.example/realm"))


async def test_a_token_for_another_audience_is_refused(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    with pytest.raises(InvalidToken):
        await verifier.verify(issuer.token(INSPECTOR, audience="some-other-api"))


def _claims(issuer: LocalIssuer) -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "iss": issuer.url,
        "aud": AUDIENCE,
        "sub": "u-1",
        "iat": now,
        "exp": now + timedelta(hours=1),
        "roles": ["township_admin"],
        "county": "532327",
        "township": "532327101",
    }


async def test_unsigned_and_shared_secret_tokens_are_refused(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    claims = _claims(issuer)
    public_pem = (
        issuer._key.private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    forged = [
        jwt.encode(claims, "", algorithm="none"),
        jwt.encode(claims, "crosscheck-development-secret-change-me", algorithm="HS256"),
        # The classic confusion: the public key used as an HMAC secret.
        _hs256_with(claims, public_pem),
    ]
    for token in forged:
        with pytest.raises(InvalidToken, match="algorithm"):
            await verifier.verify(token)


def _hs256_with(claims: dict[str, object], secret: str) -> str:
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    payload = {k: int(v.timestamp()) if isinstance(v, datetime) else v for k, v in claims.items()}
    signing = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps(payload).encode())
    mac = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64(mac)


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30."])
async def test_garbage_is_refused(verifier: TokenVerifier, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        await verifier.verify(garbage)


async def test_genuine_tokens_that_describe_no_user_are_refused(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    no_role = issuer.token(INSPECTOR, extra={"roles": ["offline_access"]})
    unknown_role = issuer.token(INSPECTOR, extra={"roles": ["mayor"]})
    no_township = issuer.token(INSPECTOR, extra={"township": None})
    for token in (no_role, unknown_role, no_township):
        with pytest.raises(InvalidToken):
            await verifier.verify(token)


async def test_roles_are_read_the_way_providers_send_them(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    keycloak_default = issuer.token(
        INSPECTOR, extra={"roles": None, "realm_access": {"roles": ["inspector", "uma"]}}
    )
    one_string = issuer.token(INSPECTOR, extra={"roles": None, "role": "inspector"})
    for token in (keycloak_default, one_string):
        assert (await verifier.verify(token)).role is Role.INSPECTOR
    both = issuer.token(INSPECTOR, extra={"roles": ["inspector", "township_admin"]})
    assert (await verifier.verify(both)).role is Role.TOWNSHIP_ADMIN  # the widest wins


async def test_a_key_rotation_at_the_issuer_is_picked_up_without_restart(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    assert await verifier.verify(issuer.token(INSPECTOR)) == INSPECTOR
    before = issuer.fetches
    issuer.rotate()
    assert await verifier.verify(issuer.token(INSPECTOR, timedelta(minutes=30))) == INSPECTOR
    assert issuer.fetches == before + 1


async def test_unknown_key_ids_do_not_make_us_hammer_the_issuer(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    await verifier.verify(issuer.token(INSPECTOR))
    before = issuer.fetches
    impostor = LocalIssuer()
    try:
        for _ in range(20):
            with pytest.raises(InvalidToken):
                await verifier.verify(impostor.token(INSPECTOR, issuer=issuer.url))
    finally:
        impostor.close()
    assert issuer.fetches <= before + 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_an_unreachable_issuer_is_unavailable_not_invalid(issuer: LocalIssuer) -> None:
    verifier = TokenVerifier(f"http://127.0.0.1:{_closed_port()}/realms/x", AUDIENCE)
    with pytest.raises(IssuerUnavailable):
        await verifier.verify(issuer.token(INSPECTOR))


async def test_a_token_verified_once_still_expires(
    issuer: LocalIssuer, verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = issuer.token(INSPECTOR, timedelta(minutes=10))
    assert await verifier.verify(token) == INSPECTOR
    assert await verifier.verify(token) == INSPECTOR  # the second time from the cache

    class Later:
        @staticmethod
        def time() -> float:
            return (datetime.now(UTC) + timedelta(hours=1)).timestamp()

    monkeypatch.setattr(verifier_module, "time", Later)
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(token)
    assert refused.value.expired


def test_roles_carry_the_scope_they_need() -> None:
    with pytest.raises(ValidationError):
        Principal(subject="u", name="n", role=Role.COUNTY_VIEWER, county="1", township="2")
    with pytest.raises(ValidationError):
        Principal(subject="u", name="n", role=Role.INSPECTOR, county="1")
    with pytest.raises(ValidationError):
        Principal(subject="u", name="n", role=Role.VILLAGE_COMMITTEE, county="1", township="2")


def test_no_issuer_means_no_verifier() -> None:
    with pytest.raises(IssuerNotConfigured, match="CROSSCHECK_OIDC_ISSUER"):
        TokenVerifier("", AUDIENCE)
