"""Signed bearer tokens (JWT, HS256) carrying a Principal.

The secret and issuer come from ServiceSettings; a bare secret is accepted too, for
tools and tests, and then the default issuer applies.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from pydantic import ValidationError

from crosscheck_platform.auth.principal import Principal
from crosscheck_platform.settings import ServiceSettings

ALGORITHM = "HS256"
DEFAULT_ISSUER = "crosscheck"
# Small clock differences between the issuing host and ours must not log people out.
LEEWAY = timedelta(seconds=30)


class InvalidToken(Exception):
    """The token cannot be trusted. `expired` tells the user to sign in again."""

    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expired = expired


def _key(source: ServiceSettings | str) -> tuple[str, str]:
    if isinstance(source, ServiceSettings):
        return source.jwt_secret, source.jwt_issuer
    return source, DEFAULT_ISSUER


def mint_token(
    source: ServiceSettings | str,
    principal: Principal,
    ttl: timedelta,
    *,
    now: datetime | None = None,
) -> str:
    secret, issuer = _key(source)
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": principal.subject,
        "iat": issued,
        "exp": issued + ttl,
        "name": principal.name,
        "role": principal.role.value,
        "county": principal.county,
        "township": principal.township,
        "village_id": principal.village_id,
        "staff_id": principal.staff_id,
    }
    return jwt.encode(
        {k: v for k, v in claims.items() if v is not None}, secret, algorithm=ALGORITHM
    )


# Verifying a token (base64 checks, HMAC, claims) was a tenth of a simple command's CPU
# in the service, and every request of a session brings the same token. A token that verified
# once is the same bytes under the same key: only its expiry needs checking again.
_VERIFIED: dict[tuple[str, str, str], tuple[Principal, float]] = {}
_VERIFIED_MAX = 4096


def verify_token(source: ServiceSettings | str, token: str) -> Principal:
    """Check signature, expiry and issuer; raise InvalidToken otherwise."""
    secret, issuer = _key(source)
    known = _VERIFIED.get((secret, issuer, token))
    if known is not None:
        principal, expires = known
        if time.time() <= expires + LEEWAY.total_seconds():
            return principal
        raise InvalidToken("token expired", expired=True)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    return _verify(secret, issuer, token)


def _verify(secret: str, issuer: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("token expired", expired=True) from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidToken(f"{type(exc).__name__}: {exc}") from exc
    try:
        principal = Principal(
            subject=claims["sub"],
            name=claims.get("name", claims["sub"]),
            role=claims.get("role"),
            county=claims.get("county"),
            township=claims.get("township"),
            village_id=claims.get("village_id"),
            staff_id=claims.get("staff_id"),
        )
    except ValidationError as exc:
        raise InvalidToken(f"claims do not describe a principal: {exc}") from exc
    _VERIFIED[(secret, issuer, token)] = (principal, float(claims["exp"]))
    return principal
