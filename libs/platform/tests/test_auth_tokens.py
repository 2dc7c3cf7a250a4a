"""Tokens: what is signed is what is verified, and nothing else gets through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import ValidationError

from crosscheck_platform.auth import InvalidToken, Principal, Role, mint_token, verify_token
from crosscheck_platform.settings import ServiceSettings

SECRET = "test-secret-0123456789-0123456789-abcdef"
SETTINGS = ServiceSettings(environment="test", jwt_secret=SECRET, jwt_issuer="crosscheck-test")

INSPECTOR = Principal(
    subject="u-17",
    name="李娟",
    role=Role.INSPECTOR,
    county="532327",
    township="532327101",
    staff_id="staff-9",
)


def test_a_minted_token_verifies_to_the_same_principal() -> None:
    token = mint_token(SETTINGS, INSPECTOR, timedelta(hours=1))
    assert verify_token(SETTINGS, token) == INSPECTOR


def test_a_bare_secret_works_with_the_default_issuer() -> None:
    token = mint_token(SECRET, INSPECTOR, timedelta(hours=1))
    assert verify_token(SECRET, token) == INSPECTOR
    with pytest.raises(InvalidToken):
        verify_token(SETTINGS, token)  # issuer "crosscheck" is not "crosscheck-test"


def test_an_expired_token_is_refused_as_expired() -> None:
    yesterday = datetime.now(UTC) - timedelta(days=1)
    token = mint_token(SETTINGS, INSPECTOR, timedelta(hours=12), now=yesterday)
    with pytest.raises(InvalidToken) as refused:
        verify_token(SETTINGS, token)
    assert refused.value.expired


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = mint_token("another-secret-0123456789-0123456789-xyz", INSPECTOR, timedelta(hours=1))
    with pytest.raises(InvalidToken) as refused:
        verify_token(SETTINGS, token)
    assert not refused.value.expired


def test_a_token_from_another_issuer_is_refused() -> None:
    other = SETTINGS.model_copy(update={"jwt_issuer": "someone-else"})
    token = mint_token(other, INSPECTOR, timedelta(hours=1))
    with pytest.raises(InvalidToken):
        verify_token(SETTINGS, token)


@pytest.mark.parametrize("garbage", ["", "not-a-token", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30."])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(InvalidToken):
        verify_token(SETTINGS, garbage)


def test_an_unsigned_token_is_refused() -> None:
    claims = {
        "iss": "crosscheck-test",
        "sub": "u-1",
        "iat": 0,
        "exp": 2**40,
        "role": "county_viewer",
        "county": "532327",
    }
    with pytest.raises(InvalidToken):
        verify_token(SETTINGS, jwt.encode(claims, None, algorithm="none"))


def test_signed_claims_that_describe_no_principal_are_refused() -> None:
    now = datetime.now(UTC)
    claims = {
        "iss": "crosscheck-test",
        "sub": "u-1",
        "iat": now,
        "exp": now + timedelta(hours=1),
        "role": "mayor",
        "county": "532327",
    }
    with pytest.raises(InvalidToken):
        verify_token(SETTINGS, jwt.encode(claims, SECRET, algorithm="HS256"))


def test_roles_carry_the_scope_they_need() -> None:
    with pytest.raises(ValidationError):
        Principal(subject="u", name="n", role=Role.COUNTY_VIEWER, county="1", township="2")
    with pytest.raises(ValidationError):
        Principal(subject="u", name="n", role=Role.INSPECTOR, county="1")
    with pytest.raises(ValidationError):
        Principal(subject="u", name="n", role=Role.VILLAGE_COMMITTEE, county="1", township="2")


def test_a_token_verified_once_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    from crosscheck_platform.auth import tokens

    token = mint_token(SETTINGS, INSPECTOR, timedelta(minutes=10))
    assert verify_token(SETTINGS, token) == INSPECTOR
    assert verify_token(SETTINGS, token) == INSPECTOR  # the second time from the cache

    class Later:
        @staticmethod
        def time() -> float:
            return (datetime.now(UTC) + timedelta(hours=1)).timestamp()

    monkeypatch.setattr(tokens, "time", Later)
    with pytest.raises(InvalidToken) as refused:
        verify_token(SETTINGS, token)
    assert refused.value.expired
    with pytest.raises(InvalidToken):
        verify_token("another-secret-0123456789-0123456789-xyz", token)
