"""Requests per client address and per principal, as token buckets; 429 past them.

The buckets live in the process's memory: each replica counts its own requests, so
behind a load balancer with N replicas a client gets up to N times the configured
rate. That is enough to stop one client's flood from starving the others on a
replica; a shared store would be needed for exact limits across replicas.

The `limits` library was measured first: its asyncio in-memory storage costs about
65 µs a check (it schedules an expiry task on every hit), two checks a request, where
these buckets cost about 1 µs.

The address is checked before routing, so floods of bad tokens or unknown paths are
cut off cheaply; health endpoints are exempt, for the orchestrator's probes. The
principal is checked once its token is verified, by a dependency of every route.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import cast

from fastapi import Request
from fastapi.security import HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from crosscheck_platform.auth.deps import verified_principal
from crosscheck_platform.errors import DomainError
from crosscheck_platform.http.errors import error_response
from crosscheck_platform.http.statuses import answer_status
from crosscheck_platform.settings import ServiceSettings

HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
MAX_KEYS = 100_000


class TokenBuckets:
    """One bucket per key: `burst` tokens at most, refilled at `rate` a second; each
    request takes one. Buckets that have refilled completely are forgotten when too
    many are kept, so a scan over many addresses cannot grow memory without end."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 when the request may go on, else the seconds until a token is back."""
        now = self.clock()
        tokens, then = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > self.max_keys:
                self._forget_full(now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        refill = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < refill}
        if len(self._buckets) > self.max_keys:
            # All busy at once (a flood from many addresses): start afresh rather than
            # grow; the flood's next requests fill the buckets again.
            self._buckets.clear()


class RateLimited(DomainError):
    code = "rate_limited"
    message_key = "rate_limited"

    def __init__(self, wait: float) -> None:
        super().__init__()
        self.retry_after = max(1, math.ceil(wait))


answer_status(429, RateLimited)


def retry_after(wait: float) -> str:
    return str(max(1, math.ceil(wait)))


class RateLimits:
    """The buckets of one app, from its settings."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.enabled = settings.rate_limit_enabled
        self.addresses = TokenBuckets(
            settings.rate_limit_address_per_second, settings.rate_limit_address_burst
        )
        self.principals = TokenBuckets(
            settings.rate_limit_principal_per_second, settings.rate_limit_principal_burst
        )


class AddressRateLimit:
    def __init__(self, app: ASGIApp, *, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limits.enabled or scope["path"] in HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        # The socket peer, unless uvicorn was told to trust a proxy's X-Forwarded-For
        # (settings.trusted_proxies), in which case it has put the client here.
        client = scope.get("client")
        wait = self.limits.addresses.take(client[0] if client else "")
        if wait:
            response = error_response(
                Request(scope),
                429,
                "rate_limited",
                "rate_limited",
                headers={"Retry-After": retry_after(wait)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


_bearer = HTTPBearer(auto_error=False)


async def limit_principal(request: Request) -> None:
    """A dependency of every service route: a request with a valid token takes from
    its principal's bucket. Without a token there is nothing to count; the route's own
    authentication answers 401."""
    limits = cast(RateLimits, request.app.state.rate_limits)
    if not limits.enabled:
        return
    credentials = await _bearer(request)
    if credentials is None:
        return
    principal = await verified_principal(request, credentials.credentials)
    wait = limits.principals.take(principal.subject)
    if wait:
        raise RateLimited(wait)
