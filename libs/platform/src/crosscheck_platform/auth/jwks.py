"""The issuer's public signing keys, fetched from its JWKS and kept.

Keys are fetched on first use (discovery document → `jwks_uri`, or a JWKS URL given
outright) and kept for `max_age`. A token naming a key we do not hold makes us fetch
again — that is how a key rotation at the issuer is picked up without a restart — but
for unknown keys at most once per `min_refetch`, so a stream of tokens with made-up key
ids cannot turn us into a load generator against the issuer.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt

DEFAULT_MAX_AGE_S = 600.0
DEFAULT_MIN_REFETCH_S = 10.0
_FETCH_TIMEOUT_S = 5.0


class IssuerUnavailable(Exception):
    """The issuer's keys could not be fetched: a transient failure, not a bad token."""


class UnknownKey(Exception):
    """The token names a key the issuer does not publish."""


class SigningKeys:
    def __init__(
        self,
        issuer: str,
        *,
        jwks_url: str | None = None,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        min_refetch_s: float = DEFAULT_MIN_REFETCH_S,
    ) -> None:
        self._issuer = issuer
        self._jwks_url = jwks_url
        self._max_age_s = max_age_s
        self._min_refetch_s = min_refetch_s
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._refetched_for_unknown_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> jwt.PyJWK:
        now = time.monotonic()
        if now - self._fetched_at > self._max_age_s:
            await self._refresh(force=True)
        found = self._lookup(kid)
        if found is None:
            await self._refresh(force=False)
            found = self._lookup(kid)
        if found is None:
            raise UnknownKey(f"the issuer publishes no key {kid!r}")
        return found

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)

    async def _refresh(self, *, force: bool) -> None:
        started = time.monotonic()
        async with self._lock:
            # Another request may have fetched while we waited for the lock.
            if self._fetched_at >= started:
                return
            if not force:
                if time.monotonic() - self._refetched_for_unknown_at < self._min_refetch_s:
                    return
                self._refetched_for_unknown_at = time.monotonic()
            try:
                document = await self._fetch_jwks()
            except (httpx.HTTPError, ValueError) as exc:
                if self._keys:
                    # Keep serving with the keys we hold; try again after min_refetch.
                    self._fetched_at = time.monotonic() - self._max_age_s + self._min_refetch_s
                    return
                raise IssuerUnavailable(f"cannot fetch the signing keys: {exc}") from exc
            self._keys = _parse(document)
            self._fetched_at = time.monotonic()

    async def _fetch_jwks(self) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=_FETCH_TIMEOUT_S, follow_redirects=False) as client:
            url = self._jwks_url
            if url is None:
                discovery = await _get_json(
                    client, self._issuer.rstrip("/") + "/.well-known/openid-configuration"
                )
                if discovery.get("issuer") != self._issuer:
                    raise ValueError(
                        f"the discovery document names issuer {discovery.get('issuer')!r}, "
                        f"not {self._issuer!r}"
                    )
                url = str(discovery["jwks_uri"])
                self._jwks_url = url
            return await _get_json(client, url)


async def _get_json(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    answer = await client.get(url, headers={"Accept": "application/json"})
    answer.raise_for_status()
    document = answer.json()
    if not isinstance(document, dict):
        raise ValueError(f"{url} did not answer a JSON object")
    return document


def _parse(document: dict[str, Any]) -> dict[str | None, jwt.PyJWK]:
    keys: dict[str | None, jwt.PyJWK] = {}
    for entry in document.get("keys", []):
        # Encryption keys share the set; only signing keys verify tokens.
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK.from_dict(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError):
            continue  # an algorithm we do not support: not one we accept tokens in
        keys[entry.get("kid")] = key
    return keys
