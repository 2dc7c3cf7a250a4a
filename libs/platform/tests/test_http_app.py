"""The app factory: start-up in order, shutdown in reverse, settings from the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI

from crosscheck_platform.http import LifespanPart, create_app, load_settings, serve
from crosscheck_platform.settings import ServiceSettings

# Nothing here verifies a token: the issuer is named, never asked.
ISSUER = "http://issuer.invalid/realms/crosscheck"


def _recording(name: str, journal: list[str], *, fail: bool = False) -> LifespanPart:
    @asynccontextmanager
    async def part(app: FastAPI) -> AsyncIterator[None]:
        if fail:
            raise ConnectionError(f"{name} unavailable")
        journal.append(f"start {name}")
        try:
            yield
        finally:
            journal.append(f"stop {name}")

    return part


async def test_parts_start_in_order_and_stop_in_reverse() -> None:
    journal: list[str] = []
    parts = [_recording(n, journal) for n in ("database", "producer", "relay")]
    app = create_app(
        service="test", settings=ServiceSettings(oidc_issuer=ISSUER), lifespan_parts=parts
    )
    async with app.router.lifespan_context(app):
        journal.append("serving")
    assert journal == [
        "start database",
        "start producer",
        "start relay",
        "serving",
        "stop relay",
        "stop producer",
        "stop database",
    ]


async def test_a_part_that_fails_to_start_stops_those_before_it() -> None:
    journal: list[str] = []
    parts = [
        _recording("database", journal),
        _recording("producer", journal, fail=True),
        _recording("relay", journal),
    ]
    app = create_app(
        service="test", settings=ServiceSettings(oidc_issuer=ISSUER), lifespan_parts=parts
    )
    with pytest.raises(ConnectionError):
        async with app.router.lifespan_context(app):
            pass
    assert journal == ["start database", "stop database"]


def test_settings_are_on_the_app_and_production_hides_the_docs() -> None:
    settings = ServiceSettings(environment="production", oidc_issuer=ISSUER)
    app = create_app(service="hazards", settings=settings)
    assert app.state.settings is settings and app.state.service == "hazards"
    assert app.docs_url is None
    assert (
        create_app(service="hazards", settings=ServiceSettings(oidc_issuer=ISSUER)).docs_url
        == "/docs"
    )


def test_the_service_port_applies_unless_the_environment_sets_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CROSSCHECK_HTTP_PORT", raising=False)
    assert load_settings(default_port=8103).http_port == 8103
    monkeypatch.setenv("CROSSCHECK_HTTP_PORT", "9999")
    assert load_settings(default_port=8103).http_port == 9999


def test_run_serves_on_the_configured_address_with_a_shutdown_grace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append(kw))
    settings = ServiceSettings(http_host="0.0.0.0", http_port=8101, oidc_issuer=ISSUER)
    serve.run(lambda s: create_app(service="registry", settings=s), settings)
    [options] = calls
    assert (options["host"], options["port"]) == ("0.0.0.0", 8101)
    assert options["timeout_graceful_shutdown"] == serve.GRACEFUL_SHUTDOWN_SECONDS
