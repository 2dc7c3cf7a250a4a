"""Settings refuse what would be unsafe in production: receivers trust notices by
their signature, so the development webhook secret must not sign them there."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from crosscheck_notify import bootstrap
from crosscheck_notify.settings import (
    DEVELOPMENT_WEBHOOK_SECRET,
    NotifySettings,
    UnsafeWebhookSecret,
)
from crosscheck_platform.settings import ServiceSettings

STRONG = secrets.token_urlsafe(32)


def test_production_refuses_the_development_webhook_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CROSSCHECK_ENVIRONMENT", "production")
    monkeypatch.delenv("CROSSCHECK_NOTIFY_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ValidationError, match="CROSSCHECK_NOTIFY_WEBHOOK_SECRET"):
        NotifySettings()
    monkeypatch.setenv("CROSSCHECK_NOTIFY_WEBHOOK_SECRET", "too-short")
    with pytest.raises(ValidationError, match="32\\+ characters"):
        NotifySettings()
    monkeypatch.setenv("CROSSCHECK_NOTIFY_WEBHOOK_SECRET", STRONG)
    settings = NotifySettings()
    assert (settings.environment, settings.webhook_secret) == ("production", STRONG)


def test_development_and_tests_may_use_the_development_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CROSSCHECK_NOTIFY_WEBHOOK_SECRET", raising=False)
    for environment in ("development", "test"):
        monkeypatch.setenv("CROSSCHECK_ENVIRONMENT", environment)
        assert NotifySettings().webhook_secret == DEVELOPMENT_WEBHOOK_SECRET


def test_a_production_service_refuses_notify_settings_built_for_development(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CROSSCHECK_ENVIRONMENT", raising=False)
    monkeypatch.delenv("CROSSCHECK_NOTIFY_WEBHOOK_SECRET", raising=False)
    service = ServiceSettings(
        environment="production", oidc_issuer="https://id.example.gov.cn/realms/x"
    )
    with pytest.raises(UnsafeWebhookSecret):
        bootstrap.build_app(service, NotifySettings())
    bootstrap.build_app(service, NotifySettings(webhook_secret=STRONG))  # accepted
