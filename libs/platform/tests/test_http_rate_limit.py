"""Rate limits per client address and per principal: 429 with Retry-After in the usual
error shape; health is exempt; one principal's flood leaves another's requests alone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import APIRouter

from crosscheck_platform.auth import Role
from crosscheck_platform.auth.deps import CurrentPrincipal
from crosscheck_platform.http import create_app, serve
from crosscheck_platform.http.ratelimit import TokenBuckets
from crosscheck_platform.settings import ServiceSettings
from crosscheck_testing.auth import bearer
from crosscheck_testing.issuer import LocalIssuer

# Tokens of this module's own issuer (some are made before any fixture runs).
ISSUER = LocalIssuer()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_lets_a_burst_through_then_refills_at_its_rate() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    assert buckets.take("b") == 0.0  # every key has its own bucket
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(0.5)


def test_idle_buckets_are_forgotten_so_memory_stays_bounded() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(rate=1.0, burst=2, clock=clock, max_keys=10)
    for n in range(10):
        buckets.take(f"old-{n}")
    clock.now += 5  # the old buckets have refilled
    for n in range(5):
        buckets.take(f"new-{n}")
    assert len(buckets._buckets) <= 10
    assert "new-4" in buckets._buckets and "old-0" not in buckets._buckets


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/v1/me")
    async def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"subject": principal.subject}

    return router


def _client(**limits: Any) -> httpx.AsyncClient:
    settings = ServiceSettings(environment="test", oidc_issuer=ISSUER.url, **limits)
    app = create_app(service="test", settings=settings, routers=[_router()])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def _token(township: str) -> dict[str, str]:
    return bearer(ISSUER, Role.TOWNSHIP_ADMIN, county="532327", township=township)


async def test_an_address_past_its_burst_gets_429_with_retry_after() -> None:
    async with _client(rate_limit_address_per_second=0.01, rate_limit_address_burst=3) as client:
        statuses = [(await client.get("/nowhere")).status_code for _ in range(3)]
        assert statuses == [404, 404, 404]
        limited = await client.get("/v1/me", headers=_token("532327101"))
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.headers["x-content-type-options"] == "nosniff"
        assert limited.json()["error"] == {
            "code": "rate_limited",
            "message": "请求过于频繁,请稍后再试",
            "detail": {},
        }
        english = await client.get("/v1/me", headers={"Accept-Language": "en"})
        assert english.json()["error"]["message"].startswith("Too many requests")
        # The orchestrator's probes are never throttled.
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200


async def test_a_principal_past_its_burst_gets_429_and_others_go_on() -> None:
    async with _client(
        rate_limit_principal_per_second=0.01, rate_limit_principal_burst=2
    ) as client:
        busy, other = _token("532327101"), _token("532327102")
        assert [(await client.get("/v1/me", headers=busy)).status_code for _ in range(2)] == [
            200,
            200,
        ]
        limited = await client.get("/v1/me", headers=busy)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"]["code"] == "rate_limited"
        assert (await client.get("/v1/me", headers=other)).status_code == 200
        # Without a token there is no principal to count: the route's 401 answers.
        assert (await client.get("/v1/me")).status_code == 401


async def test_limits_can_be_switched_off() -> None:
    async with _client(
        rate_limit_enabled=False, rate_limit_address_per_second=0.01, rate_limit_address_burst=1
    ) as client:
        headers = _token("532327101")
        assert [(await client.get("/v1/me", headers=headers)).status_code for _ in range(3)] == [
            200
        ] * 3


def test_forwarded_for_is_trusted_only_from_the_configured_proxies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(kw))
    for trusted in (None, "10.0.0.0/8"):
        settings = ServiceSettings(trusted_proxies=trusted, oidc_issuer=ISSUER.url)
        serve.run(lambda s: create_app(service="test", settings=s), settings)
    plain, proxied = calls
    assert plain["proxy_headers"] is False
    assert (proxied["proxy_headers"], proxied["forwarded_allow_ips"]) == (True, "10.0.0.0/8")


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSCHECK_RATE_LIMIT_PRINCIPAL_PER_SECOND", "5")
    monkeypatch.setenv("CROSSCHECK_RATE_LIMIT_ADDRESS_BURST", "7")
    settings = ServiceSettings()
    assert settings.rate_limit_principal_per_second == 5.0
    assert settings.rate_limit_address_burst == 7
