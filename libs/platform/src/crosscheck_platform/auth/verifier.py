"""Bearer tokens verified as an OpenID Connect resource server does it.

A token is trusted when it is a JWT signed with one of the issuer's published asymmetric
keys, names our issuer (`iss`) and our audience (`aud`), and has not expired. Symmetric
algorithms (HS*) and `none` are refused before any key is looked at: with a public key
in hand, accepting HS256 would let anybody sign with the public key as the secret.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import jwt

from crosscheck_platform.auth.claims import ClaimsRefused, principal_from_claims
from crosscheck_platform.auth.jwks import IssuerUnavailable, SigningKeys, UnknownKey
from crosscheck_platform.auth.principal import Principal

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
# Small clock differences between the issuing host and ours must not log people out.
LEEWAY = timedelta(seconds=30)
_VERIFIED_MAX = 4096


class InvalidToken(Exception):
    """The token cannot be trusted. `expired` tells the user to sign in again."""

    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expired = expired


class IssuerNotConfigured(RuntimeError):
    """A service that answers people must know whose tokens to trust."""

    def __init__(self) -> None:
        super().__init__(
            "CROSSCHECK_OIDC_ISSUER is not set: a service verifies bearer tokens against "
            "an OpenID Connect issuer's published keys and will not start without one. "
            "Set it to the issuer URL (the local stack writes it to deploy/.state/env: "
            "`source deploy/.state/env`)."
        )


class TokenVerifier:
    def __init__(
        self,
        issuer: str,
        audience: str,
        *,
        jwks_url: str | None = None,
        keys: SigningKeys | None = None,
    ) -> None:
        if not issuer:
            raise IssuerNotConfigured()
        self.issuer = issuer
        self.audience = audience
        self._keys = keys or SigningKeys(issuer, jwks_url=jwks_url)
        # Verifying a signature costs far more than a dictionary lookup, and every request
        # of a session brings the same token: a token that verified is the same bytes
        # under the same key, so only its expiry needs checking again.
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def verify(self, token: str) -> Principal:
        """The principal the token describes; InvalidToken when it cannot be trusted,
        IssuerUnavailable when the issuer's keys cannot be had right now."""
        known = self._verified.get(token)
        if known is not None:
            principal, expires = known
            if time.time() <= expires + LEEWAY.total_seconds():
                return principal
            del self._verified[token]
            raise InvalidToken("token expired", expired=True)
        claims = await self._claims(token)
        try:
            principal = principal_from_claims(claims)
        except ClaimsRefused as exc:
            raise InvalidToken(str(exc)) from exc
        if len(self._verified) >= _VERIFIED_MAX:
            self._verified.clear()
        self._verified[token] = (principal, float(claims["exp"]))
        return principal

    async def _claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"not a JWT: {exc}") from exc
        algorithm = header.get("alg")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise InvalidToken(f"algorithm {algorithm!r} is not accepted")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise InvalidToken("the key id must be a string")
        try:
            key = await self._keys.key(kid)
        except UnknownKey as exc:
            raise InvalidToken(str(exc)) from exc
        except IssuerUnavailable:
            raise
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iat", "iss", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token expired", expired=True) from exc
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"{type(exc).__name__}: {exc}") from exc
